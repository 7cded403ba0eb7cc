#include <gtest/gtest.h>

#include "session/address_pool.hpp"
#include "session/secrets.hpp"

namespace pppoe::session {
namespace {

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

TEST(Ranges, ParsesRangesCidrAndSingles) {
  auto r = parse_ranges("192.168.1.10-192.168.1.20, 10.0.0.0/30,172.16.0.1");
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].first, ip("192.168.1.10"));
  EXPECT_EQ((*r)[0].last, ip("192.168.1.20"));
  EXPECT_EQ((*r)[1].first, ip("10.0.0.1"));  // network and broadcast excluded
  EXPECT_EQ((*r)[1].last, ip("10.0.0.2"));
  EXPECT_EQ((*r)[2].first, (*r)[2].last);
  for (const char* bad : {"10.0.0.5-10.0.0.1", "10.0.0.0/33", "10.0.0.0/", "nonsense", "", "1.2.3.4,"})
    EXPECT_FALSE(parse_ranges(bad)) << bad;
}

TEST(Ranges, CoveringPrefixes) {
  auto p = covering_prefixes({ip("10.0.0.10"), ip("10.0.0.20")});
  std::vector<std::string> got;
  for (auto& [a, bits] : p) got.push_back(a.to_string() + "/" + std::to_string(bits));
  EXPECT_EQ(got, (std::vector<std::string>{"10.0.0.10/31", "10.0.0.12/30", "10.0.0.16/30", "10.0.0.20/32"}));
}

TEST(Secrets, ParsesPppSecretFormat) {
  auto s = LocalSecrets::parse("# users\nalice  wonderland\n\nbob \"two words\" 10.1.2.3  # fixed\n", "ppp.secret");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->size(), 2u);
  EXPECT_TRUE(s->pap("alice", "wonderland").ok);
  EXPECT_FALSE(s->pap("alice", "Wonderland").ok);
  EXPECT_FALSE(s->pap("carol", "x").ok);
  auto bob = s->pap("bob", "two words");
  EXPECT_TRUE(bob.ok);
  EXPECT_EQ(bob.framed_ip, ip("10.1.2.3"));
  // Fixed IPv6 prefixes per user, with or without a fixed IPv4 address.
  s = LocalSecrets::parse("carol pw ipv6=2001:db8:3000:7::/64 pd=2001:db8:3100:700::/56\n"
                          "dave pw 10.1.2.4 pd=2001:db8:3100:800::/60\n", "ppp.secret");
  ASSERT_TRUE(s) << s.error();
  auto carol = s->pap("carol", "pw");
  EXPECT_FALSE(carol.framed_ip);
  EXPECT_EQ(carol.framed_ipv6_prefix->to_string(), "2001:db8:3000:7::/64");
  EXPECT_EQ(carol.delegated_prefix->to_string(), "2001:db8:3100:700::/56");
  auto dave = s->pap("dave", "pw");
  EXPECT_EQ(dave.framed_ip, ip("10.1.2.4"));
  EXPECT_FALSE(dave.framed_ipv6_prefix);
  EXPECT_EQ(dave.delegated_prefix->length, 60);
  // A user's rate limit (operator guide "Service policy").
  s = LocalSecrets::parse("erin pw rate=20M/5M\nfrank pw 10.1.2.5 rate=1000\n", "ppp.secret");
  ASSERT_TRUE(s) << s.error();
  auto erin = s->pap("erin", "pw");
  EXPECT_EQ(erin.rate.down->kbps, 20'000u);
  EXPECT_EQ(erin.rate.up->kbps, 5'000u);
  EXPECT_EQ(s->pap("frank", "pw").rate.up->kbps, 1'000u);
}

TEST(Secrets, ErrorsNameFileAndLineButNotTheSecret) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c :
       {Case{"alice\n", "f:1: expected 'user secret [ip] [ipv6=PREFIX/64] [pd=PREFIX/LEN] [rate=DOWN/UP] [filter=LIST] [route=PREFIX,...]', found 1 field(s)"},
        Case{"a b\nc hidden 1.2.3\n", "f:2: expected an IPv4 address as third field (or ipv6=, pd=, rate=, filter=, route=), found '1.2.3'"},
        Case{"a hidden rate=fast\n", "f:1: expected rate=DOWN[/UP] in kbit/s or with k, M, G (e.g. rate=20M/5M), found 'rate=fast'"},
        Case{"a \"open\n", "f:1: unterminated double quote"},
        Case{"a b\na c\n", "f:2: user 'a' defined twice"},
        Case{"a b c d\n", "f:1: expected an IPv4 address as third field (or ipv6=, pd=, rate=, filter=, route=), found 'c'"},
        Case{"a hidden ipv6=2001:db8::/56\n", "f:1: expected ipv6= and a /64 prefix, found 'ipv6=2001:db8::/56'"},
        Case{"a hidden pd=2001:db8::/40\n", "f:1: expected pd= and a prefix of length 48 to 64, found 'pd=2001:db8::/40'"},
        Case{"a b 1.2.3.4 ipv6=2001:db8::/64 pd=2001:db8:1::/56 rate=1M filter=x route=10.0.0.0/8 y\n",
             "f:1: expected 'user secret [ip] [ipv6=PREFIX/64] [pd=PREFIX/LEN] [rate=DOWN/UP] [filter=LIST] [route=PREFIX,...]', found 9 field(s)"}}) {
    auto s = LocalSecrets::parse(c.text, "f");
    ASSERT_FALSE(s) << c.text;
    EXPECT_EQ(s.error(), c.error);
    EXPECT_EQ(s.error().find("hidden"), std::string::npos);
  }
}

}  // namespace
}  // namespace pppoe::session
