#include "pppoec/conf_parser.hpp"

#include <gtest/gtest.h>

namespace pppoe::pppoec {
namespace {

// The handbook's section 30.4 example, with a Linux interface name.
constexpr const char* kHandbook = R"(default:
 set log Phase tun command # add more detailed logging when needed
 set ifaddr 10.0.0.1/0 10.0.0.2/0

name_of_service_provider:
 set device PPPoE:eth1 # replace xl1 with the Ethernet device
 set authname THELOGINNAME
 set authkey THEPASSWORD
 set dial
 set login
 add default HISADDR
)";

TEST(ConfParser, HandbookProfile) {
  auto p = load_profile(kHandbook, "ppp.conf", {"name_of_service_provider"});
  ASSERT_TRUE(p) << p.error().to_string();
  const Profile& pr = p->profile;
  EXPECT_EQ(pr.labels, (std::vector<std::string>{"default", "name_of_service_provider"}));
  EXPECT_EQ(pr.device.kind, DeviceKind::kPppoe);
  EXPECT_EQ(pr.device.interface, "eth1");
  EXPECT_EQ(pr.device.service, "");
  EXPECT_EQ(pr.authname, "THELOGINNAME");
  EXPECT_EQ(pr.authkey, "THEPASSWORD");
  EXPECT_EQ(pr.local.base.to_string(), "10.0.0.1");
  EXPECT_EQ(pr.local.bits, 0);  // /0: any address is accepted
  EXPECT_EQ(pr.remote.bits, 0);
  ASSERT_EQ(pr.routes.size(), 1u);
  EXPECT_EQ(pr.routes[0].bits, 0);
  EXPECT_TRUE(pr.log.contains("phase"));
  EXPECT_TRUE(p->warnings.empty());
}

TEST(ConfParser, ServiceTagAndOpenBsdPppoeDevice) {
  auto p = load_profile("isp:\n set device PPPoE:eth1:ISP\n", "f", {"isp"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->profile.device.service, "ISP");
  // spec/001: ppp(8) on OpenBSD runs pppoe(8); the same means PPPoE:IFACE here.
  auto q = load_profile("pppoe:\n set device \"!/usr/sbin/pppoe -i bge0\"\n set speed sync\n set server /var/run/pppoe \"\" 0177\n", "f",
                        {"pppoe"});
  ASSERT_TRUE(q) << q.error().to_string();
  EXPECT_EQ(q->profile.device.interface, "bge0");
  EXPECT_TRUE(q->profile.sync);
  EXPECT_EQ(q->profile.server_socket, "/var/run/pppoe");
  EXPECT_EQ(q->profile.server_password, "");
  EXPECT_EQ(q->profile.server_mask, 0177u);
}

TEST(ConfParser, ContinuationQuotesAndToggles) {
  auto p = load_profile("x:\n set device PPPoE:eth0\n set authkey \"a b\\\"c\"\n enable dns \\\n   lqr\n deny pap\n"
                        " disable ipv6cp\n set redial 3+2-30.1 7\n set reconnect 3 28000\n set mtu max 1500\n",
                        "f", {"x"});
  ASSERT_TRUE(p) << p.error().to_string();
  const Profile& pr = p->profile;
  EXPECT_EQ(pr.authkey, "a b\"c");
  EXPECT_TRUE(pr.dns.enabled);
  EXPECT_TRUE(pr.lqr.enabled);
  EXPECT_FALSE(pr.pap.accepted);
  EXPECT_FALSE(pr.ipv6cp.enabled);
  EXPECT_EQ(pr.redial_seconds, 3u);
  EXPECT_EQ(pr.redial_increment, 2u);
  EXPECT_EQ(pr.redial_max, 30u);
  EXPECT_EQ(pr.redial_attempts, 7u);
  EXPECT_EQ(pr.reconnect_tries, 28000u);
  EXPECT_EQ(pr.mtu, 1500);
  EXPECT_TRUE(pr.mtu_max);
}

TEST(ConfParser, ServerSideRangeAndNat) {
  auto p = load_profile("s:\n set ifaddr 203.14.100.1 203.14.100.20-203.14.100.40\n nat enable yes\n"
                        " nat port tcp 192.168.1.2:80 8080\n nat deny_incoming yes\n",
                        "f", {"s"});
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->profile.remote.base.to_string(), "203.14.100.20");
  EXPECT_EQ(p->profile.remote_last.to_string(), "203.14.100.40");
  EXPECT_TRUE(p->profile.nat);
  ASSERT_EQ(p->profile.nat_ports.size(), 1u);
  EXPECT_EQ(p->profile.nat_ports[0].alias_port, 8080);
  EXPECT_TRUE(p->profile.nat_deny_incoming);
}

struct BadCase {
  const char* name;
  const char* text;
  unsigned line;
  const char* expected;  ///< a part of the message
};

TEST(ConfParser, ErrorsNameFileLineAndWhatWasExpected) {
  const BadCase cases[] = {
      {"unknown command", "x:\n set device PPPoE:eth0\n frobnicate\n", 3, "unknown command 'frobnicate'"},
      {"unknown setting", "x:\n set wibble 1\n", 2, "unknown setting 'wibble'"},
      {"bad address", "x:\n set ifaddr 10.0.0.300\n", 2, "expected LOCAL[/BITS]"},
      {"bad range", "x:\n set ifaddr 1.1.1.1 1.1.1.9-1.1.1.2\n", 2, "FIRST <= LAST"},
      {"unterminated quote", "x:\n set authkey \"abc\n", 2, "closing"},
      {"command before label", " set device PPPoE:eth0\n", 1, "before the first command"},
      {"label syntax", "x:\nnot a label\n", 2, "expected a label"},
      {"bad mtu", "x:\n set mtu 12\n", 2, "296-9000"},
      {"bad option", "x:\n enable frob\n", 2, "unknown option 'frob'"},
      {"bad gateway", "x:\n add default 1.2.3.4\n", 2, "HISADDR"},
      {"bad server mask", "x:\n set server /run/s pw 999\n", 2, "octal MASK"},
      {"bad nat port", "x:\n nat port tcp 1.2.3.4 80\n", 2, "ADDR:PORT"},
      {"bad device", "x:\n set device !/bin/sh\n", 2, "cannot run"},
  };
  for (const auto& c : cases) {
    auto p = load_profile(c.text, "ppp.conf", {"x"});
    ASSERT_FALSE(p) << c.name;
    EXPECT_EQ(p.error().line, c.line) << c.name;
    EXPECT_EQ(p.error().file, "ppp.conf") << c.name;
    EXPECT_NE(p.error().message.find(c.expected), std::string::npos) << c.name << ": " << p.error().message;
    EXPECT_NE(p.error().to_string().find("ppp.conf:"), std::string::npos) << c.name;
  }
}

TEST(ConfParser, MissingLabelIsAnError) {
  auto p = load_profile("a:\n set device PPPoE:eth0\n", "ppp.conf", {"b"});
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("label 'b' not found"), std::string::npos);
}

TEST(ConfParser, SerialKnobsOnPppoeAreWarnings) {
  auto p = load_profile("x:\n set device PPPoE:eth0\n set speed 115200\n set dial ABORT BUSY \"\" ATZ\n set phone 123\n", "f",
                        {"x"});
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_EQ(p->warnings.size(), 3u);
  EXPECT_EQ(p->warnings[0].line, 3u);
  EXPECT_NE(p->warnings[2].message.find("phone"), std::string::npos);
}

TEST(ConfParser, Ipv6DefaultRoute) {
  auto p = load_profile("x:\n set device PPPoE:eth0\n add default HISADDR6\n", "f", {"x"});
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_EQ(p->profile.routes.size(), 1u);
  EXPECT_TRUE(p->profile.routes[0].ipv6);
  EXPECT_FALSE(load_profile("x:\n add 10.0.0.0/8 HISADDR6\n", "f", {"x"}));
}

TEST(ConfParser, AllowUsers) {
  auto p = load_profile("x:\n set device PPPoE:eth0\n allow users alice bob\n", "f", {"x"});
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_TRUE(check_allowed(p->profile, 1000, "alice"));
  EXPECT_TRUE(check_allowed(p->profile, 0, "root"));  // root always may
  auto refused = check_allowed(p->profile, 1001, "mallory");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("allow users alice bob"), std::string::npos);
  auto open = load_profile("x:\n set device PPPoE:eth0\n", "f", {"x"});
  EXPECT_TRUE(check_allowed(open->profile, 1001, "mallory"));
  EXPECT_FALSE(load_profile("x:\n allow users\n", "f", {"x"}));
}

TEST(ConfParser, AddressRanges) {
  auto r = parse_address_range("10.1.2.3/24");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains(*Ipv4Address::parse("10.1.2.200")));
  EXPECT_FALSE(r->contains(*Ipv4Address::parse("10.1.3.1")));
  auto fixed = parse_address_range("10.1.2.3");
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->bits, 32);
  EXPECT_FALSE(fixed->contains(*Ipv4Address::parse("10.1.2.4")));
  EXPECT_EQ(parse_address_range("0.0.0.0")->bits, 0);
  EXPECT_FALSE(parse_address_range("10.1.2.3/33"));
}

}  // namespace
}  // namespace pppoe::pppoec

#include "pppoec/hostname_if.hpp"

namespace pppoe::pppoec {
namespace {

TEST(HostnameIf, Spec002Examples) {
  auto h = load_hostname_if(
      "inet6 eui64\ninet NONE \\\n        pppoedev em0 authproto pap \\\n        authname 'testcaller' authkey 'donttell' up\n"
      "!/sbin/route add default -ifp pppoe0\n!/sbin/route add default -ifp pppoe0 fe80::\n",
      "hostname.pppoe0", "pppoe0");
  ASSERT_TRUE(h) << h.error().to_string();
  const Profile& p = h->loaded.profile;
  EXPECT_EQ(p.ifname, "pppoe0");
  EXPECT_EQ(p.device.interface, "em0");
  EXPECT_EQ(p.authname, "testcaller");
  EXPECT_EQ(p.authkey, "donttell");
  EXPECT_TRUE(p.pap.accepted);
  EXPECT_FALSE(p.chap.accepted);
  EXPECT_EQ(p.local.bits, 0);  // NONE: wildcard
  ASSERT_EQ(p.routes.size(), 2u);
  EXPECT_FALSE(p.routes[0].ipv6);
  EXPECT_TRUE(p.routes[1].ipv6);  // `... -ifp pppoe0 fe80::`: the IPv6 default route
  EXPECT_FALSE(h->dial_on_demand);
  EXPECT_TRUE(h->loaded.warnings.empty());

  auto jumbo = load_hostname_if("inet NONE mtu 1500 pppoedev em0 authproto chap authname a authkey b link1 up\n", "f", "pppoe1");
  ASSERT_TRUE(jumbo) << jumbo.error().to_string();
  EXPECT_EQ(jumbo->loaded.profile.mtu, 1500);
  EXPECT_TRUE(jumbo->dial_on_demand);
  EXPECT_TRUE(jumbo->loaded.profile.chap.accepted);

  auto fixed = load_hostname_if("inet 192.0.2.7 255.255.255.255 192.0.2.1 pppoedev em0 up\n", "f", "pppoe0");
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->loaded.profile.local.bits, 32);  // a real address: only that one
  EXPECT_EQ(fixed->loaded.profile.remote.bits, 32);
  auto wild = load_hostname_if("inet 0.0.0.0 255.255.255.255 0.0.0.1 pppoedev em0 up\n", "f", "pppoe0");
  ASSERT_TRUE(wild);
  EXPECT_EQ(wild->loaded.profile.local.bits, 0);
  EXPECT_EQ(wild->loaded.profile.remote.bits, 0);
}

TEST(HostnameIf, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {"inet NONE pppoedev em0 frob up\n", "unknown word 'frob'"},
      {"inet NONE pppoedev em0 link0 up\n", "server mode"},
      {"inet NONE pppoedev em0 authproto eap up\n", "pap, chap or none"},
      {"inet NONE up\n", "expected pppoedev"},
      {"inet NONE pppoedev em0 authname 'unterminated\n", "closing"},
  };
  for (const auto& [text, expected] : cases) {
    auto h = load_hostname_if(text, "hostname.pppoe0", "pppoe0");
    ASSERT_FALSE(h) << text;
    EXPECT_NE(h.error().message.find(expected), std::string::npos) << h.error().message;
  }
}

}  // namespace
}  // namespace pppoe::pppoec
