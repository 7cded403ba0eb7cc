#include "pppoec/discovery_client.hpp"

#include <gtest/gtest.h>

namespace pppoe::pppoec {
namespace {

using pppoe_proto::Code;

struct Sent {
  Code code;
  MacAddress dst;
  std::uint16_t session_id;
  pppoe_proto::Tags tags;
};

struct Recorder final : DiscoveryOutput {
  std::vector<Sent> sent;
  void send_discovery(Code code, const MacAddress& dst, std::uint16_t sid, const pppoe_proto::Tags& tags) override {
    sent.push_back({code, dst, sid, tags});
  }
};

const MacAddress kAc{{0x02, 0, 0, 0, 0, 0xac}};
const MacAddress kOtherAc{{0x02, 0, 0, 0, 0, 0xbc}};

pppoe_proto::Packet packet(Code code, std::uint16_t sid = 0) { return {{1, 1, code, sid, 0}, {}}; }
pppoe_proto::Tags pado_tags(std::vector<std::uint8_t> uniq, std::string ac, std::string service = "") {
  pppoe_proto::Tags t;
  t.service_name = service;
  t.ac_name = ac;
  t.host_uniq = uniq;
  t.ac_cookie = std::vector<std::uint8_t>{9, 9};
  t.relay_session_id = std::vector<std::uint8_t>{7};
  return t;
}

DiscoverySettings settings() {
  DiscoverySettings s;
  s.host_uniq = {1, 2, 3, 4};
  return s;
}

TEST(DiscoveryClient, PadiPadoPadrPads) {
  Recorder out;
  DiscoveryClient c(out, settings());
  TimePoint t{};
  c.start(t);
  ASSERT_EQ(out.sent.size(), 1u);
  EXPECT_EQ(out.sent[0].code, Code::kPadi);
  EXPECT_TRUE(out.sent[0].dst.is_broadcast());
  EXPECT_EQ(out.sent[0].tags.service_name, std::string());
  // A PADO with someone else's Host-Uniq is not ours.
  c.receive(kOtherAc, packet(Code::kPado), pado_tags({9}, "other"), t);
  EXPECT_EQ(c.state(), DiscoveryClient::State::kPadiSent);
  EXPECT_EQ(c.counters().pado_not_ours, 1u);
  c.receive(kAc, packet(Code::kPado), pado_tags({1, 2, 3, 4}, "ac"), t);
  ASSERT_EQ(c.state(), DiscoveryClient::State::kPadrSent);
  ASSERT_EQ(out.sent.size(), 2u);
  EXPECT_EQ(out.sent[1].code, Code::kPadr);
  EXPECT_EQ(out.sent[1].dst, kAc);
  EXPECT_EQ(out.sent[1].tags.ac_cookie, (std::vector<std::uint8_t>{9, 9}));  // RFC 2516 5.3: echoed
  EXPECT_EQ(out.sent[1].tags.relay_session_id, (std::vector<std::uint8_t>{7}));
  // A PADS from another MAC is ignored; ours establishes the session.
  c.receive(kOtherAc, packet(Code::kPads, 5), pado_tags({1, 2, 3, 4}, "x"), t);
  EXPECT_EQ(c.state(), DiscoveryClient::State::kPadrSent);
  c.receive(kAc, packet(Code::kPads, 0x1234), pado_tags({1, 2, 3, 4}, "ac"), t);
  EXPECT_EQ(c.state(), DiscoveryClient::State::kSession);
  EXPECT_EQ(c.session_id(), 0x1234);
  c.terminate("bye");
  ASSERT_EQ(out.sent.size(), 3u);
  EXPECT_EQ(out.sent[2].code, Code::kPadt);
  EXPECT_EQ(out.sent[2].session_id, 0x1234);
}

TEST(DiscoveryClient, RetransmitsWithDoublingTimeoutsThenFails) {
  Recorder out;
  auto s = settings();
  s.padi_attempts = 4;
  DiscoveryClient c(out, s);
  TimePoint t{};
  c.start(t);
  std::vector<Duration> gaps;
  TimePoint last = t;
  while (c.state() == DiscoveryClient::State::kPadiSent) {
    t = *c.next_deadline();
    std::size_t before = out.sent.size();
    c.tick(t);
    if (out.sent.size() > before) {
      gaps.push_back(t - last);
      last = t;
    }
  }
  EXPECT_EQ(c.state(), DiscoveryClient::State::kFailed);
  EXPECT_EQ(out.sent.size(), 4u);
  ASSERT_EQ(gaps.size(), 3u);
  EXPECT_EQ(gaps[0], seconds(1));  // RFC 2516 5.1: resend and double the waiting period
  EXPECT_EQ(gaps[1], seconds(2));
  EXPECT_EQ(gaps[2], seconds(4));
}

TEST(DiscoveryClient, ServiceAndAcNameSelection) {
  Recorder out;
  auto s = settings();
  s.service = "ISP";
  s.ac_name = "bras-2";
  DiscoveryClient c(out, s);
  TimePoint t{};
  c.start(t);
  EXPECT_EQ(out.sent[0].tags.service_name, std::string("ISP"));
  c.receive(kOtherAc, packet(Code::kPado), pado_tags({1, 2, 3, 4}, "bras-1", "ISP"), t);  // wrong AC
  auto other_service = pado_tags({1, 2, 3, 4}, "bras-2", "VOIP");
  c.receive(kAc, packet(Code::kPado), other_service, t);  // wrong service
  EXPECT_EQ(c.counters().pado_unwanted, 2u);
  auto listed = pado_tags({1, 2, 3, 4}, "bras-2", "VOIP");
  listed.more_service_names = {"ISP"};  // the AC lists every service it offers (5.2)
  c.receive(kAc, packet(Code::kPado), listed, t);
  EXPECT_EQ(c.state(), DiscoveryClient::State::kPadrSent);
  EXPECT_EQ(c.ac_name(), "bras-2");
}

TEST(DiscoveryClient, PadsWithErrorOrMaxPayload) {
  Recorder out;
  auto s = settings();
  s.max_payload = 1500;
  DiscoveryClient c(out, s);
  TimePoint t{};
  c.start(t);
  EXPECT_EQ(out.sent[0].tags.ppp_max_payload, std::optional<std::uint16_t>(1500));  // RFC 4638
  c.receive(kAc, packet(Code::kPado), pado_tags({1, 2, 3, 4}, "ac"), t);
  auto err = pado_tags({1, 2, 3, 4}, "ac");
  err.service_name_error = "no such service";
  c.receive(kAc, packet(Code::kPads, 3), err, t);
  EXPECT_EQ(c.state(), DiscoveryClient::State::kFailed);
  EXPECT_NE(c.failure().find("Service-Name-Error"), std::string::npos);

  c.start(t);
  c.receive(kAc, packet(Code::kPado), pado_tags({1, 2, 3, 4}, "ac"), t);
  auto ok = pado_tags({1, 2, 3, 4}, "ac");
  ok.ppp_max_payload = 1500;
  c.receive(kAc, packet(Code::kPads, 3), ok, t);
  EXPECT_EQ(c.max_payload(), 1500);
  // Without the tag in the PADS, 1492 applies (RFC 4638 section 4).
  c.start(t);
  c.receive(kAc, packet(Code::kPado), pado_tags({1, 2, 3, 4}, "ac"), t);
  c.receive(kAc, packet(Code::kPads, 4), pado_tags({1, 2, 3, 4}, "ac"), t);
  EXPECT_EQ(c.max_payload(), 0);
}

}  // namespace
}  // namespace pppoe::pppoec
