#include "services/writer/ledger.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/process.h"

namespace hiresync::writer {
namespace {

TEST(LedgerTest, RemembersEmployeesAndDocumentsAcrossReopen) {
  hiresync::testing::TempDir dir;
  std::string path = dir.File("ledger.db");
  {
    auto ledger = Ledger::Open(path);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    auto none = (*ledger)->FindEmployee("acme", 7);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    ASSERT_TRUE((*ledger)->RecordEmployee("acme", 7, {"emp_1", "warnings"}).ok());
    ASSERT_TRUE((*ledger)->RecordDocument("acme", 7, "abc").ok());
    ASSERT_TRUE((*ledger)->RecordDocument("acme", 7, "abc").ok());
  }
  auto ledger = Ledger::Open(path);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  auto found = (*ledger)->FindEmployee("acme", 7);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->employee_id, "emp_1");
  EXPECT_EQ((*found)->problems, "warnings");
  EXPECT_FALSE((*(*ledger)->FindEmployee("other", 7)).has_value());
  EXPECT_FALSE((*(*ledger)->FindEmployee("acme", 8)).has_value());
  EXPECT_TRUE(*(*ledger)->HasDocument("acme", 7, "abc"));
  EXPECT_FALSE(*(*ledger)->HasDocument("acme", 8, "abc"));
  EXPECT_FALSE(*(*ledger)->HasDocument("acme", 7, "def"));
}

TEST(LedgerTest, ClosedLedgerSaysSo) {
  hiresync::testing::TempDir dir;
  auto ledger = Ledger::Open(dir.File("ledger.db"));
  ASSERT_TRUE(ledger.ok());
  (*ledger)->Close();
  auto found = (*ledger)->FindEmployee("acme", 1);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(LedgerTest, WritesAheadToALog) {
  hiresync::testing::TempDir dir;
  auto ledger = Ledger::Open(dir.File("ledger.db"));
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  ASSERT_TRUE((*ledger)->RecordDocument("acme", 7, "abc").ok());
  EXPECT_TRUE(std::filesystem::exists(dir.File("ledger.db-wal")));
}

TEST(LedgerTest, AFileThatIsNotALedgerIsAClearError) {
  hiresync::testing::TempDir dir;
  hiresync::testing::WriteFile(dir.File("ledger.db"), std::string(4096, 'x'));
  auto ledger = Ledger::Open(dir.File("ledger.db"));
  ASSERT_FALSE(ledger.ok());
  EXPECT_EQ(ledger.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(ledger.status().message().find("--ledger"), std::string::npos) << ledger.status();
}

TEST(LedgerTest, UnwritablePathIsAClearError) {
  auto ledger = Ledger::Open("/nonexistent/folder/ledger.db");
  ASSERT_FALSE(ledger.ok());
  EXPECT_NE(ledger.status().message().find("--ledger"), std::string::npos) << ledger.status();
}

}  // namespace
}  // namespace hiresync::writer
