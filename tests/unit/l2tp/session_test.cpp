// An L2TP incoming call between a LAC and an LNS session object (RFC 2661 section 7.4.1):
// ICRQ/ICRP/ICCN with Proxy LCP and Proxy Authentication (the PAP password hidden, section
// 4.3), CDN from either side, and an unknown mandatory AVP ending the session.
#include "l2tp/session.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace pppoe::l2tp {
namespace {

const std::string kSecret = "tunnel-secret";

struct End final : SessionOutput {
  std::deque<std::vector<std::uint8_t>> out;
  std::vector<std::uint16_t> to_session;
  int ups = 0, downs = 0;
  std::uint16_t down_result = 0;
  std::string down_why;
  void send_session(std::uint16_t peer_session_id, Bytes avps) override {
    out.emplace_back(avps.begin(), avps.end());
    to_session.push_back(peer_session_id);
  }
  void random(MutableBytes b) override {
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 1);
  }
  void session_up() override { ++ups; }
  void session_down(std::uint16_t result, const std::string& why) override {
    ++downs;
    down_result = result;
    down_why = why;
  }
};

void carry(End& from, Session& to) {
  while (!from.out.empty()) {
    auto m = decode_avps(from.out.front(), kSecret);
    from.out.pop_front();
    ASSERT_TRUE(m) << to_string(m.error());
    to.receive(*m);
  }
}

CallInfo pap_call() {
  CallInfo c;
  c.serial = 42;
  c.calling_number = "02:00:00:00:00:01";
  c.called_number = "internet";
  c.circuit_id = "dslam7 eth 1/1/4:100";
  c.remote_id = "line-4711";
  c.tx_connect_speed = 100000000;
  c.rx_connect_speed = 20000000;
  c.initial_received_confreq = {0x01, 0x04, 0x05, 0xd4, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78};
  c.last_sent_confreq = {0x01, 0x04, 0x05, 0xd4, 0x03, 0x04, 0xc0, 0x23};
  c.last_received_confreq = c.initial_received_confreq;
  c.proxy_auth_type = 3;  // PAP
  c.proxy_auth_name = "alice@wholesale.example";
  c.proxy_auth_id = 1;
  std::string pw = "wonderland";
  c.proxy_auth_response.assign(pw.begin(), pw.end());
  return c;
}

TEST(L2tpSession, IncomingCallWithProxyAuthentication) {
  End lac_end, lns_end;
  Session lac(lac_end, 11, kSecret), lns(lns_end, 22, kSecret);
  lac.place(pap_call());
  EXPECT_EQ(lac.state(), SessionState::kWaitReply);
  EXPECT_EQ(lac_end.to_session.back(), 0);  // ICRQ: the LNS's session ID is not known yet
  carry(lac_end, lns);                       // ICRQ
  EXPECT_EQ(lns.state(), SessionState::kWaitConnect);
  EXPECT_EQ(lns.peer_id(), 11);
  EXPECT_EQ(lns.call().calling_number, "02:00:00:00:00:01");
  EXPECT_EQ(lns.call().circuit_id, "dslam7 eth 1/1/4:100");  // RFC 5515, vendor AVPs
  EXPECT_EQ(lns.call().remote_id, "line-4711");
  carry(lns_end, lac);  // ICRP
  EXPECT_EQ(lac.state(), SessionState::kEstablished);
  EXPECT_EQ(lac.peer_id(), 22);
  EXPECT_EQ(lac_end.to_session.back(), 22);
  // The ICCN on the wire does not show the password.
  ASSERT_EQ(lac_end.out.size(), 1u);
  std::string wire(lac_end.out.front().begin(), lac_end.out.front().end());
  EXPECT_EQ(wire.find("wonderland"), std::string::npos);
  carry(lac_end, lns);  // ICCN
  EXPECT_EQ(lns.state(), SessionState::kEstablished);
  EXPECT_EQ(lns.framing_type(), 1u);
  EXPECT_EQ(lns.call().proxy_auth_type, 3);
  EXPECT_EQ(lns.call().proxy_auth_name, "alice@wholesale.example");
  EXPECT_EQ(std::string(lns.call().proxy_auth_response.begin(), lns.call().proxy_auth_response.end()), "wonderland");
  EXPECT_EQ(lns.call().last_sent_confreq, pap_call().last_sent_confreq);
  EXPECT_EQ(lns.call().tx_connect_speed, 100000000u);
  EXPECT_EQ(lac_end.ups, 1);
  EXPECT_EQ(lns_end.ups, 1);
}

TEST(L2tpSession, CdnFromEitherSide) {
  End lac_end, lns_end;
  Session lac(lac_end, 11, kSecret), lns(lns_end, 22, kSecret);
  lac.place(pap_call());
  carry(lac_end, lns);
  carry(lns_end, lac);
  carry(lac_end, lns);
  lns.disconnect(result::kCdnAdmin, error::kNone, "admin reset");
  EXPECT_EQ(lns.state(), SessionState::kClosed);
  EXPECT_EQ(lns_end.to_session.back(), 11);
  carry(lns_end, lac);
  EXPECT_EQ(lac.state(), SessionState::kClosed);
  EXPECT_EQ(lac_end.down_result, result::kCdnAdmin);
  EXPECT_NE(lac_end.down_why.find("admin reset"), std::string::npos);
}

TEST(L2tpSession, UnknownMandatoryAvpAndOutOfPlaceMessagesEndTheSession) {
  End lac_end, lns_end;
  Session lns(lns_end, 22, kSecret);
  std::vector<std::uint8_t> icrq(128);
  AvpWriter w(icrq);
  w.message_type(MessageType::kIcrq);
  w.u16(AvpType::kAssignedSessionId, 9);
  w.u32(AvpType::kCallSerialNumber, 1);
  icrq.resize(w.size());
  const std::uint8_t vendor_avp[] = {0x80, 0x08, 0x00, 0x09, 0x00, 0x01, 0xaa, 0xbb};
  icrq.insert(icrq.end(), std::begin(vendor_avp), std::end(vendor_avp));
  lns.receive(*decode_avps(icrq, kSecret));
  EXPECT_EQ(lns.state(), SessionState::kClosed);
  EXPECT_EQ(lns_end.down_result, result::kCdnGeneralError);
  auto cdn = decode_avps(lns_end.out.back(), kSecret);
  ASSERT_TRUE(cdn);
  EXPECT_EQ(*cdn->type, MessageType::kCdn);
  const Avp* rc = cdn->find(AvpType::kResultCode);
  ASSERT_NE(rc, nullptr);
  EXPECT_EQ(rc->value[3], error::kUnknownMandatoryAvp);
  // An ICCN before any ICRQ.
  Session other(lns_end, 23, kSecret);
  std::vector<std::uint8_t> iccn(64);
  AvpWriter w2(iccn);
  w2.message_type(MessageType::kIccn);
  iccn.resize(w2.size());
  other.receive(*decode_avps(iccn, kSecret));
  EXPECT_EQ(other.state(), SessionState::kClosed);
}

}  // namespace
}  // namespace pppoe::l2tp
