#include "proto/ppp/describe.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pppoe::ppp {
namespace {

std::string describe(std::uint16_t protocol, std::vector<std::uint8_t> v) { return describe_frame(protocol, Bytes(v)); }

TEST(DescribeFrame, LcpIpcpAndEchoesInOneLine) {
  EXPECT_EQ(describe(0xc021, {1, 7, 0, 19, 1, 4, 0x05, 0xd4, 3, 5, 0xc2, 0x23, 0x81, 5, 6, 0x1a, 0x2b, 0x3c, 0x4d}),
            "LCP Configure-Request id 7 [mru 1492, auth mschapv2, magic 0x1a2b3c4d]");
  EXPECT_EQ(describe(0x8021, {3, 2, 0, 16, 3, 6, 10, 0, 0, 10, 129, 6, 192, 0, 2, 53}),
            "IPCP Configure-Nak id 2 [address 10.0.0.10, dns1 192.0.2.53]");
  EXPECT_EQ(describe(0xc021, {9, 3, 0, 8, 0xde, 0xad, 0xbe, 0xef}), "LCP Echo-Request id 3 magic 0xdeadbeef");
  EXPECT_EQ(describe(0xc021, {1, 1, 0, 3}), "LCP malformed (cp_bad_length)");
  EXPECT_EQ(describe(0x0021, {0x45, 0}), "");  // data: not described
}

TEST(DescribeFrame, AuthenticationShowsNamesNeverSecrets) {
  // PAP Authenticate-Request: peer-id "alice", password "secret".
  std::vector<std::uint8_t> pap{1, 9, 0, 18, 5, 'a', 'l', 'i', 'c', 'e', 6, 's', 'e', 'c', 'r', 'e', 't'};
  pap[3] = static_cast<std::uint8_t>(pap.size());
  std::string text = describe(0xc023, pap);
  EXPECT_EQ(text, "PAP Authenticate-Request id 9 peer-id 'alice' (password not shown)");
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_EQ(peer_name(0xc023, Bytes(pap)), "alice");
  // CHAP Response: value (16 octets) then the name.
  std::vector<std::uint8_t> chap{2, 4, 0, 0, 16};
  chap.insert(chap.end(), 16, 0xaa);
  for (char c : std::string("bob")) chap.push_back(static_cast<std::uint8_t>(c));
  chap[3] = static_cast<std::uint8_t>(chap.size());
  EXPECT_EQ(describe(0xc223, chap), "CHAP Response id 4 name 'bob'");
  EXPECT_EQ(peer_name(0xc223, Bytes(chap)), "bob");
  EXPECT_EQ(peer_name(0xc021, Bytes(chap)), "");
}

}  // namespace
}  // namespace pppoe::ppp
