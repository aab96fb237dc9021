#include "common/log/log.h"

#include <gtest/gtest.h>

namespace hiresync::log {
namespace {

TEST(LogTest, FormatsOneJsonObjectWithServiceAndFields) {
  Init("test-svc");
  auto line = nlohmann::json::parse(Format(Level::kInfo, "stored", {{"event_id", 7}}, false));
  EXPECT_EQ(line["service"], "test-svc");
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["msg"], "stored");
  EXPECT_EQ(line["event_id"], 7);
}

TEST(LogTest, RedactsSecretAndPersonalKeys) {
  auto line = nlohmann::json::parse(Format(
      Level::kWarn, "x",
      {{"webhook_secret", "s3cr3t"}, {"api_key", "k"}, {"personal_email", "a@b.co"},
       {"first_name", "Johnny"}, {"candidate_id", 35897443}},
      false));
  EXPECT_EQ(line["webhook_secret"], "[redacted]");
  EXPECT_EQ(line["api_key"], "[redacted]");
  EXPECT_EQ(line["personal_email"], "[redacted]");
  EXPECT_EQ(line["first_name"], "[redacted]");
  EXPECT_EQ(line["candidate_id"], 35897443);
}

TEST(LogTest, MasksEmailsAndPhonesInsideText) {
  std::string out = Format(Level::kError, "GoCo said personal@example.com is taken, call 212-555-1212",
                           {{"detail", {{"note", "mail work@example.com"}}}}, false);
  EXPECT_EQ(out.find("personal@example.com"), std::string::npos) << out;
  EXPECT_EQ(out.find("212-555-1212"), std::string::npos) << out;
  EXPECT_EQ(out.find("work@example.com"), std::string::npos) << out;
  EXPECT_NE(out.find("[email]"), std::string::npos) << out;
}

TEST(LogTest, ParsesLevels) {
  Level level;
  EXPECT_TRUE(ParseLevel("warn", &level));
  EXPECT_EQ(level, Level::kWarn);
  EXPECT_FALSE(ParseLevel("loud", &level));
}

}  // namespace
}  // namespace hiresync::log
