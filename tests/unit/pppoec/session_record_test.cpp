#include "pppoec/session_record.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "proto/ip.hpp"

namespace pppoe::pppoec {
namespace {

SessionRecord sample() {
  SessionRecord r;
  r.profile = "provider";
  r.interface = "eth1";
  r.our_mac = *MacAddress::parse("02:00:00:00:00:01");
  r.ac_mac = *MacAddress::parse("02:00:00:00:00:ac");
  r.session_id = 4242;
  r.max_payload = 1500;
  r.ac_name = "bras";
  r.link.local_magic = 0x12345678;
  r.link.peer_magic = 0x9abcdef0;
  r.link.peer_mru = 1492;
  r.link.auth = ppp::AuthMethod::kChapMd5;
  r.link.lcp_next_id = 7;
  r.link.local = *Ipv4Address::parse("10.0.0.10");
  r.link.peer = *Ipv4Address::parse("10.0.0.1");
  r.link.name_servers.dns1 = *Ipv4Address::parse("192.0.2.53");
  r.link.ipv6_opened = true;
  r.link.ipv6_local_id = 0x0200'00ff'fe00'0001ull;
  r.link.ipv6_peer_id = 1;
  r.saved_unix_ms = 1;
  r.up_unix_ms = 2;
  return r;
}

TEST(SessionRecord, RoundTripAndAtomicFile) {
  auto r = sample();
  auto back = decode_record(encode(r));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, r);
  std::string path = ::testing::TempDir() + "/pppoec-record-" + std::to_string(::getpid());
  ASSERT_TRUE(save_record(path, r));
  auto loaded = load_record(path);
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(*loaded, r);
  ::unlink(path.c_str());
}

TEST(SessionRecord, RefusesWhatItCannotVerify) {
  std::string good = encode(sample());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  const std::pair<const char*, std::string> cases[] = {
      {"not json", "{"},
      {"wrong version", replace("\"version\":1", "\"version\":2")},
      {"session 0", replace("\"session_id\":4242", "\"session_id\":0")},
      {"session too large", replace("\"session_id\":4242", "\"session_id\":65535")},
      {"string for number", replace("\"session_id\":4242", "\"session_id\":\"4242\"")},
      {"negative", replace("\"peer_mru\":1492", "\"peer_mru\":-1")},
      {"bad mac", replace("02:00:00:00:00:ac", "ff:ff:ff:ff:ff:ff")},
      {"bad address", replace("10.0.0.10", "10.0.0.300")},
      {"auth out of range", replace("\"auth\":2", "\"auth\":9")},
      {"no link", replace("\"link\"", "\"lnk\"")},
  };
  for (const auto& [name, text] : cases) EXPECT_FALSE(decode_record(text)) << name;
}

/// The full TCP checksum over the pseudo-header (0 for a packet whose checksum is right), to
/// check the incremental update.
std::uint16_t tcp_checksum(const std::vector<std::uint8_t>& p) {
  std::size_t ihl = (p[0] & 0x0fu) * 4u;
  std::vector<std::uint8_t> pseudo(p.begin() + 12, p.begin() + 20);
  pseudo.push_back(0);
  pseudo.push_back(6);
  std::size_t len = p.size() - ihl;
  pseudo.push_back(static_cast<std::uint8_t>(len >> 8));
  pseudo.push_back(static_cast<std::uint8_t>(len));
  pseudo.insert(pseudo.end(), p.begin() + static_cast<std::ptrdiff_t>(ihl), p.end());
  if (pseudo.size() % 2) pseudo.push_back(0);
  return ip::internet_checksum(Bytes(pseudo));
}

TEST(MssClamp, LowersTheOptionAndKeepsTheChecksumRight) {
  for (bool nop_first : {false, true}) {  // MSS at an even and at an odd offset
    std::vector<std::uint8_t> p = {0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 10, 10, 0, 0, 1,
                                   0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x70, 0x02, 0x20, 0x00, 0, 0, 0, 0};
    if (nop_first) p.push_back(1);
    for (int b : {2, 4, 0x05, 0xb4}) p.push_back(static_cast<std::uint8_t>(b));  // MSS 1460
    while ((p.size() - 20) % 4) p.push_back(1);
    p[32] = static_cast<std::uint8_t>(((p.size() - 20) / 4) << 4);
    p[2] = static_cast<std::uint8_t>(p.size() >> 8);
    p[3] = static_cast<std::uint8_t>(p.size());
    std::uint16_t c = tcp_checksum(p);
    p[36] = static_cast<std::uint8_t>(c >> 8);
    p[37] = static_cast<std::uint8_t>(c);
    ASSERT_EQ(tcp_checksum(p), 0);
    ASSERT_TRUE(ip::clamp_tcp_mss(MutableBytes(p), 1492));
    std::size_t at = nop_first ? 43 : 42;
    EXPECT_EQ((p[at] << 8) | p[at + 1], 1452) << nop_first;
    EXPECT_EQ(tcp_checksum(p), 0) << "checksum after clamping, nop_first=" << nop_first;
    EXPECT_FALSE(ip::clamp_tcp_mss(MutableBytes(p), 1492)) << "already small enough";
  }
}

}  // namespace
}  // namespace pppoe::pppoec
