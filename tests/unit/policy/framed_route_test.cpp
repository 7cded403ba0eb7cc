#include "policy/framed_route.hpp"

#include <gtest/gtest.h>

namespace pppoe::policy {
namespace {

TEST(FramedRoute, Rfc2865AndRfc3162Forms) {
  auto r = parse_framed_route("192.0.2.0/24 0.0.0.0 1");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->to_string(), "192.0.2.0/24");
  EXPECT_TRUE(r->contains(*Ipv4Address::parse("192.0.2.77")));
  EXPECT_FALSE(r->contains(*Ipv4Address::parse("192.0.3.1")));
  EXPECT_EQ(parse_framed_route("192.0.2.9")->length, 32);
  EXPECT_FALSE(parse_framed_route("192.0.2.0/24 198.51.100.1 1"));  // another gateway
  EXPECT_FALSE(parse_framed_route("192.0.2.1/24"));                 // host bits
  EXPECT_FALSE(parse_framed_route("192.0.2.0/33"));
  EXPECT_FALSE(parse_framed_route(""));
  auto p = parse_framed_ipv6_route("2001:db8:5000::/48 :: 1");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->to_string(), "2001:db8:5000::/48");
  EXPECT_FALSE(parse_framed_ipv6_route("2001:db8:5000::/48 2001:db8::1 1"));
  EXPECT_FALSE(parse_framed_ipv6_route("2001:db8::1/128"));  // longer than /64: not indexed here
}

TEST(FramedRoute, NetmaskAndLists) {
  auto r = netmask_route(*Ipv4Address::parse("10.8.1.1"), *Ipv4Address::parse("255.255.255.248"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->to_string(), "10.8.1.0/29");
  EXPECT_FALSE(netmask_route(*Ipv4Address::parse("10.8.1.1"), *Ipv4Address::parse("255.255.255.255")));
  EXPECT_FALSE(netmask_route(*Ipv4Address::parse("10.8.1.1"), *Ipv4Address::parse("255.0.255.0")));
  auto list = parse_route_list("192.0.2.128/28,2001:db8:7::/48");
  ASSERT_TRUE(list) << list.error();
  EXPECT_EQ(list->v4.size(), 1u);
  EXPECT_EQ(list->v6.size(), 1u);
  EXPECT_FALSE(parse_route_list("10.0.0.0/8,10.1.0.0/16,10.2.0.0/16"));  // more than a session keeps
  EXPECT_FALSE(parse_route_list("10.0.0.0/8,"));
}

}  // namespace
}  // namespace pppoe::policy
