#include <gtest/gtest.h>

#include "master/ac_cookie.hpp"
#include "master/config.hpp"

namespace pppoe::master {
namespace {

TEST(Config, SettingsAndTheirErrors) {
  Config c;
  EXPECT_TRUE(apply_setting(c, "pool", {"10.1.0.10-10.1.0.20", "10.2.0.0/24"}));
  EXPECT_EQ(c.pool.size(), 2u);
  EXPECT_TRUE(apply_setting(c, "dns", {"192.0.2.1,192.0.2.2"}));
  EXPECT_EQ(c.name_servers.dns2.to_string(), "192.0.2.2");
  EXPECT_TRUE(apply_setting(c, "auth", {"pap", "chap"}));
  EXPECT_EQ(c.auth.size(), 2u);
  EXPECT_EQ(apply_setting(c, "mru", {"9000"}).error(), "expected a number from 576 to 1492, found '9000'");
  EXPECT_EQ(apply_setting(c, "ipv6", {"maybe"}).error(), "expected yes or no, found 'maybe'");
  EXPECT_EQ(apply_setting(c, "auth", {"eap"}).error(), "expected pap, chap or mschapv2, found 'eap'");
  EXPECT_EQ(apply_setting(c, "ac-name", {"a", "b"}).error(), "'ac-name' expects exactly one value");
  EXPECT_EQ(apply_setting(c, "frobnicate", {"1"}).error(), "unknown setting 'frobnicate'");
}

TEST(Config, ValidateNeedsAnInterface) {
  Config c;
  EXPECT_FALSE(validate(c));
  c.interface = "eth1";
  EXPECT_TRUE(validate(c));
  c.max_payload = 1400;
  EXPECT_FALSE(validate(c));
}

TEST(AcCookie, VerifiesOnlyForTheSameClientAndRecentPeriods) {
  AcCookie cookies(60);
  MacAddress mac{{2, 0, 0, 0, 0, 1}}, other{{2, 0, 0, 0, 0, 2}};
  ether::VlanStack none, vlan;
  vlan.count = 1;
  vlan.tags[0] = {0x8100, 100};
  auto c = cookies.make(mac, none, 6000);
  EXPECT_TRUE(cookies.verify(c, mac, none, 6000));
  EXPECT_TRUE(cookies.verify(c, mac, none, 6059));
  EXPECT_FALSE(cookies.verify(c, other, none, 6000));
  EXPECT_FALSE(cookies.verify(c, mac, vlan, 6000));
  EXPECT_TRUE(cookies.verify(c, mac, none, 6060));   // previous period still accepted
  EXPECT_FALSE(cookies.verify(c, mac, none, 6120));  // two rotations later: expired
  auto forged = c;
  forged[10] ^= 1;
  EXPECT_FALSE(cookies.verify(forged, mac, none, 6120));
  EXPECT_FALSE(cookies.verify(Bytes(c.data(), 10), mac, none, 6120));
}

}  // namespace
}  // namespace pppoe::master
