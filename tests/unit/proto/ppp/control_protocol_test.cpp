// The negotiation engine with injected time and a recorded output: no sockets, no sleeps.
#include "proto/ppp/control_protocol.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "proto/ppp/ipv6cp.hpp"
#include "proto/ppp/lcp.hpp"

namespace pppoe::ppp {
namespace {

struct Recorder : LayerListener, CpOutput {
  std::vector<std::vector<std::uint8_t>> sent;
  int ups = 0, downs = 0, finished = 0;
  void layer_up(Protocol) override { ++ups; }
  void layer_down(Protocol) override { ++downs; }
  void layer_started(Protocol) override {}
  void layer_finished(Protocol) override { ++finished; }
  void send_control(Protocol, Bytes p) override { sent.emplace_back(p.begin(), p.end()); }
  std::uint8_t last_code() const { return sent.empty() ? 0 : sent.back()[0]; }
};

TimePoint t0{};

TEST(ControlProtocol, TwoEndsConvergeToOpened) {
  Recorder ra, rb;
  LcpSettings server_settings;
  LcpSettings client_settings;
  client_settings.role = LinkRole::kPeer;
  client_settings.auth_methods = {AuthMethod::kChapMd5};
  server_settings.auth_methods = {AuthMethod::kMsChapV2, AuthMethod::kChapMd5};
  LcpHandler ha(ra, server_settings, 1), hb(rb, client_settings, 2);
  ControlProtocol a(Protocol::kLcp, ha, ra), b(Protocol::kLcp, hb, rb);
  a.open(t0), a.up(t0), b.open(t0), b.up(t0);
  // Shuttle packets until both sides are quiet.
  std::size_t ia = 0, ib = 0;
  for (int round = 0; round < 20; ++round) {
    while (ia < ra.sent.size()) b.receive(ra.sent[ia++], t0);
    while (ib < rb.sent.size()) a.receive(rb.sent[ib++], t0);
  }
  EXPECT_EQ(a.state(), State::kOpened);
  EXPECT_EQ(b.state(), State::kOpened);
  EXPECT_EQ(ra.ups, 1);
  EXPECT_EQ(rb.ups, 1);
  // The client Naked MS-CHAPv2 with CHAP-MD5, which the server also allows.
  EXPECT_EQ(ha.auth_method(), AuthMethod::kChapMd5);
  EXPECT_EQ(hb.auth_method(), AuthMethod::kChapMd5);
  EXPECT_EQ(ha.peer_magic(), hb.local_magic());
}

TEST(ControlProtocol, RestartTimerRetransmitsThenGivesUp) {
  Recorder r;
  LcpHandler h(r, {}, 3);
  CpConfig cfg;
  cfg.max_configure = 3;
  ControlProtocol cp(Protocol::kLcp, h, r, cfg);
  cp.open(t0);
  cp.up(t0);
  EXPECT_EQ(r.sent.size(), 1u);
  ASSERT_TRUE(cp.timer_deadline());
  cp.tick(t0 + seconds(2));  // not yet
  EXPECT_EQ(r.sent.size(), 1u);
  TimePoint t = t0;
  for (int i = 0; i < 2; ++i) {
    t += seconds(3);
    cp.tick(t);  // TO+
  }
  EXPECT_EQ(r.sent.size(), 3u);
  EXPECT_EQ(cp.state(), State::kReqSent);
  cp.tick(t + seconds(3));  // TO-: tlf, Stopped
  EXPECT_EQ(cp.state(), State::kStopped);
  EXPECT_EQ(r.finished, 1);
  EXPECT_FALSE(cp.timer_deadline());
}

TEST(ControlProtocol, UnknownCodeGetsCodeReject) {
  Recorder r;
  LcpHandler h(r, {}, 4);
  ControlProtocol cp(Protocol::kIpcp, h, r);
  cp.open(t0);
  cp.up(t0);
  const std::uint8_t weird[] = {42, 7, 0, 6, 0xde, 0xad};
  cp.receive(weird, t0);
  EXPECT_EQ(r.last_code(), static_cast<std::uint8_t>(Code::kCodeReject));
  EXPECT_EQ(r.sent.back().size(), 4u + sizeof weird);
}

TEST(ControlProtocol, MalformedPacketsAreCountedNotFatal) {
  Recorder r;
  LcpHandler h(r, {}, 5);
  ControlProtocol cp(Protocol::kLcp, h, r);
  cp.open(t0);
  cp.up(t0);
  const std::uint8_t short_len[] = {1, 1, 0, 2};
  const std::uint8_t option_len_1[] = {1, 1, 0, 6, 1, 1};
  const std::uint8_t option_len_0[] = {1, 1, 0, 6, 5, 0};
  const std::uint8_t option_past[] = {1, 1, 0, 7, 5, 6, 1};
  for (Bytes p : {Bytes(short_len), Bytes(option_len_1), Bytes(option_len_0), Bytes(option_past)}) cp.receive(p, t0);
  EXPECT_EQ(cp.counters().rx_malformed, 4u);
  EXPECT_EQ(cp.state(), State::kReqSent);
}

TEST(ControlProtocol, NakTurnsIntoRejectAfterMaxFailure) {
  Recorder r;
  LcpHandler h(r, {}, 6);
  CpConfig cfg;
  cfg.max_failure = 2;
  ControlProtocol cp(Protocol::kLcp, h, r, cfg);
  cp.open(t0);
  cp.up(t0);
  const std::uint8_t huge_mru[] = {1, 9, 0, 8, 1, 4, 0x40, 0x00};  // MRU 16384: above what we can send
  std::vector<std::uint8_t> codes;
  for (int i = 0; i < 3; ++i) {
    cp.receive(huge_mru, t0);
    codes.push_back(r.last_code());
  }
  EXPECT_EQ(codes, (std::vector<std::uint8_t>{3, 3, 4}));
}

TEST(ControlProtocol, AcfcAndPfcAreRejectedOnPppoe) {
  Recorder r;
  LcpHandler h(r, {}, 7);
  ControlProtocol cp(Protocol::kLcp, h, r);
  cp.open(t0);
  cp.up(t0);
  const std::uint8_t req[] = {1, 3, 0, 8, 7, 2, 8, 2};
  cp.receive(req, t0);
  EXPECT_EQ(r.last_code(), static_cast<std::uint8_t>(Code::kConfigureReject));
  EXPECT_EQ(std::vector<std::uint8_t>(r.sent.back().begin() + 4, r.sent.back().end()),
            (std::vector<std::uint8_t>{7, 2, 8, 2}));
}

TEST(ControlProtocol, LoopedBackEchoIsDetected) {
  Recorder r;
  LcpHandler h(r, {}, 8);
  ControlProtocol cp(Protocol::kLcp, h, r);
  cp.send_echo_request();
  cp.receive(r.sent.back(), t0);  // our own echo request comes back
  EXPECT_EQ(cp.counters().loops_detected, 1u);
}

TEST(Ipv6cp, IdentifierUsedByAnotherLinkIsNaked) {
  Recorder r;
  Ipv6cpHandler h(r, 1, 10);
  h.set_in_use_check([](std::uint64_t id) { return id == 0x42; });
  ControlProtocol cp(Protocol::kIpv6cp, h, r);
  cp.open(t0);
  cp.up(t0);
  const std::uint8_t taken[] = {1, 5, 0, 14, 1, 10, 0, 0, 0, 0, 0, 0, 0, 0x42};
  cp.receive(taken, t0);
  ASSERT_EQ(r.last_code(), static_cast<std::uint8_t>(Code::kConfigureNak));
  auto nak = r.sent.back();
  EXPECT_NE(nak.back(), 0x42);
  const std::uint8_t free_id[] = {1, 6, 0, 14, 1, 10, 0, 0, 0, 0, 0, 0, 0, 0x43};
  cp.receive(free_id, t0);
  EXPECT_EQ(r.last_code(), static_cast<std::uint8_t>(Code::kConfigureAck));
}

TEST(ControlProtocol, AckMustRepeatOurRequest) {
  Recorder r;
  LcpHandler h(r, {}, 9);
  ControlProtocol cp(Protocol::kLcp, h, r);
  cp.open(t0);
  cp.up(t0);
  auto ack = r.sent.back();
  ack[0] = 2;
  ack.back() ^= 1;  // altered option value
  cp.receive(ack, t0);
  EXPECT_EQ(cp.state(), State::kReqSent);
  EXPECT_EQ(cp.counters().rx_bad_id, 1u);
  ack.back() ^= 1;
  cp.receive(ack, t0);
  EXPECT_EQ(cp.state(), State::kAckRcvd);
}

}  // namespace
}  // namespace pppoe::ppp
