#include "common/config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "tests/support/process.h"

namespace hiresync::config {
namespace {

using hiresync::testing::TempDir;
using hiresync::testing::WriteFile;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("secret"), "whsec\n");
    WriteFile(dir_.File("key"), "goco-key");
  }
  std::string Valid(const std::string& extra = "") {
    return R"({"connections": [{"id": "acme", )" + extra + R"("webhook_secret": {"file": ")" +
           dir_.File("secret") + R"("}, "goco": {"base_url": "http://127.0.0.1:8090/v1/companies/acme", "api_key": {"file": ")" +
           dir_.File("key") + R"("}}}]})";
  }
  TempDir dir_;
};

TEST_F(ConfigTest, LoadsSecretsFromFilesAndEnvironmentAndFillsDefaults) {
  setenv("HIRESYNC_TEST_CLIENT_ID", "cid", 1);
  setenv("HIRESYNC_TEST_CLIENT_SECRET", "csecret", 1);
  auto parsed = Parse(Valid(R"("greenhouse": {"harvest_client_id": {"env": "HIRESYNC_TEST_CLIENT_ID"},
      "harvest_client_secret": {"env": "HIRESYNC_TEST_CLIENT_SECRET"}, "note_author_email": "a@b.co"}, )"),
                      "test.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Connection* conn = (*parsed)->Find("acme");
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->webhook_secret, "whsec");
  EXPECT_EQ(conn->goco_api_key, "goco-key");
  EXPECT_EQ(conn->harvest_client_id, "cid");
  EXPECT_EQ(conn->proto.mapping().job_title_field(), "Job Title");
  EXPECT_EQ(conn->proto.mapping().employment_type_field(), "Employment Type");
  EXPECT_EQ(conn->proto.state(), hiresync::v1::Connection::ACTIVE);
  EXPECT_EQ((*parsed)->Find("other"), nullptr);
}

TEST_F(ConfigTest, UnknownKeyIsNamed) {
  auto parsed = Parse(Valid(R"("colour": "blue", )"), "test.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("colour"), std::string::npos) << parsed.status();
}

TEST_F(ConfigTest, UnreadableSecretFileNamesTheKey) {
  std::string json = Valid();
  json.replace(json.find(dir_.File("key")), dir_.File("key").size(), "/nonexistent/key");
  auto parsed = Parse(json, "test.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("connections[0] (id \"acme\").goco.api_key.file"),
            std::string::npos)
      << parsed.status();
}

TEST_F(ConfigTest, InlineSecretIsRefused) {
  std::string json = R"({"connections": [{"id": "acme", "webhook_secret": "inline"}]})";
  auto parsed = Parse(json, "test.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("webhook_secret"), std::string::npos);
}

TEST_F(ConfigTest, BadIdDuplicateIdAndBadUrlAreRefused) {
  auto bad_id = Parse(R"({"connections": [{"id": "Acme Corp"}]})", "t");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.status().message().find(".id"), std::string::npos);

  std::string one = Valid();
  std::string conn = one.substr(one.find('{', 1), one.rfind(']') - one.find('{', 1));
  auto dup = Parse(R"({"connections": [)" + conn + "," + conn + "]}", "t");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("used twice"), std::string::npos) << dup.status();

  std::string bad_url = Valid();
  bad_url.replace(bad_url.find("http://"), 7, "ftp://");
  auto url = Parse(bad_url, "t");
  ASSERT_FALSE(url.ok());
  EXPECT_NE(url.status().message().find("goco.base_url"), std::string::npos) << url.status();
}

TEST_F(ConfigTest, AVeryLongUrlIsRefusedNotACrash) {
  std::string json = Valid();
  json.replace(json.find("http://127.0.0.1:8090"), 21, "http://" + std::string(30000, 'a'));
  auto parsed = Parse(json, "t");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("goco.base_url"), std::string::npos);
}

TEST_F(ConfigTest, UrlsWithoutHostOrWithSpacesAreRefused) {
  for (const char* bad : {"http:///x", "https://", "http://a b/", "ftp://x/"}) {
    std::string json = Valid();
    json.replace(json.find("http://127.0.0.1:8090"), 21, bad);
    EXPECT_FALSE(Parse(json, "t").ok()) << bad;
  }
}

TEST_F(ConfigTest, RetryBudgetIsPerConnectionAndMustBePositive) {
  auto parsed = Parse(Valid(R"("retry_budget": {"max_attempts": 5, "max_age_seconds": 86400}, )"), "t");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)->Find("acme")->proto.retry_budget().max_attempts(), 5);
  auto negative = Parse(Valid(R"("retry_budget": {"max_attempts": -1}, )"), "t");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("retry_budget"), std::string::npos);
}

TEST_F(ConfigTest, MissingFileIsAClearError) {
  auto loaded = Load(dir_.File("nope.json"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("cannot be read"), std::string::npos);
}

}  // namespace
}  // namespace hiresync::config

namespace hiresync::config {
namespace {

TEST(ConfigLoadTest, RelativeSecretPathsAreReadFromTheConfigFolder) {
  hiresync::testing::TempDir dir;
  std::filesystem::create_directories(dir.File("secrets"));
  hiresync::testing::WriteFile(dir.File("secrets/hook"), "hook-secret");
  hiresync::testing::WriteFile(dir.File("secrets/key"), "key");
  hiresync::testing::WriteFile(dir.File("config.json"), R"({"connections": [{"id": "demo",
    "webhook_secret": {"file": "secrets/hook"},
    "goco": {"base_url": "http://127.0.0.1:8090/v1/companies/demo", "api_key": {"file": "secrets/key"}}}]})");
  auto loaded = Load(dir.File("config.json"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->Find("demo")->webhook_secret, "hook-secret");
}

TEST(ConnectionsSourceTest, ReloadReplacesAndABadFileKeepsTheOldOne) {
  hiresync::testing::TempDir dir;
  hiresync::testing::WriteFile(dir.File("hook"), "s");
  hiresync::testing::WriteFile(dir.File("key"), "k");
  auto config = [&](const std::string& state) {
    return R"({"connections": [{"id": "demo", "state": ")" + state + R"(",
      "webhook_secret": {"file": "hook"},
      "goco": {"base_url": "http://127.0.0.1:1/v1/companies/demo", "api_key": {"file": "key"}}}]})";
  };
  hiresync::testing::WriteFile(dir.File("config.json"), config("ACTIVE"));
  ConnectionsSource source(*Load(dir.File("config.json")));
  auto before = source.Get();
  EXPECT_FALSE(before->Find("demo")->paused());
  hiresync::testing::WriteFile(dir.File("config.json"), config("PAUSED"));
  ASSERT_TRUE(source.Reload(dir.File("config.json")).ok());
  EXPECT_TRUE(source.Get()->Find("demo")->paused());
  EXPECT_FALSE(before->Find("demo")->paused());  // a snapshot taken earlier is unchanged
  hiresync::testing::WriteFile(dir.File("config.json"), "{not json");
  EXPECT_FALSE(source.Reload(dir.File("config.json")).ok());
  EXPECT_TRUE(source.AsFn()()->Find("demo")->paused());
}

}  // namespace
}  // namespace hiresync::config
