// The discovery guard with injected time and load: each limit alone, windows, bounded memory.
#include <gtest/gtest.h>

#include "master/discovery_guard.hpp"

namespace pppoe::master {
namespace {

using dataplane::Drop;

MacAddress mac(std::uint32_t i) { return MacAddress::local_admin(0x0200, i); }

TEST(DiscoveryGuard, EverythingOffAnswersAtOnce) {
  DiscoveryLimits l;
  DiscoveryGuard g(l);
  for (std::uint32_t i = 0; i < 10000; ++i) {
    auto v = g.on_padi(mac(i % 3), 60000, 0, TimePoint{});
    EXPECT_FALSE(v.drop);
    EXPECT_EQ(v.delay, Duration::zero());
  }
  EXPECT_FALSE(g.on_padr(60000, 60000));
}

TEST(DiscoveryGuard, GlobalPadiRatePerSecond) {
  DiscoveryLimits l;
  l.padi_rate = 100;
  DiscoveryGuard g(l);
  TimePoint t = TimePoint{} + seconds(5);
  int answered = 0, limited = 0;
  for (std::uint32_t i = 0; i < 250; ++i) {
    auto v = g.on_padi(mac(i), 0, 0, t + milliseconds(i));
    (v.drop == Drop::kPadiRateLimited ? limited : answered) += 1;
  }
  EXPECT_EQ(answered, 100);
  EXPECT_EQ(limited, 150);
  EXPECT_FALSE(g.on_padi(mac(999), 0, 0, t + seconds(1)).drop);  // next second: a new allowance
}

TEST(DiscoveryGuard, PerMacRateLeavesOtherClientsAlone) {
  DiscoveryLimits l;
  l.padi_rate_per_mac = 2;
  DiscoveryGuard g(l);
  TimePoint t{};
  EXPECT_FALSE(g.on_padi(mac(1), 0, 0, t).drop);
  EXPECT_FALSE(g.on_padi(mac(1), 0, 0, t).drop);
  EXPECT_EQ(g.on_padi(mac(1), 0, 0, t).drop, Drop::kPadiMacRateLimited);
  EXPECT_FALSE(g.on_padi(mac(2), 0, 0, t).drop);
  EXPECT_FALSE(g.on_padi(mac(1), 0, 0, t + seconds(1)).drop);
  // Thousands of random MACs: answered (the global limit is for them), memory stays bounded.
  for (std::uint32_t i = 0; i < 100000; ++i) EXPECT_FALSE(g.on_padi(mac(1000 + i), 0, 0, t + seconds(2)).drop);
}

TEST(DiscoveryGuard, PadoDelayGrowsWithLoadAndStopsAtTheLimit) {
  DiscoveryLimits l;
  l.pado_delay_ms = 20;
  l.pado_delay_per_1000 = 50;
  l.pado_stop_sessions = 5000;
  DiscoveryGuard g(l);
  EXPECT_EQ(g.on_padi(mac(1), 0, 0, TimePoint{}).delay, milliseconds(20));
  EXPECT_EQ(g.on_padi(mac(2), 2500, 0, TimePoint{}).delay, milliseconds(145));
  // Per session, not per thousand: one session more is a later answer.
  EXPECT_EQ(g.on_padi(mac(3), 4999, 0, TimePoint{}).delay, microseconds(20000 + 4999 * 50));
  EXPECT_LT(g.on_padi(mac(5), 100, 0, TimePoint{}).delay, g.on_padi(mac(6), 101, 0, TimePoint{}).delay);
  EXPECT_EQ(g.on_padi(mac(4), 5000, 0, TimePoint{}).drop, Drop::kPadoSuppressed);
}

TEST(DiscoveryGuard, PadoDelayFollowsTheWorkersCpuAndStopsAtItsLimit) {
  DiscoveryLimits l;
  l.pado_delay_cpu_ms = 200;
  l.pado_stop_cpu = 90;
  DiscoveryGuard g(l);
  EXPECT_EQ(g.on_padi(mac(1), 0, 0, TimePoint{}).delay, Duration::zero());
  EXPECT_EQ(g.on_padi(mac(2), 0, 25, TimePoint{}).delay, milliseconds(50));
  EXPECT_EQ(g.on_padi(mac(3), 0, 89, TimePoint{}).delay, milliseconds(178));
  EXPECT_EQ(g.on_padi(mac(4), 0, 90, TimePoint{}).drop, Drop::kPadoSuppressed);
}

TEST(DiscoveryGuard, PadrLimitsOnStartingAndPerMacSessions) {
  DiscoveryLimits l;
  l.max_starting = 10;
  l.max_sessions_per_mac = 2;
  DiscoveryGuard g(l);
  EXPECT_FALSE(g.on_padr(9, 1));
  EXPECT_EQ(g.on_padr(10, 0), Drop::kMaxStarting);
  EXPECT_EQ(g.on_padr(0, 2), Drop::kMacSessionLimit);
}

}  // namespace
}  // namespace pppoe::master
