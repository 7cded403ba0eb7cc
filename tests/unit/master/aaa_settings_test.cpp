#include "master/aaa_settings.hpp"

#include <gtest/gtest.h>

namespace pppoe::master {
namespace {

TEST(AaaSettings, NasIdentityIsAlwaysSentAndUniquePerBox) {
  Config c;
  c.ac_name = "bras";
  c.radius.auth_servers.push_back({*Ipv4Address::parse("127.0.0.1"), 1812, "secret", 2});
  c.radius.auth_servers.push_back({*Ipv4Address::parse("127.0.0.2"), 1812, "secret", 1});
  auto mac = *MacAddress::parse("02:00:5e:00:00:aa");
  radius::AaaSettings s = aaa_settings(c, mac);
  EXPECT_EQ(s.nas.identifier, "bras-02005e0000aa");
  // The address that reaches the highest-priority server (127.0.0.2 from 127.0.0.1 on lo).
  ASSERT_TRUE(s.nas.ip);
  EXPECT_EQ(*s.nas.ip, *Ipv4Address::parse("127.0.0.1"));
  EXPECT_NE(aaa_settings(c, *MacAddress::parse("02:00:5e:00:00:ab")).nas.identifier, s.nas.identifier);
  // What the operator sets wins.
  c.radius.nas_identifier = "bras1";
  c.radius.nas_ip = *Ipv4Address::parse("192.0.2.1");
  s = aaa_settings(c, mac);
  EXPECT_EQ(s.nas.identifier, "bras1");
  EXPECT_EQ(*s.nas.ip, *Ipv4Address::parse("192.0.2.1"));
}

TEST(AaaSettings, RouteSourceIsTheLocalEndOfTheRoute) {
  EXPECT_EQ(route_source(*Ipv4Address::parse("127.0.0.1"), 1812), Ipv4Address::parse("127.0.0.1"));
}

}  // namespace
}  // namespace pppoe::master
