#include "policy/filter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pppoe::policy {
namespace {

FilterRule rule(std::vector<std::string> words) {
  auto r = parse_filter_rule(words);
  EXPECT_TRUE(r) << (r ? "" : r.error());
  return r ? *r : FilterRule{};
}

std::vector<std::uint8_t> ipv4_tcp(std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst, std::uint16_t dport) {
  std::vector<std::uint8_t> p(40, 0);
  p[0] = 0x45;
  p[9] = 6;
  std::copy(src.begin(), src.end(), p.begin() + 12);
  std::copy(dst.begin(), dst.end(), p.begin() + 16);
  p[20] = 0x9c;
  p[22] = static_cast<std::uint8_t>(dport >> 8);
  p[23] = static_cast<std::uint8_t>(dport);
  return p;
}

TEST(Filter, FirstMatchDecidesAndDirectionsApart) {
  FilterList list{"residential", filter_id("residential"),
                  {rule({"deny", "out", "tcp", "dport", "25"}), rule({"allow", "out", "tcp", "to", "203.0.113.0/24"}),
                   rule({"deny", "in", "ip", "from", "192.0.2.1"})}};
  auto smtp = ipv4_tcp({10, 0, 0, 5}, {203, 0, 113, 7}, 25);
  EXPECT_EQ(match(list, smtp, true), 0);
  EXPECT_EQ(match(list, smtp, false), -1);  // "out" rules do not look at downstream
  auto web = ipv4_tcp({10, 0, 0, 5}, {203, 0, 113, 7}, 443);
  EXPECT_EQ(match(list, web, true), 1);
  auto from_host = ipv4_tcp({192, 0, 2, 1}, {10, 0, 0, 5}, 80);
  EXPECT_EQ(match(list, from_host, false), 2);
  EXPECT_EQ(match(list, ipv4_tcp({192, 0, 2, 2}, {10, 0, 0, 5}, 80), false), -1);
  // A later fragment has no ports: the port rule passes it by, the address rule takes it.
  smtp[6] = 0x00;
  smtp[7] = 0x10;
  EXPECT_EQ(match(list, smtp, true), 1);
  EXPECT_EQ(match(list, Bytes(), true), -1);
}

TEST(Filter, RulesAndTheirErrors) {
  auto r = rule({"allow", "udp", "to", "2001:db8::/32", "dport", "53"});
  EXPECT_TRUE(r.allow && r.upstream && r.downstream);
  EXPECT_EQ(r.protocol, 17);
  EXPECT_EQ(r.to.family, 6);
  EXPECT_EQ(r.to.length, 32);
  EXPECT_EQ(r.text, "allow udp to 2001:db8::/32 dport 53");
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{{},
                                                                             {"permit"},
                                                                             {"deny", "tcp", "dport"},
                                                                             {"deny", "tcp", "dport", "70000"},
                                                                             {"deny", "tcp", "dport", "90-80"},
                                                                             {"deny", "icmp", "dport", "1"},
                                                                             {"deny", "from", "10.0.0.0/33"},
                                                                             {"deny", "from", "10.0.0.1", "to", "::1"},
                                                                             {"deny", "sideways"}})
    EXPECT_FALSE(parse_filter_rule(bad));
  EXPECT_NE(filter_id("a"), filter_id("b"));
  EXPECT_NE(filter_id(""), 0u);
}

}  // namespace
}  // namespace pppoe::policy
