#include "worker/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace pppoe::worker {
namespace {

TEST(TimerWheelTest, FiresAtOrAfterTheDueTimeNeverBefore) {
  TimerWheel w(TimePoint{});
  TimePoint t0{};
  w.schedule(1, w.tick_of(t0 + milliseconds(250)));  // tick 3
  w.schedule(2, w.tick_of(t0 + seconds(3)));
  std::vector<std::uint16_t> fired;
  auto fire = [&](std::uint16_t id, TimerWheel::Tick) { fired.push_back(id); };
  w.advance(t0 + milliseconds(299), fire);
  EXPECT_TRUE(fired.empty());
  w.advance(t0 + milliseconds(300), fire);
  EXPECT_EQ(fired, std::vector<std::uint16_t>{1});
  w.advance(t0 + milliseconds(2999), fire);
  EXPECT_EQ(fired.size(), 1U);
  w.advance(t0 + seconds(3), fire);
  EXPECT_EQ(fired, (std::vector<std::uint16_t>{1, 2}));
  EXPECT_EQ(w.size(), 0U);
}

TEST(TimerWheelTest, TimersBeyondOneRevolutionWaitTheirTurn) {
  TimerWheel w(TimePoint{});
  TimePoint t0{};
  w.schedule(7, w.tick_of(t0 + seconds(30)));  // more than twice the 12.8 s the wheel spans
  int fired = 0;
  for (int ms = 0; ms < 29900; ms += 100) w.advance(t0 + milliseconds(ms), [&](std::uint16_t, TimerWheel::Tick) { ++fired; });
  EXPECT_EQ(fired, 0);
  w.advance(t0 + seconds(30), [&](std::uint16_t id, TimerWheel::Tick) { fired += id == 7 ? 1 : 0; });
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheelTest, PastDueTimesFireAtTheNextTickAndReschedulingInsideFireWorks) {
  TimerWheel w(TimePoint{});
  TimePoint t0 = TimePoint{} + seconds(100);
  w.advance(t0, [](std::uint16_t, TimerWheel::Tick) {});
  w.schedule(3, 0);  // long past
  int fired = 0;
  w.advance(t0 + milliseconds(100), [&](std::uint16_t id, TimerWheel::Tick) {
    ++fired;
    w.schedule(id, w.tick_of(t0 + milliseconds(100)));  // "again now": must land in a later tick
  });
  EXPECT_EQ(fired, 1);
  w.advance(t0 + milliseconds(200), [&](std::uint16_t, TimerWheel::Tick) { ++fired; });
  EXPECT_EQ(fired, 2);
}

TEST(TimerWheelTest, AStallLongerThanARevolutionFiresEverythingDueOnce) {
  TimerWheel w(TimePoint{});
  TimePoint t0{};
  for (std::uint16_t i = 0; i < 1000; ++i) w.schedule(i, w.tick_of(t0 + milliseconds(50 * i)));
  std::map<std::uint16_t, int> fired;
  w.advance(t0 + seconds(40), [&](std::uint16_t id, TimerWheel::Tick) { ++fired[id]; });
  EXPECT_EQ(fired.size(), 801U);  // due at or before 40 s: 0, 50 ms, ..., 40 s
  for (const auto& [id, n] : fired) EXPECT_EQ(n, 1);
  w.advance(t0 + seconds(60), [&](std::uint16_t id, TimerWheel::Tick) { ++fired[id]; });
  EXPECT_EQ(fired.size(), 1000U);
}

TEST(TimerWheelTest, TickCostFollowsTimersDueNotTimersHeld) {
  // 64,000 sessions with keep-alive every 10 s spread over the interval: each 100 ms tick
  // fires about 640 of them, whatever else is held.
  TimerWheel w(TimePoint{});
  TimePoint t0{};
  for (std::uint32_t i = 0; i < 64000; ++i)
    w.schedule(static_cast<std::uint16_t>(i), w.tick_of(t0 + milliseconds(100) + std::chrono::microseconds(156 * i)));
  std::size_t max_per_tick = 0;
  for (int ms = 100; ms <= 10100; ms += 100) {
    std::size_t n = 0;
    w.advance(t0 + milliseconds(ms), [&](std::uint16_t, TimerWheel::Tick) { ++n; });
    max_per_tick = std::max(max_per_tick, n);
  }
  EXPECT_LE(max_per_tick, 642U);
  EXPECT_EQ(w.size(), 0U);
}

}  // namespace
}  // namespace pppoe::worker
