// Two l2tp::Host objects on loopback, one the LAC and one the LNS: real UDP sockets, the
// LNS's policy deciding which LAC may open a tunnel, calls placed and answered, data both
// ways, CDN from the LNS, and a refused tunnel.
#include "l2tp/host.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pppoe::l2tp {
namespace {

struct Events final : HostEvents {
  int tunnels_up = 0, tunnels_down = 0, sessions_up = 0, sessions_down = 0;
  std::uint16_t last_tunnel = 0, last_session = 0, down_result = 0;
  std::vector<std::vector<std::uint8_t>> frames;
  void tunnel_up(std::uint16_t t) override {
    ++tunnels_up;
    last_tunnel = t;
  }
  void tunnel_down(std::uint16_t, std::uint16_t result, const std::string&) override {
    ++tunnels_down;
    down_result = result;
  }
  void session_up(std::uint16_t t, std::uint16_t s) override {
    ++sessions_up;
    last_tunnel = t;
    last_session = s;
  }
  void session_down(std::uint16_t, std::uint16_t, std::uint16_t result, const std::string&) override {
    ++sessions_down;
    down_result = result;
  }
  void data(std::uint16_t, std::uint16_t, Bytes ppp) override { frames.emplace_back(ppp.begin(), ppp.end()); }
};

const Ipv4Address kLoopback{0x7f000001};

void run(Host& a, Host& b, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    TimePoint now = Clock::now();
    a.poll(now);
    b.poll(now);
    a.tick(now);
    b.tick(now);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

TEST(L2tpHost, LacAndLnsOnLoopback) {
  Events lac_events, lns_events;
  auto lac = Host::open({kLoopback, 17011}, lac_events);
  auto lns = Host::open({kLoopback, 17012}, lns_events);
  ASSERT_TRUE(lac && lns);
  std::string seen_host;
  (*lns)->accept_tunnels([&](const Endpoint& from, const std::string& host) -> std::optional<TunnelSettings> {
    seen_host = host;
    if (from.address != kLoopback) return std::nullopt;
    TunnelSettings s;
    s.host_name = "lns";
    s.secret = "shared secret";
    return s;
  });
  TunnelSettings ts;
  ts.host_name = "lac";
  ts.secret = "shared secret";
  std::uint16_t tunnel = (*lac)->open_tunnel({kLoopback, 17012}, ts, Clock::now());
  run(**lac, **lns, 50);
  ASSERT_EQ(lac_events.tunnels_up, 1);
  ASSERT_EQ(lns_events.tunnels_up, 1);
  EXPECT_EQ(seen_host, "lac");
  CallInfo call;
  call.tx_connect_speed = 1000000;
  call.proxy_auth_type = 3;
  call.proxy_auth_name = "alice";
  call.proxy_auth_response = {'p', 'w'};
  for (int i = 0; i < 20; ++i) {
    call.serial = static_cast<std::uint32_t>(i + 1);
    ASSERT_NE((*lac)->place_call(tunnel, call, Clock::now()), 0);
  }
  run(**lac, **lns, 100);
  EXPECT_EQ(lac_events.sessions_up, 20);
  EXPECT_EQ(lns_events.sessions_up, 20);
  const Session* lns_call = (*lns)->session(lns_events.last_tunnel, lns_events.last_session);
  ASSERT_NE(lns_call, nullptr);
  EXPECT_EQ(lns_call->call().proxy_auth_name, "alice");
  EXPECT_EQ(lns_call->call().proxy_auth_response, (std::vector<std::uint8_t>{'p', 'w'}));  // hidden on the wire
  // Data both ways on the last call.
  const std::uint8_t lcp_echo[] = {0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 0, 0, 0, 0};
  ASSERT_TRUE((*lac)->send_data(tunnel, lac_events.last_session, lcp_echo));
  ASSERT_TRUE((*lns)->send_data(lns_events.last_tunnel, lns_events.last_session, lcp_echo));
  run(**lac, **lns, 20);
  ASSERT_EQ(lns_events.frames.size(), 1u);
  ASSERT_EQ(lac_events.frames.size(), 1u);
  EXPECT_EQ(lns_events.frames[0], std::vector<std::uint8_t>(std::begin(lcp_echo), std::end(lcp_echo)));
  // The LNS clears one call: the LAC hears the CDN.
  (*lns)->disconnect(lns_events.last_tunnel, lns_events.last_session, result::kCdnAdmin, "admin", Clock::now());
  run(**lac, **lns, 20);
  EXPECT_EQ(lac_events.sessions_down, 1);
  EXPECT_EQ(lac_events.down_result, result::kCdnAdmin);
  EXPECT_EQ((*lac)->counters().malformed[0], 0u);
}

TEST(L2tpHost, RefusedTunnel) {
  Events lac_events, lns_events;
  auto lac = Host::open({kLoopback, 17021}, lac_events);
  auto lns = Host::open({kLoopback, 17022}, lns_events);
  ASSERT_TRUE(lac && lns);
  (*lns)->accept_tunnels([](const Endpoint&, const std::string&) -> std::optional<TunnelSettings> { return std::nullopt; });
  (*lac)->open_tunnel({kLoopback, 17022}, TunnelSettings{}, Clock::now());
  run(**lac, **lns, 50);
  EXPECT_EQ(lac_events.tunnels_up, 0);
  EXPECT_EQ(lac_events.tunnels_down, 1);
  EXPECT_EQ(lac_events.down_result, result::kStopNotAuthorized);
  EXPECT_EQ((*lns)->counters().tunnels_refused, 1u);
}

}  // namespace
}  // namespace pppoe::l2tp
