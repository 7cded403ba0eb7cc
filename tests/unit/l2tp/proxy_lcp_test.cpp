// The LNS's reading of Proxy LCP and Proxy Authentication (RFC 2661 section 18): taken when it
// agrees with what this LNS offers, a reason otherwise (the LNS then renegotiates LCP).
#include "l2tp/proxy_lcp.hpp"

#include <gtest/gtest.h>

#include <array>

namespace pppoe::l2tp {
namespace {

constexpr std::array<ppp::AuthMethod, 2> kChapPap{ppp::AuthMethod::kChapMd5, ppp::AuthMethod::kPap};

CallInfo pap_call() {
  CallInfo c;
  // The subscriber: MRU 1492, magic 0x12345678. The LAC: MRU 1492, PAP, magic 0x0badcafe.
  c.last_received_confreq = {0x01, 0x04, 0x05, 0xd4, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78};
  c.initial_received_confreq = c.last_received_confreq;
  c.last_sent_confreq = {0x01, 0x04, 0x05, 0xd4, 0x03, 0x04, 0xc0, 0x23, 0x05, 0x06, 0x0b, 0xad, 0xca, 0xfe};
  c.proxy_auth_type = 3;
  c.proxy_auth_name = "alice@wholesale.example";
  c.proxy_auth_id = 7;
  c.proxy_auth_response = {'w', 'o', 'n', 'd', 'e', 'r'};
  return c;
}

CallInfo chap_call() {
  CallInfo c = pap_call();
  c.last_sent_confreq = {0x03, 0x05, 0xc2, 0x23, 0x05, 0x05, 0x06, 0x0b, 0xad, 0xca, 0xfe};
  c.proxy_auth_type = 2;
  c.proxy_auth_challenge.assign(16, 0x5a);
  c.proxy_auth_response.assign(16, 0xa5);
  return c;
}

TEST(ProxyLcp, PapTakenAsTheLacNegotiatedIt) {
  auto p = read_proxy(pap_call(), kChapPap);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->local_magic, 0x0badcafeu);
  EXPECT_EQ(p->peer_magic, 0x12345678u);
  EXPECT_EQ(p->peer_mru, 1492);
  EXPECT_EQ(p->auth, ppp::AuthMethod::kPap);
  EXPECT_EQ(p->request.method, ppp::AuthMethod::kPap);
  EXPECT_EQ(p->request.user, "alice@wholesale.example");
  EXPECT_EQ(p->request.password, "wonder");
  EXPECT_EQ(p->request.chap_id, 7);  // the subscriber waits for the Ack with its Identifier
}

TEST(ProxyLcp, ChapCarriesChallengeAndResponse) {
  auto p = read_proxy(chap_call(), kChapPap);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->auth, ppp::AuthMethod::kChapMd5);
  EXPECT_EQ(p->request.challenge[0], 0x5a);
  EXPECT_EQ(p->request.response, std::vector<std::uint8_t>(16, 0xa5));
}

TEST(ProxyLcp, InconsistentProxiesAreRenegotiated) {
  auto reason = [](CallInfo c, std::span<const ppp::AuthMethod> allowed = kChapPap) {
    auto p = read_proxy(c, allowed);
    return p ? std::string("accepted") : p.error();
  };
  CallInfo none;
  EXPECT_EQ(reason(none), "no Proxy LCP");
  CallInfo c = pap_call();
  c.last_received_confreq.insert(c.last_received_confreq.end(), {0x07, 0x02});  // PFC
  EXPECT_NE(reason(c).find("Protocol-Field-Compression"), std::string::npos);
  c = pap_call();
  c.last_received_confreq.push_back(0x01);  // a truncated option
  EXPECT_NE(reason(c).find("truncated"), std::string::npos);
  c = pap_call();
  c.last_received_confreq.insert(c.last_received_confreq.end(), {0x0d, 0x03, 0x06});  // callback
  EXPECT_NE(reason(c).find("option 13"), std::string::npos);
  c = pap_call();
  c.last_received_confreq.insert(c.last_received_confreq.end(), {0x03, 0x04, 0xc0, 0x23});
  EXPECT_NE(reason(c).find("authenticate the LAC"), std::string::npos);
  c = pap_call();
  c.last_sent_confreq = {0x01, 0x04, 0x05, 0xd4};  // no authentication agreed
  EXPECT_NE(reason(c).find("no authentication"), std::string::npos);
  constexpr std::array<ppp::AuthMethod, 1> kChapOnly{ppp::AuthMethod::kChapMd5};
  EXPECT_NE(reason(pap_call(), kChapOnly).find("does not offer"), std::string::npos);
  c = pap_call();
  c.proxy_auth_type = 2;  // CHAP proxy for a PAP link
  EXPECT_NE(reason(c).find("does not match"), std::string::npos);
  c = chap_call();
  c.proxy_auth_challenge.resize(8);
  EXPECT_NE(reason(c).find("challenge of 8"), std::string::npos);
  c = pap_call();
  c.proxy_auth_name.clear();
  EXPECT_NE(reason(c).find("Proxy Authen Name"), std::string::npos);
  c = pap_call();
  c.last_received_confreq = {0x05, 0x06, 0x0b, 0xad, 0xca, 0xfe};  // the LAC's own magic
  EXPECT_NE(reason(c).find("looped"), std::string::npos);
  c = pap_call();
  c.last_received_confreq = {0x01, 0x04, 0x00, 0x40};  // MRU 64
  EXPECT_NE(reason(c).find("below 576"), std::string::npos);
  c = pap_call();
  c.last_sent_confreq = {0x03, 0x05, 0xc2, 0x23, 0x81};  // MS-CHAPv2: no proxy type exists
  EXPECT_NE(reason(c, std::array{ppp::AuthMethod::kMsChapV2}).find("does not match"), std::string::npos);
}

}  // namespace
}  // namespace pppoe::l2tp
