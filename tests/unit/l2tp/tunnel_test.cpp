// Two L2TP control connections back to back (a LAC and an LNS), with the wire under the
// test's control: establishment with and without tunnel authentication, a wrong secret, loss,
// HELLO on an idle tunnel, StopCCN, and what RFC 2661 says about unknown mandatory AVPs.
#include "l2tp/tunnel.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace pppoe::l2tp {
namespace {

struct End final : ReliableOutput, TunnelEvents {
  std::deque<std::vector<std::uint8_t>> out;
  int ups = 0, downs = 0;
  std::uint16_t down_result = 0;
  std::string down_why;
  std::vector<std::uint16_t> session_types;
  void transmit(Bytes d) override { out.emplace_back(d.begin(), d.end()); }
  void tunnel_up() override { ++ups; }
  void tunnel_down(std::uint16_t result, const std::string& why) override {
    ++downs;
    down_result = result;
    down_why = why;
  }
  void session_message(std::uint16_t, const ControlMessage& m) override { session_types.push_back(m.raw_type); }
};

void counter_random(MutableBytes b) {
  static std::uint8_t n = 0;
  for (auto& x : b) x = ++n;
}

struct Pair {
  End lac_end, lns_end;
  Tunnel lac, lns;
  std::uint64_t sent = 0, dropped = 0;
  int drop_every = 0;  ///< drop every n-th datagram (0: none)
  TimePoint now{};

  Pair(std::string lac_secret, std::string lns_secret)
      : lac(lac_end, lac_end, settings("lac", std::move(lac_secret), 100), counter_random),
        lns(lns_end, lns_end, settings("lns", std::move(lns_secret), 200), counter_random) {}

  static TunnelSettings settings(std::string host, std::string secret, std::uint16_t id) {
    TunnelSettings s;
    s.host_name = std::move(host);
    s.secret = std::move(secret);
    s.local_tunnel_id = id;
    return s;
  }
  void carry(End& from, Tunnel& to) {
    while (!from.out.empty()) {
      auto d = std::move(from.out.front());
      from.out.pop_front();
      ++sent;
      if (drop_every > 0 && sent % static_cast<std::uint64_t>(drop_every) == 0) {
        ++dropped;
        continue;
      }
      auto m = decode(d);
      ASSERT_TRUE(m);
      to.receive(m->header, m->payload, now);
    }
  }
  void run(Duration for_how_long, Duration step = milliseconds(50)) {
    TimePoint until = now + for_how_long;
    while (now < until) {
      carry(lac_end, lns);
      carry(lns_end, lac);
      now += step;
      lac.tick(now);
      lns.tick(now);
    }
  }
};

TEST(L2tpTunnel, EstablishesWithAuthentication) {
  Pair p("shared", "shared");
  p.lac.open(p.now);
  p.run(seconds(1));
  EXPECT_EQ(p.lac.state(), TunnelState::kEstablished);
  EXPECT_EQ(p.lns.state(), TunnelState::kEstablished);
  EXPECT_EQ(p.lac_end.ups, 1);
  EXPECT_EQ(p.lns_end.ups, 1);
  EXPECT_EQ(p.lac.peer().tunnel_id, 200);
  EXPECT_EQ(p.lns.peer().tunnel_id, 100);
  EXPECT_EQ(p.lac.peer().host_name, "lns");
  EXPECT_EQ(p.lns.peer().vendor_name, "pppoed");
  // Three messages and the final ZLB: every one acknowledged, nothing retransmitted.
  EXPECT_EQ(p.lac.channel().counters().retransmitted, 0u);
  EXPECT_TRUE(p.lac.channel().idle());
  EXPECT_TRUE(p.lns.channel().idle());
}

TEST(L2tpTunnel, EstablishesWithoutAuthentication) {
  Pair p("", "");
  p.lac.open(p.now);
  p.run(seconds(1));
  EXPECT_EQ(p.lac.state(), TunnelState::kEstablished);
  EXPECT_EQ(p.lns.state(), TunnelState::kEstablished);
}

TEST(L2tpTunnel, WrongSecretIsRefusedWithoutSayingIt) {
  Pair p("lac-secret", "lns-secret");
  p.lac.open(p.now);
  p.run(seconds(2));
  EXPECT_EQ(p.lac.state(), TunnelState::kClosing);  // the LAC checked the SCCRP's response first
  EXPECT_EQ(p.lac_end.down_result, result::kStopNotAuthorized);
  EXPECT_EQ(p.lac.counters().auth_failures, 1u);
  EXPECT_EQ(p.lns_end.downs, 1);  // the StopCCN reached the LNS
  EXPECT_EQ(p.lns_end.down_result, result::kStopNotAuthorized);
  EXPECT_EQ(p.lac_end.down_why.find("secret"), std::string::npos);
  EXPECT_EQ(p.lns_end.down_why.find("lac-secret"), std::string::npos);
  p.run(seconds(40));
  EXPECT_EQ(p.lac.state(), TunnelState::kClosed);
}

TEST(L2tpTunnel, LossyWireStillEstablishesAndNothingIsDeliveredTwice) {
  Pair p("shared", "shared");
  p.drop_every = 3;
  p.lac.open(p.now);
  p.run(seconds(20));
  EXPECT_EQ(p.lac.state(), TunnelState::kEstablished);
  EXPECT_EQ(p.lns.state(), TunnelState::kEstablished);
  EXPECT_EQ(p.lac_end.ups, 1);
  EXPECT_EQ(p.lns_end.ups, 1);
  EXPECT_GT(p.dropped, 0u);
  EXPECT_GT(p.lac.channel().counters().retransmitted + p.lns.channel().counters().retransmitted, 0u);
}

TEST(L2tpTunnel, HelloOnAnIdleTunnelAndStopccn) {
  Pair p("", "");
  p.lac.open(p.now);
  p.run(seconds(1));
  ASSERT_EQ(p.lac.state(), TunnelState::kEstablished);
  p.run(seconds(61), milliseconds(500));
  EXPECT_GE(p.lac.counters().hello_sent, 1u);
  EXPECT_GE(p.lns.counters().hello_received, 1u);
  p.lns.close(result::kStopShuttingDown, error::kNone, "maintenance", p.now);
  p.run(seconds(1));
  EXPECT_EQ(p.lac_end.downs, 1);
  EXPECT_EQ(p.lac_end.down_result, result::kStopShuttingDown);
  EXPECT_NE(p.lac_end.down_why.find("maintenance"), std::string::npos);
  EXPECT_TRUE(p.lns.channel().idle());  // the StopCCN was acknowledged
}

TEST(L2tpTunnel, UnansweredSccrqGivesUp) {
  End lac_end;
  TunnelSettings s;
  s.local_tunnel_id = 1;
  s.reliable.max_retransmissions = 2;
  Tunnel lac(lac_end, lac_end, s, counter_random);
  TimePoint now{};
  lac.open(now);
  for (int i = 0; i < 200; ++i) lac.tick(now += milliseconds(100));
  EXPECT_EQ(lac.state(), TunnelState::kClosed);
  EXPECT_EQ(lac_end.downs, 1);
  EXPECT_NE(lac_end.down_why.find("no acknowledgement"), std::string::npos);
  EXPECT_EQ(lac_end.out.size(), 3u);  // the SCCRQ and two retransmissions
}

TEST(L2tpTunnel, UnknownMandatoryAvpEndsTheTunnel) {
  Pair p("", "");
  p.lac.open(p.now);
  p.run(seconds(1));
  ASSERT_EQ(p.lns.state(), TunnelState::kEstablished);
  // A HELLO with an unknown vendor AVP marked mandatory, sent through the LAC's channel.
  std::vector<std::uint8_t> avps(64);
  AvpWriter w(avps);
  w.message_type(MessageType::kHello);
  avps.resize(w.size());
  const std::uint8_t vendor_avp[] = {0x80, 0x08, 0x00, 0x09, 0x00, 0x01, 0xaa, 0xbb};
  avps.insert(avps.end(), std::begin(vendor_avp), std::end(vendor_avp));
  p.lac.send_session(0, avps, p.now);  // session 0: a tunnel message
  p.run(seconds(1));
  EXPECT_EQ(p.lns.counters().unknown_mandatory, 1u);
  EXPECT_EQ(p.lns_end.down_result, result::kStopGeneralError);
  EXPECT_EQ(p.lac_end.downs, 1);
  // The same AVP without the M bit is ignored (section 4.1).
  Pair q("", "");
  q.lac.open(q.now);
  q.run(seconds(1));
  avps[avps.size() - 8] = 0x00;
  q.lac.send_session(0, avps, q.now);
  q.run(seconds(1));
  EXPECT_EQ(q.lns.state(), TunnelState::kEstablished);
  EXPECT_EQ(q.lns.counters().hello_received, 1u);
}

TEST(L2tpTunnel, SessionMessagesOnlyOnAnEstablishedTunnel) {
  Pair p("", "");
  p.lac.open(p.now);
  p.run(seconds(1));
  std::vector<std::uint8_t> icrq(64);
  AvpWriter w(icrq);
  w.message_type(MessageType::kIcrq);
  w.u16(AvpType::kAssignedSessionId, 5);
  w.u32(AvpType::kCallSerialNumber, 1);
  icrq.resize(w.size());
  p.lac.send_session(0, icrq, p.now);
  p.run(seconds(1));
  EXPECT_EQ(p.lns_end.session_types, (std::vector<std::uint16_t>{10}));
}

}  // namespace
}  // namespace pppoe::l2tp
