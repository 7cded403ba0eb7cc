#include "session/control_budget.hpp"

#include <gtest/gtest.h>

namespace pppoe::session {
namespace {

TEST(ControlBudgetTest, BurstThenRate) {
  ControlBudget b;
  TimePoint t{};
  int allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += b.take(20, t) ? 1 : 0;
  EXPECT_EQ(allowed, 40);  // the burst: twice the rate
  t += milliseconds(500);
  allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += b.take(20, t) ? 1 : 0;
  EXPECT_EQ(allowed, 10);  // half a second of refill
  t += seconds(60);
  allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += b.take(20, t) ? 1 : 0;
  EXPECT_EQ(allowed, 40);  // refill stops at the burst
}

TEST(ControlBudgetTest, ZeroRateIsNoLimit) {
  ControlBudget b;
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(b.take(0, TimePoint{}));
}

TEST(ControlBudgetTest, KeepAliveAndNegotiationNeverMeetTheDefault) {
  ControlBudget b;
  TimePoint t{};
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(b.take(20, t));  // a whole negotiation at once
  for (int i = 0; i < 3600; ++i) ASSERT_TRUE(b.take(20, t += seconds(1)));  // an echo a second
}

}  // namespace
}  // namespace pppoe::session
