// The governor against the timelines of handbook 30.6.10.2, with injected time and CPU.
#include "master/governor.hpp"

#include <gtest/gtest.h>

namespace pppoe::master {
namespace {

GovernorSettings production() {
  GovernorSettings s;  // 30.6.10.2 "Auto-Scaling Production Setup"
  s.enabled = true;
  s.mode = 1;
  s.min_workers = 2;
  s.cpu_threshold = 80;
  s.cpu_low_threshold = 30;
  s.scale_up_interval = 10;
  s.scale_down_interval = 60;
  s.drain_timeout = 30;
  return s;
}

GovernorInput at(std::int64_t t, unsigned cpu, unsigned active, unsigned draining = 0, unsigned max = 8) {
  return GovernorInput{t, cpu, active + draining, active, draining, max};
}

TEST(Governor, ScaleUpThenScaleDownTimeline) {
  // Time CPU Workers Event: 00:00 15% 2 normal; 00:15 85% scale up -> 3; 00:30 70% stable;
  // 01:00 18% scale down: worker 2 DRAINING.
  auto s = production();
  Governor g(0);
  EXPECT_FALSE(g.evaluate(s, at(0, 15, 2)).any());
  auto up = g.evaluate(s, at(15, 85, 2));
  EXPECT_TRUE(up.add_worker);
  EXPECT_FALSE(up.cancel_drain);
  EXPECT_EQ(g.last_decision(), "scale_up");
  EXPECT_EQ(g.last_reason(), "cpu_high");
  EXPECT_FALSE(g.evaluate(s, at(30, 70, 3)).any());
  auto down = g.evaluate(s, at(60, 18, 3));
  EXPECT_TRUE(down.drain_worker);
  EXPECT_EQ(g.last_decision(), "scale_down");
  EXPECT_EQ(g.last_reason(), "cpu_low");
}

TEST(Governor, ChangeOfHeartReturnsTheDrainingWorkerBeforeCreatingOne) {
  // 10:10 12% scale down: worker 2 DRAINING; 10:25 85%: worker 2 returns to ACTIVE and
  // worker 3 is created.
  auto s = production();
  Governor g(0);
  std::int64_t t0 = 36000;
  auto down = g.evaluate(s, at(t0 + 600, 12, 3));
  EXPECT_TRUE(down.drain_worker);
  auto up = g.evaluate(s, at(t0 + 615, 85, 2, 1));
  EXPECT_TRUE(up.cancel_drain);
  EXPECT_TRUE(up.add_worker);
  EXPECT_EQ(g.last_decision(), "scale_up");
}

TEST(Governor, IntervalsAreHonoured) {
  auto s = production();
  Governor g(0);
  EXPECT_FALSE(g.evaluate(s, at(5, 90, 2)).any());  // scale_up_interval not yet elapsed since start
  EXPECT_TRUE(g.evaluate(s, at(10, 90, 2)).add_worker);
  EXPECT_FALSE(g.evaluate(s, at(15, 90, 3)).any());
  EXPECT_TRUE(g.evaluate(s, at(20, 90, 3)).add_worker);
  EXPECT_FALSE(g.evaluate(s, at(50, 10, 4)).any());  // scale_down_interval (60) from start
  EXPECT_TRUE(g.evaluate(s, at(60, 10, 4)).drain_worker);
  EXPECT_FALSE(g.evaluate(s, at(100, 10, 3)).any());
  EXPECT_TRUE(g.evaluate(s, at(120, 10, 3)).drain_worker);
}

TEST(Governor, MinAndMaxWorkers) {
  auto s = production();
  Governor g(0);
  EXPECT_FALSE(g.evaluate(s, at(100, 95, 8, 0, 8)).any());  // at max, nothing draining
  EXPECT_EQ(g.last_decision(), "none");
  EXPECT_FALSE(g.evaluate(s, at(200, 5, 2)).any());  // at min_workers: no scale down
  auto below = g.evaluate(s, at(300, 50, 1));           // a worker crashed: back to min
  EXPECT_TRUE(below.add_worker);
  EXPECT_EQ(g.last_reason(), "below_min");
  // At max with a worker draining: only the change of heart.
  auto heart = g.evaluate(s, at(400, 95, 7, 1, 8));
  EXPECT_TRUE(heart.cancel_drain);
  EXPECT_FALSE(heart.add_worker);
}

TEST(Governor, DisabledOrManualDecidesNothing) {
  auto s = production();
  s.enabled = false;
  Governor g(0);
  EXPECT_FALSE(g.evaluate(s, at(100, 99, 2)).any());
  s.enabled = true;
  s.mode = 0;
  EXPECT_FALSE(g.evaluate(s, at(200, 99, 2)).any());
  EXPECT_FALSE(g.evaluate(s, at(300, 1, 5)).any());
}

TEST(Governor, BetweenThresholdsIsIdle) {
  auto s = production();
  Governor g(0);
  for (std::int64_t t = 0; t < 600; t += 5) EXPECT_FALSE(g.evaluate(s, at(t, 55, 3)).any());
}

}  // namespace
}  // namespace pppoe::master
