#include "services/notes/note_ledger.h"

#include "gtest/gtest.h"
#include "tests/support/process.h"

namespace hiresync::notes {
namespace {

using hiresync::testing::TempDir;

TEST(NoteLedgerTest, PostingThenPostedSurvivesReopening) {
  TempDir dir;
  {
    auto ledger = NoteLedger::Open(dir.File("notes.db"));
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    auto missing = (*ledger)->Find("demo/1", "not_synced");
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->has_value());
    ASSERT_TRUE((*ledger)->MarkPosting("demo/1", "not_synced", "demo", 7, "body one").ok());
    auto posting = (*ledger)->Find("demo/1", "not_synced");
    ASSERT_TRUE(posting.ok() && posting->has_value());
    EXPECT_EQ((*posting)->state, LedgerEntry::State::kPosting);
    EXPECT_EQ((*posting)->candidate_id, 7);
    EXPECT_EQ((*posting)->body, "body one");
    ASSERT_TRUE((*ledger)->MarkPosted("demo/1", "not_synced", 99, "body one").ok());
  }
  auto reopened = NoteLedger::Open(dir.File("notes.db"));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto posted = (*reopened)->Find("demo/1", "not_synced");
  ASSERT_TRUE(posted.ok() && posted->has_value());
  EXPECT_EQ((*posted)->state, LedgerEntry::State::kPosted);
  EXPECT_EQ((*posted)->note_id, 99);
  // Another kind of the same event is its own row.
  auto other = (*reopened)->Find("demo/1", "gave_up");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST(NoteLedgerTest, PostedRowIsNotTurnedBackIntoPosting) {
  TempDir dir;
  auto ledger = NoteLedger::Open(dir.File("notes.db"));
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  ASSERT_TRUE((*ledger)->MarkPosting("demo/2", "synced", "demo", 7, "a").ok());
  ASSERT_TRUE((*ledger)->MarkPosted("demo/2", "synced", 5, "a").ok());
  ASSERT_TRUE((*ledger)->MarkPosting("demo/2", "synced", "demo", 7, "b").ok());
  auto entry = (*ledger)->Find("demo/2", "synced");
  ASSERT_TRUE(entry.ok() && entry->has_value());
  EXPECT_EQ((*entry)->state, LedgerEntry::State::kPosted);
  EXPECT_EQ((*entry)->body, "a");
}

TEST(NoteLedgerTest, MarkPostedWithoutPostingRowIsAnError) {
  TempDir dir;
  auto ledger = NoteLedger::Open(dir.File("notes.db"));
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  EXPECT_FALSE((*ledger)->MarkPosted("demo/3", "synced", 5, "a").ok());
}

TEST(NoteLedgerTest, UnwritableFolderSaysWhatToCheck) {
  auto ledger = NoteLedger::Open("/nonexistent-folder/notes.db");
  ASSERT_FALSE(ledger.ok());
  EXPECT_NE(ledger.status().message().find("--ledger"), std::string::npos);
}

}  // namespace
}  // namespace hiresync::notes
