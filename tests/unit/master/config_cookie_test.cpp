#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

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

TEST(Config, RadiusSettingsAndErrorsThatNeverShowTheSecret) {
  Config c;
  auto ok = parse_config_text(c,
                              "radius-auth-server 192.0.2.10 s3cret-one\n"
                              "radius-auth-server 192.0.2.11:11812 s3cret-two priority=2\n"
                              "radius-acct-server 192.0.2.10 s3cret-one\n"
                              "radius-dae-listen 127.0.0.1\n"
                              "radius-dae-client 192.0.2.10 dae-s3cret\n"
                              "framed-pool gold 10.7.0.0/24\n",
                              "pppoed.conf");
  ASSERT_TRUE(ok) << ok.error();
  ASSERT_EQ(c.radius.auth_servers.size(), 2u);
  EXPECT_EQ(c.radius.auth_servers[0].port, 1812);
  EXPECT_EQ(c.radius.auth_servers[1].port, 11812);
  EXPECT_EQ(c.radius.auth_servers[1].priority, 2u);
  EXPECT_EQ(c.radius.acct_servers[0].port, 1813);
  EXPECT_EQ(c.radius.dae_port, 3799u);  // RFC 5176 section 3
  EXPECT_EQ(c.named_pools.at(0).name, "gold");
  c.interface = "eth1";
  EXPECT_TRUE(validate(c));

  Config bad;
  auto e = parse_config_text(bad, "\n\nradius-auth-server 192.0.2.300 hunter2-secret\n", "pppoed.conf");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().find("pppoed.conf:3:"), std::string::npos) << e.error();
  EXPECT_NE(e.error().find("ADDRESS[:PORT] SECRET"), std::string::npos) << e.error();
  EXPECT_EQ(e.error().find("hunter2"), std::string::npos) << "the secret leaked: " << e.error();
  e = parse_config_text(bad, "radius-auth-server 192.0.2.1 hunter2-secret weight=3\n", "f");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().find("hunter2"), std::string::npos) << e.error();

  Config overlap;
  overlap.interface = "eth1";
  ASSERT_TRUE(parse_config_text(overlap, "pool 10.0.0.10-10.0.0.100\nframed-pool x 10.0.0.50-10.0.0.60\n", "f"));
  EXPECT_FALSE(validate(overlap));
  Config dae_only;
  dae_only.interface = "eth1";
  ASSERT_TRUE(parse_config_text(dae_only, "radius-auth-server 192.0.2.1 k\nradius-dae-listen 0.0.0.0:3799\n", "f"));
  EXPECT_FALSE(validate(dae_only));  // listening with no allowed client makes no sense
}

TEST(Config, L2tpTunnelProfilesAndRealms) {
  Config c;
  c.interface = "eth1";
  auto ok = parse_config_text(c,
                              "l2tp-tunnel wholesale lns 192.0.2.50 192.0.2.51:1702,192.0.2.52\n"
                              "l2tp-tunnel wholesale secret \"tunnel s3cret\"\n"
                              "l2tp-tunnel wholesale source 192.0.2.1\n"
                              "l2tp-tunnel wholesale hold-down 30\n"
                              "l2tp-tunnel wholesale timeout 5\n"
                              "l2tp-realm Wholesale.Example wholesale\n",
                              "pppoed.conf");
  ASSERT_TRUE(ok) << ok.error();
  const auto* p = c.l2tp.profile("wholesale");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->lns.size(), 3u);
  EXPECT_EQ(p->lns[1].to_string(), "192.0.2.51:1702");
  EXPECT_EQ(p->lns[2].port, 1701);  // RFC 2661 section 8.1
  EXPECT_EQ(p->source.to_string(), "192.0.2.1:1701");
  EXPECT_EQ(p->hold_down, 30u);
  EXPECT_EQ(p->connect_timeout, 5u);
  EXPECT_EQ(p->secret, "tunnel s3cret");
  EXPECT_TRUE(validate(c));
  // Realms match after the last '@', whatever the case; no realm, no tunnel.
  EXPECT_EQ(c.l2tp.profile_for_user("alice@wholesale.EXAMPLE"), p);
  EXPECT_EQ(c.l2tp.profile_for_user("a@b@wholesale.example"), p);
  EXPECT_EQ(c.l2tp.profile_for_user("alice@retail.example"), nullptr);
  EXPECT_EQ(c.l2tp.profile_for_user("wholesale.example"), nullptr);

  Config bad;
  bad.interface = "eth1";
  auto e = parse_config_text(bad, "\nl2tp-tunnel x lns 192.0.2.300\n", "pppoed.conf");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().find("pppoed.conf:2:"), std::string::npos) << e.error();
  EXPECT_NE(e.error().find("ADDRESS[:PORT]"), std::string::npos) << e.error();
  e = parse_config_text(bad, "l2tp-tunnel x secret a b\n", "f");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().find(" b"), std::string::npos) << "the secret leaked: " << e.error();
  EXPECT_FALSE(parse_config_text(bad, "l2tp-tunnel x colour blue\n", "f"));
  EXPECT_FALSE(parse_config_text(bad, "l2tp-tunnel x timeout 0\n", "f"));
  Config dangling;
  dangling.interface = "eth1";
  ASSERT_TRUE(parse_config_text(dangling, "l2tp-realm example.net nowhere\n", "f"));
  EXPECT_NE(validate(dangling).error().find("no l2tp-tunnel line defines"), std::string::npos);
  Config no_lns;
  no_lns.interface = "eth1";
  ASSERT_TRUE(parse_config_text(no_lns, "l2tp-tunnel x secret abc\nl2tp-realm example.net x\n", "f"));
  EXPECT_NE(validate(no_lns).error().find("has no 'lns"), std::string::npos);
}

TEST(Config, L2tpLns) {
  Config c;
  c.interface = "eth1";
  auto ok = parse_config_text(c,
                              "l2tp-listen 192.0.2.1 192.0.2.2:1702\n"
                              "l2tp-lac partner host lac.partner.example\n"
                              "l2tp-lac partner secret \"partner s3cret\"\n"
                              "l2tp-lac partner hello 30\n"
                              "l2tp-lac lab address 198.51.100.9\n"
                              "l2tp-proxy-lcp renegotiate\n",
                              "pppoed.conf");
  ASSERT_TRUE(ok) << ok.error();
  ASSERT_TRUE(validate(c));
  ASSERT_EQ(c.l2tp.listen.size(), 2u);
  EXPECT_EQ(c.l2tp.listen[1].to_string(), "192.0.2.2:1702");
  EXPECT_TRUE(c.l2tp.lns());
  EXPECT_FALSE(c.l2tp.lac());
  EXPECT_EQ(c.l2tp.proxy_lcp, ProxyLcpPolicy::kRenegotiate);
  // First match wins; host name and address must both agree when given.
  const auto* p = c.l2tp.lac_peer(*Ipv4Address::parse("203.0.113.5"), "lac.partner.example");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "partner");
  EXPECT_EQ(p->secret, "partner s3cret");
  EXPECT_EQ(p->hello_interval, 30u);
  EXPECT_EQ(c.l2tp.lac_peer(*Ipv4Address::parse("198.51.100.9"), "anything")->name, "lab");
  EXPECT_EQ(c.l2tp.lac_peer(*Ipv4Address::parse("203.0.113.5"), "intruder"), nullptr);

  Config bad;
  bad.interface = "eth1";
  auto e = parse_config_text(bad, "l2tp-lac x secret\n", "f");
  ASSERT_FALSE(e);
  e = parse_config_text(bad, "l2tp-lac x colour blue\n", "f");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().find("host HOSTNAME"), std::string::npos) << e.error();
  EXPECT_FALSE(parse_config_text(bad, "l2tp-proxy-lcp sometimes\n", "f"));
  EXPECT_FALSE(parse_config_text(bad, "l2tp-listen nowhere\n", "f"));
  Config no_listen;
  no_listen.interface = "eth1";
  ASSERT_TRUE(parse_config_text(no_listen, "l2tp-lac x secret abc\n", "f"));
  EXPECT_NE(validate(no_listen).error().find("needs l2tp-listen"), std::string::npos);
  // A LAC source and an LNS endpoint on one socket: the kernel would mix their datagrams.
  Config both;
  both.interface = "eth1";
  ASSERT_TRUE(parse_config_text(both, "l2tp-tunnel w lns 192.0.2.9\nl2tp-realm example.net w\nl2tp-listen 192.0.2.1\n", "f"));
  EXPECT_NE(validate(both).error().find("overlaps the source"), std::string::npos);
  ASSERT_TRUE(parse_config_text(both, "l2tp-tunnel w source 192.0.2.1:1702\n", "f"));
  EXPECT_TRUE(validate(both));
}

TEST(Config, ServicePolicySettings) {
  Config c;
  ASSERT_TRUE(apply_setting(c, "rate-limit", {"20M/5M"}));
  EXPECT_EQ(c.policy.default_rate.down->kbps, 20'000u);
  ASSERT_TRUE(apply_setting(c, "qos-policy", {"gold", "100M", "2000000"}));
  EXPECT_EQ(c.policy.qos_policies.at("gold"), (policy::Rate{100'000, 2'000'000}));
  ASSERT_TRUE(apply_setting(c, "tcp-mss-clamp", {"1400"}));
  EXPECT_EQ(c.policy.clamp_mtu(1492), 1440);
  ASSERT_TRUE(apply_setting(c, "tcp-mss-clamp", {"off"}));
  EXPECT_EQ(c.policy.clamp_mtu(1492), 0);
  ASSERT_TRUE(apply_setting(c, "tcp-mss-clamp", {"auto"}));
  EXPECT_EQ(c.policy.clamp_mtu(1492), 1492);
  // Bursts: the policer's from rate-limit-burst (500 ms of 8 Mbit/s), the shaper's 10 ms.
  auto r = c.policy.with_bursts(*policy::parse_down_up("80M/8M"));
  EXPECT_EQ(r.up->burst, 500'000u);
  EXPECT_EQ(r.down->burst, 100'000u);
  EXPECT_EQ(apply_setting(c, "rate-limit", {"fast"}).error(),
            "'rate-limit' expects DOWN[/UP] in kbit/s or with a unit (k, M, G), 8k to 4000G, e.g. 'rate-limit 20M/5M'");
  EXPECT_EQ(apply_setting(c, "qos-policy", {"gold", "1M"}).error(), "qos-policy 'gold' defined twice");
  EXPECT_FALSE(apply_setting(c, "tcp-mss-clamp", {"100"}));
  EXPECT_FALSE(apply_setting(c, "shaper-queue", {"900"}));
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

namespace pppoe::master {
namespace {

TEST(Config, Ipv6ServiceSettingsAndTheirErrors) {
  Config c;
  c.interface = "eth0";
  auto ok = parse_config_text(c,
                              "ipv6-pool 2001:db8:1000::/48 64\nipv6-pool gold 2001:db8:2000::/48\n"
                              "ipv6-dns 2001:db8::53 2001:db8::54\nipv6-domain example.net\nipv6-ra-interval 60\n"
                              "ipv6-ra-other yes\nipv6-prefix-lifetime 7200 3600\n",
                              "pppoed.conf");
  ASSERT_TRUE(ok) << ok.error();
  ASSERT_TRUE(validate(c));
  const auto& s = c.ipv6_service;
  ASSERT_EQ(s.pools.size(), 2u);
  EXPECT_EQ(s.pools[1].name, "gold");
  EXPECT_EQ(s.pools[0].aggregate.to_string(), "2001:db8:1000::/48");
  EXPECT_EQ(s.router_lifetime(), 180u);
  EXPECT_TRUE(s.other_flag());
  EXPECT_FALSE(s.managed_flag());
  EXPECT_EQ(s.valid_lifetime, 7200u);

  auto error_of = [](const char* text) {
    Config bad;
    bad.interface = "eth0";
    auto r = parse_config_text(bad, text, "pppoed.conf");
    if (r) r = validate(bad);
    return r ? std::string() : r.error();
  };
  EXPECT_NE(error_of("ipv6-pool 2001:db8::1/48\n").find("pppoed.conf:1: 'ipv6-pool' expects"), std::string::npos);
  EXPECT_NE(error_of("ipv6-pool 2001:db8::/48 56\n").find("/64s"), std::string::npos);
  EXPECT_NE(error_of("ipv6-pool 2001:db8::/32\n").find("more than 2^24"), std::string::npos);
  EXPECT_NE(error_of("ipv6-pool 2001:db8::/40\nipv6-pool 2001:db8:10::/48\n").find("twice"), std::string::npos);
  EXPECT_NE(error_of("ipv6-pool 2001:db8::/40\nipv6-pool x 2001:db8:10::/48\n").find("overlaps"), std::string::npos);
  EXPECT_NE(error_of("ipv6-pool x 2001:db8::/40\n").find("default one"), std::string::npos);
  EXPECT_NE(error_of("ipv6-dns 2001:db8::53\n").find("need an ipv6-pool"), std::string::npos);
  EXPECT_NE(error_of("ipv6-domain bad..name\n").find("not a domain name"), std::string::npos);
  EXPECT_NE(error_of("ipv6-ra-interval 2\n").find("from 4 to 1800"), std::string::npos);
  EXPECT_NE(error_of("ipv6-prefix-lifetime 100 200\n").find("PREFERRED must not exceed VALID"), std::string::npos);
  EXPECT_NE(error_of("ipv6 no\nipv6-pool 2001:db8::/48\n").find("needs IPv6"), std::string::npos);
}

}  // namespace
}  // namespace pppoe::master

namespace pppoe::master {
namespace {

// The shipped example must load as it is, and with its IPv6 examples switched on.
TEST(Config, ShippedExampleLoadsWithAndWithoutItsIpv6Lines) {
  std::ifstream in(std::string(PPPOE_SOURCE_DIR) + "/etc/pppoed.conf");
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  Config plain;
  plain.interface = "eth0";  // the example leaves it to the command line
  auto r = parse_config_text(plain, text, "etc/pppoed.conf");
  ASSERT_TRUE(r) << r.error();
  ASSERT_TRUE(validate(plain)) << validate(plain).error();
  std::string ipv6;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    ipv6 += (line.starts_with("#ipv6") || line.starts_with("#dhcpv6") ? line.substr(1) : line) + "\n";
  Config with;
  with.interface = "eth0";
  r = parse_config_text(with, ipv6, "etc/pppoed.conf");
  ASSERT_TRUE(r) << r.error();
  ASSERT_TRUE(validate(with)) << validate(with).error();
  EXPECT_EQ(with.ipv6_service.pools.size(), 2u);
  EXPECT_EQ(with.ipv6_service.delegate_pools.size(), 1u);
  EXPECT_TRUE(with.ipv6_service.dhcpv6_server());
}

}  // namespace
}  // namespace pppoe::master
