#include "common/failpoint/failpoint.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace hiresync::failpoint {
namespace {

TEST(FailpointTest, UnarmedPointsNeverFire) {
  Configure("");
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(Due("writer.after_ledger_write"));
}

TEST(FailpointTest, ArmedPointFiresOnceOnItsHit) {
  Configure("a.first,b.third@3");
  EXPECT_TRUE(Due("a.first"));
  EXPECT_FALSE(Due("a.first"));
  EXPECT_FALSE(Due("b.third"));
  EXPECT_FALSE(Due("b.third"));
  EXPECT_TRUE(Due("b.third"));
  EXPECT_FALSE(Due("b.third"));
  EXPECT_FALSE(Due("c.other"));
}

TEST(FailpointDeathTest, HitKillsTheProcess) {
  EXPECT_EXIT(
      {
        Configure("x.die");
        Hit("x.die");
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

}  // namespace
}  // namespace hiresync::failpoint
