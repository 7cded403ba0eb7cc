// The upstream fast path's XDP program, run by the kernel on crafted frames
// (BPF_PROG_TEST_RUN): a session's IPv4 leaves without its VLAN, PPPoE and PPP headers,
// addressed to the routed interface and redirected to its veth peer; a foreign MAC or a spoofed source is dropped and counted;
// everything else, malformed frames included, passes unchanged to the userland path. Then the
// whole upstream way on real interfaces in a private namespace: a frame sent on a veth arrives
// as an IPv4 datagram received on the routed interface (a veth pair, as pppoed makes it). Needs root (CAP_BPF); the test runs
// name the loopback interface, which every namespace has.
#include "dataplane/fast_path.hpp"
#include "rejected_by_verifier_object.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "dataplane/packet_socket.hpp"
#include "dataplane/veth_pair.hpp"
#include "private_netns.hpp"

namespace pppoe::dataplane {
namespace {

using Action = FastPathVerdict::Action;
constexpr std::uint32_t kIf = 1;  // lo
const MacAddress kClient{{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};
const MacAddress kAc{{0x02, 0xac, 0, 0, 0, 1}};
const MacAddress kRouted{{0x02, 0xfe, 0, 0, 0, 1}};  // pppoe0's: decapsulated frames go to it
constexpr std::uint32_t kAddr = 0x0a000002;  // 10.0.0.2

std::vector<std::uint8_t> ipv4_packet(std::uint32_t src, std::size_t payload, std::uint8_t version_ihl = 0x45) {
  std::vector<std::uint8_t> p(20 + payload, 0xab);
  const std::size_t total = p.size();
  const std::uint8_t h[20] = {version_ihl, 0, static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total), 0, 1,
                              0x40, 0, 64, 17, 0, 0,
                              static_cast<std::uint8_t>(src >> 24), static_cast<std::uint8_t>(src >> 16),
                              static_cast<std::uint8_t>(src >> 8), static_cast<std::uint8_t>(src), 192, 0, 2, 1};
  std::copy(std::begin(h), std::end(h), p.begin());
  std::uint32_t sum = 0;  // RFC 791 header checksum: the stack checks it on the routed side
  for (std::size_t i = 0; i < 20; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  p[10] = static_cast<std::uint8_t>(~sum >> 8);
  p[11] = static_cast<std::uint8_t>(~sum);
  return p;
}

/// An IPv6 packet (RFC 8200) from `src` with `next` as its next header and `payload` octets:
/// the first ones given by `start` (an ICMPv6 type, a UDP header), the rest filler.
std::vector<std::uint8_t> ipv6_packet(const Ipv6Bytes& src, std::size_t payload, std::uint8_t next = 17,
                                      std::vector<std::uint8_t> start = {}) {
  std::vector<std::uint8_t> p(40 + payload, 0xab);
  p[0] = 0x60, p[1] = 0, p[2] = 0, p[3] = 0;
  p[4] = static_cast<std::uint8_t>(payload >> 8), p[5] = static_cast<std::uint8_t>(payload);
  p[6] = next, p[7] = 64;
  std::copy(src.begin(), src.end(), p.begin() + 8);
  const Ipv6Bytes dst = Ipv6Prefix{0x2001'0db8'ffff'0000, 64}.address(1);
  std::copy(dst.begin(), dst.end(), p.begin() + 24);
  std::copy(start.begin(), start.end(), p.begin() + 40);
  return p;
}

/// Ethernet (with `vlans`), PPPoE session header (RFC 2516 section 4), PPP protocol, `payload`;
/// padded to 60 octets as a NIC would.
std::vector<std::uint8_t> session_frame(std::uint16_t sid, const std::vector<std::uint8_t>& payload,
                                        const MacAddress& src = kClient, const ether::VlanStack& vlans = {},
                                        std::uint16_t protocol = 0x0021, std::uint8_t code = 0x00) {
  std::vector<std::uint8_t> f(kAc.octets.begin(), kAc.octets.end());
  f.insert(f.end(), src.octets.begin(), src.octets.end());
  for (std::size_t i = 0; i < vlans.count; ++i) {
    const auto& t = vlans.tags[i];
    f.insert(f.end(), {static_cast<std::uint8_t>(t.tpid >> 8), static_cast<std::uint8_t>(t.tpid),
                       static_cast<std::uint8_t>(t.tci >> 8), static_cast<std::uint8_t>(t.tci)});
  }
  const std::size_t length = payload.size() + 2;
  f.insert(f.end(), {0x88, 0x64, 0x11, code, static_cast<std::uint8_t>(sid >> 8), static_cast<std::uint8_t>(sid),
                     static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length),
                     static_cast<std::uint8_t>(protocol >> 8), static_cast<std::uint8_t>(protocol)});
  f.insert(f.end(), payload.begin(), payload.end());
  if (f.size() < 60) f.resize(60, 0);
  return f;
}

/// What the stack gets for a forwarded packet: an Ethernet header to the routed interface from
/// the client's MAC with the IPv4 (or IPv6) ethertype, then the packet alone.
std::vector<std::uint8_t> decapsulated(const std::vector<std::uint8_t>& ip) {
  std::vector<std::uint8_t> f(kRouted.octets.begin(), kRouted.octets.end());
  f.insert(f.end(), kClient.octets.begin(), kClient.octets.end());
  if ((ip[0] >> 4) == 6)
    f.insert(f.end(), {0x86, 0xdd});
  else
    f.insert(f.end(), {0x08, 0x00});
  f.insert(f.end(), ip.begin(), ip.end());
  return f;
}

class FastPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF)";
    auto fp = FastPath::load();
    ASSERT_TRUE(fp.has_value()) << fp.error();
    fp_.emplace(std::move(*fp));
    auto routed = fp_->set_routed(kIf, {kIf, kRouted});
    ASSERT_TRUE(routed.has_value()) << routed.error();
  }
  FastPathVerdict run(const std::vector<std::uint8_t>& frame) {
    auto v = fp_->run_up(kIf, frame);
    EXPECT_TRUE(v.has_value()) << v.error();
    return v.value_or(FastPathVerdict{});
  }
  void expect_unchanged(const std::vector<std::uint8_t>& frame, const char* what) {
    auto v = run(frame);
    EXPECT_EQ(v.action, Action::kPass) << what;
    EXPECT_EQ(v.frame, frame) << what;
  }
  /// Redirected to the routed interface's peer (lo in these runs).
  bool forwarded(const std::vector<std::uint8_t>& frame) {
    auto v = run(frame);
    return v.action == Action::kRedirect && v.redirect_to == kIf;
  }
  FastPathCounters counters(std::uint16_t sid) {
    auto c = fp_->counters(kIf, sid);
    EXPECT_TRUE(c.has_value()) << c.error();
    return c.value_or(FastPathCounters{});
  }
  std::optional<FastPath> fp_;
};

TEST_F(FastPathTest, ForwardsASessionsIpv4WithoutItsHeaders) {
  ASSERT_TRUE(fp_->set_session(kIf, 7, {kClient, {}, kAddr}));
  for (std::size_t size : {1u, 100u, 1452u}) {  // padded to 60 octets, a mid size, a 1500-octet frame
    auto ip = ipv4_packet(kAddr, size);
    auto v = run(session_frame(7, ip));
    EXPECT_EQ(v.action, Action::kRedirect);
    EXPECT_EQ(v.redirect_to, kIf);
    EXPECT_EQ(v.frame, decapsulated(ip)) << "payload " << size << ": the padding goes too";
  }
  auto c = counters(7);
  EXPECT_EQ(c.packets, 3u);
  EXPECT_EQ(c.octets, 21u + 120u + 1472u);  // the IP packets' octets, as the worker counts
  EXPECT_GT(c.last_ns, 0u);
}

TEST_F(FastPathTest, ForwardsASessionsIpv6FromItsOwnAddressesOnly) {
  constexpr std::uint64_t kId = 0x0211'22ff'fe33'4455;
  const Ipv6Prefix wan{0x2001'0db8'0000'0007, 64}, delegated{0x2001'0db8'0700'0000, 56};
  FastPathSession session{kClient, {}, kAddr, false, kId, wan, delegated};
  ASSERT_TRUE(fp_->set_session(kIf, 7, session));
  const Ipv6Bytes link_local = Ipv6Prefix{0xfe80'0000'0000'0000, 64}.address(kId);
  std::size_t octets = 0;
  for (const Ipv6Bytes& src : {link_local, wan.address(kId), delegated.address(0x42), Ipv6Prefix{0x2001'0db8'0700'00ff, 64}.address(1)}) {
    auto ip = ipv6_packet(src, 100);
    auto v = run(session_frame(7, ip, kClient, {}, 0x0057));
    EXPECT_EQ(v.action, Action::kRedirect);
    EXPECT_EQ(v.frame, decapsulated(ip));
    octets += ip.size();
  }
  EXPECT_TRUE(forwarded(session_frame(7, ipv6_packet(wan.address(1), 1, 59), kClient, {}, 0x0057))) << "a padded frame";
  octets += 41;
  // Not its own: another identifier, another /64, outside the delegation.
  for (const Ipv6Bytes& src : {Ipv6Prefix{0xfe80'0000'0000'0000, 64}.address(kId + 1), Ipv6Prefix{0x2001'0db8'0000'0008, 64}.address(kId),
                               Ipv6Prefix{0x2001'0db8'0701'0000, 64}.address(1)})
    EXPECT_EQ(run(session_frame(7, ipv6_packet(src, 100), kClient, {}, 0x0057)).action, Action::kDrop);
  // The worker's own: a Router Solicitation (it sends the Router Advertisement), DHCPv6 to the
  // server port, a packet from the unspecified address (duplicate address detection).
  expect_unchanged(session_frame(7, ipv6_packet(link_local, 8, 58, {133, 0}), kClient, {}, 0x0057), "Router Solicitation");
  EXPECT_TRUE(forwarded(session_frame(7, ipv6_packet(link_local, 8, 58, {128, 0}), kClient, {}, 0x0057))) << "an echo request";
  expect_unchanged(session_frame(7, ipv6_packet(link_local, 40, 17, {0x02, 0x22, 0x02, 0x23}), kClient, {}, 0x0057), "DHCPv6 Solicit");
  expect_unchanged(session_frame(7, ipv6_packet(Ipv6Bytes{}, 24, 58, {135, 0}), kClient, {}, 0x0057), "from ::");
  // A payload length beyond the PPPoE payload is malformed: the worker counts it.
  auto longer = ipv6_packet(link_local, 20);
  longer[5] = 200;
  expect_unchanged(session_frame(7, longer, kClient, {}, 0x0057), "payload length beyond the frame");
  auto c = counters(7);
  EXPECT_EQ(c.packets, 6u);
  EXPECT_EQ(c.octets, octets + 48u);
  EXPECT_EQ(c.spoofed, 3u);
  // IPv6CP closed: the session's IPv4 stays fast, its IPv6 goes to the worker (which drops it).
  session.ipv6_id = 0;
  ASSERT_TRUE(fp_->update_session(kIf, 7, session));
  expect_unchanged(session_frame(7, ipv6_packet(link_local, 100), kClient, {}, 0x0057), "IPv6CP closed");
  EXPECT_TRUE(forwarded(session_frame(7, ipv4_packet(kAddr, 10))));
  EXPECT_EQ(counters(7).packets, 7u) << "an update keeps the counters";
  EXPECT_FALSE(fp_->update_session(kIf, 8, session)) << "no such session";
}

TEST_F(FastPathTest, KeepsVlanAndQinqSessionsApart) {
  ether::VlanStack one;
  one.count = 1;
  one.tags[0] = {0x8100, 0x0064};
  ether::VlanStack two;
  two.count = 2;
  two.tags[0] = {0x88a8, 0x00c8};
  two.tags[1] = {0x8100, 0x0065};
  ASSERT_TRUE(fp_->set_session(kIf, 1, {kClient, one, kAddr}));
  ASSERT_TRUE(fp_->set_session(kIf, 2, {kClient, two, kAddr + 1}));
  auto ip1 = ipv4_packet(kAddr, 40);
  auto v = run(session_frame(1, ip1, kClient, one));
  EXPECT_EQ(v.action, Action::kRedirect);
  EXPECT_EQ(v.frame, decapsulated(ip1));
  auto ip2 = ipv4_packet(kAddr + 1, 40);
  v = run(session_frame(2, ip2, kClient, two));
  EXPECT_EQ(v.action, Action::kRedirect);
  EXPECT_EQ(v.frame, decapsulated(ip2));
  // Other tags (or none: a driver that stripped one) are the userland path's to judge.
  expect_unchanged(session_frame(1, ip1), "untagged frame of a tagged session");
  ether::VlanStack other = one;
  other.tags[0].tci = 0x0065;
  expect_unchanged(session_frame(1, ip1, kClient, other), "another VLAN");
  expect_unchanged(session_frame(2, ip2, kClient, one), "one tag of a QinQ session");
  EXPECT_EQ(counters(1).foreign_mac, 0u);
}

TEST_F(FastPathTest, DropsAndCountsForeignMacsAndSpoofedSources) {
  ASSERT_TRUE(fp_->set_session(kIf, 9, {kClient, {}, kAddr}));
  const MacAddress other{{0x02, 0x99, 0, 0, 0, 9}};
  EXPECT_EQ(run(session_frame(9, ipv4_packet(kAddr, 10), other)).action, Action::kDrop);
  EXPECT_EQ(run(session_frame(9, ipv4_packet(kAddr + 5, 10))).action, Action::kDrop);
  EXPECT_EQ(run(session_frame(9, ipv4_packet(0, 10))).action, Action::kDrop);
  auto c = counters(9);
  EXPECT_EQ(c.foreign_mac, 1u);
  EXPECT_EQ(c.spoofed, 2u);
  EXPECT_EQ(c.packets, 0u);
}

TEST_F(FastPathTest, LeavesControlUnknownSessionsAndIpv6ToUserland) {
  ASSERT_TRUE(fp_->set_session(kIf, 3, {kClient, {}, kAddr}));
  auto ip = ipv4_packet(kAddr, 30);
  expect_unchanged(session_frame(4, ip), "unknown session");
  expect_unchanged(session_frame(3, {0x09, 0x01, 0x00, 0x08, 1, 2, 3, 4}, kClient, {}, 0xc021), "LCP echo");
  expect_unchanged(session_frame(3, {0x01, 0x01, 0x00, 0x04}, kClient, {}, 0x8021), "IPCP");
  expect_unchanged(session_frame(3, std::vector<std::uint8_t>(48, 0x60), kClient, {}, 0x0057), "IPv6 of a session without it");
  expect_unchanged(session_frame(3, ip, kClient, {}, 0x0021, 0x09), "a discovery code on the session ethertype");
  ASSERT_TRUE(fp_->set_session(kIf, 5, {kClient, {}, 0}));
  expect_unchanged(session_frame(5, ip), "IPv4 not on the fast path");
  ASSERT_TRUE(fp_->remove_session(kIf, 3));
  expect_unchanged(session_frame(3, ip), "a session removed");
  EXPECT_EQ(fp_->counters(kIf, 3).value().packets, 0u) << "counts of a removed session are zeroed";
  EXPECT_FALSE(fp_->remove_session(kIf, 3)) << "removed twice";
}

// An older kernel's verifier refusing the program: load() fails with the verifier's own
// reason, which pppoed logs once before every packet takes the userland path (the fallback
// itself: tests/integration/fast_path.sh).
TEST(FastPathLoad, AVerifierRefusalSaysWhy) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF)";
  auto objects = FastPath::embedded_objects();
  objects.up = std::span<const std::uint8_t>(k_rejected_by_verifier_object, sizeof k_rejected_by_verifier_object);
  auto fp = FastPath::load(objects);
  ASSERT_FALSE(fp.has_value()) << "the verifier took a packet read without a bounds check";
  EXPECT_NE(fp.error().find("loading the BPF object pppoe_fp_up"), std::string::npos) << fp.error();
  EXPECT_NE(fp.error().find("outside of the packet"), std::string::npos) << "the verifier's reason: " << fp.error();
  EXPECT_TRUE(FastPath::load().has_value()) << "the embedded objects load after a refusal";
}

// The maps are arrays indexed by session ID: an entry forwards only on the interface it was
// set for, an update needs a forwarded session, and `show summary` counts only those.
TEST_F(FastPathTest, SessionEntriesAreIndexedByIdAndBoundToTheirInterface) {
  const auto before = fp_->session_entries();
  auto ip = ipv4_packet(kAddr, 30);
  EXPECT_FALSE(fp_->update_session(kIf, 21, {kClient, {}, kAddr})) << "no session with ID 21 yet";
  ASSERT_TRUE(fp_->set_session(kIf + 1, 21, {kClient, {}, kAddr}));
  expect_unchanged(session_frame(21, ip), "an entry of another interface");
  EXPECT_FALSE(fp_->update_session(kIf, 21, {kClient, {}, kAddr})) << "another interface's entry";
  EXPECT_FALSE(fp_->remove_session(kIf, 21)) << "another interface's entry";
  ASSERT_TRUE(fp_->set_session(kIf, 21, {kClient, {}, kAddr}));
  EXPECT_TRUE(forwarded(session_frame(21, ip)));
  EXPECT_TRUE(fp_->set_session(kIf, 65535, {kClient, {}, kAddr})) << "the highest ID has an entry too";
  EXPECT_EQ(fp_->session_entries(), before + 2);
  ASSERT_TRUE(fp_->update_session(kIf, 21, {kClient, {}, kAddr + 1}));
  EXPECT_FALSE(forwarded(session_frame(21, ip))) << "the old source after the update";
  EXPECT_TRUE(forwarded(session_frame(21, ipv4_packet(kAddr + 1, 30))));
  auto last = fp_->remove_session(kIf, 21);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->packets, 2u);
  EXPECT_TRUE(fp_->remove_session(kIf, 65535));
  EXPECT_EQ(fp_->session_entries(), before);
}

TEST_F(FastPathTest, HandsTcpSynsToTheWorkerWhereMssClampingApplies) {
  auto tcp = [](std::uint8_t flags, std::size_t payload = 40) {
    auto p = ipv4_packet(kAddr, payload);
    p[9] = 6;  // TCP (the program does not check the header checksum: the stack does)
    if (p.size() >= 20 + 14) p[20 + 13] = flags;
    return p;
  };
  ASSERT_TRUE(fp_->set_session(kIf, 11, {kClient, {}, kAddr, true}));
  expect_unchanged(session_frame(11, tcp(0x02)), "SYN: the worker clamps its MSS");
  expect_unchanged(session_frame(11, tcp(0x12)), "SYN-ACK");
  expect_unchanged(session_frame(11, tcp(0x02, 10)), "a TCP header cut short: the worker decides");
  auto ack = tcp(0x10);
  EXPECT_TRUE(forwarded(session_frame(11, ack))) << "an ACK stays in the kernel";
  auto later = tcp(0x02);
  later[6] = 0x00, later[7] = 0x10;  // a later fragment (offset 128): no TCP header in it
  EXPECT_TRUE(forwarded(session_frame(11, later))) << "a later fragment";
  EXPECT_TRUE(forwarded(session_frame(11, ipv4_packet(kAddr, 40)))) << "UDP";
  ASSERT_TRUE(fp_->set_session(kIf, 12, {kClient, {}, kAddr, false}));
  EXPECT_TRUE(forwarded(session_frame(12, tcp(0x02)))) << "no clamping: SYNs stay in the kernel too";
}

TEST_F(FastPathTest, PassesEveryMalformedFrameUnchanged) {
  ASSERT_TRUE(fp_->set_session(kIf, 6, {kClient, {}, kAddr}));
  auto good = session_frame(6, ipv4_packet(kAddr, 100));
  // Every truncation of a good frame: too short for a header, or an IP packet cut short.
  for (std::size_t n = 0; n + 1 < good.size(); ++n) {
    std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    if (cut.size() < 14) continue;  // the kernel refuses test runs shorter than an Ethernet header
    auto v = run(cut);
    EXPECT_EQ(v.action, Action::kPass) << n;
    EXPECT_EQ(v.frame, cut) << n;
  }
  expect_unchanged(session_frame(6, ipv4_packet(kAddr, 20, 0x65)), "IP version 6 in an IPv4 protocol frame");
  expect_unchanged(session_frame(6, ipv4_packet(kAddr, 20, 0x44)), "header length 16");
  auto longer = ipv4_packet(kAddr, 20);
  longer[2] = 0x05;  // total length 1,280 beyond the PPPoE payload
  expect_unchanged(session_frame(6, longer), "IP total length beyond the PPPoE length");
  auto f = session_frame(6, ipv4_packet(kAddr, 20));
  f[14] = 0x12;  // PPPoE version 1, type 2
  expect_unchanged(f, "PPPoE type 2");
  f = session_frame(6, ipv4_packet(kAddr, 100));
  f[19] = 10;  // PPPoE length shorter than the IP packet
  expect_unchanged(f, "PPPoE length shorter than the IP packet");
  EXPECT_EQ(counters(6).packets, 0u);
}

MacAddress mac_of(const std::string& ifname) {
  std::ifstream in("/sys/class/net/" + ifname + "/address");
  std::string text;
  in >> text;
  return MacAddress::parse(text).value_or(MacAddress{});
}

/// UDP from `src` port 4444 to 192.0.2.1 port 5555 (no UDP checksum: RFC 768 allows 0).
std::vector<std::uint8_t> udp_packet(std::uint32_t src, const std::string& text) {
  auto p = ipv4_packet(src, 8 + text.size());
  const std::size_t udp_length = 8 + text.size();
  const std::uint8_t u[8] = {0x11, 0x5c, 0x15, 0xb3, static_cast<std::uint8_t>(udp_length >> 8),
                             static_cast<std::uint8_t>(udp_length), 0, 0};
  std::copy(std::begin(u), std::end(u), p.begin() + 20);
  std::copy(text.begin(), text.end(), p.begin() + 28);
  return p;
}

void sh(const std::string& command) { ASSERT_EQ(std::system(command.c_str()), 0) << command; }

TEST(FastPathKernel, UpstreamPacketsArriveOnTheRoutedInterface) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, namespaces)";
  bool ran = testing::in_private_netns([] {
    sh("ip link add fpsub type veth peer name fpac && ip link set fpsub up && ip link set fpac up");
    auto veth = VethPair::open("fprouted", 1500);
    ASSERT_TRUE(veth.has_value()) << veth.error();
    sh("ip link set fprouted up && ip addr add 192.0.2.1/32 dev lo && ip route add 10.0.0.2/32 dev fprouted");
    const std::uint32_t ac = ::if_nametoindex("fpac"), routed = ::if_nametoindex("fprouted");
    const FastPathRouted to_routed{static_cast<std::uint32_t>(veth->peer_ifindex()), veth->routed_mac()};
    // The workers' side: what the kernel routes to a subscriber that the fast path leaves.
    PacketSocketOptions worker_options;
    worker_options.rx_ring_bytes = 0;
    auto worker = PacketSocket::open(veth->peer(), worker_options);
    ASSERT_TRUE(worker.has_value()) << worker.error();
    // The next IPv4 packet of `size` octets the workers' side receives (the stack's own IPv6
    // also goes there: router solicitations, MLD).
    auto worker_receives = [&](std::size_t size) {
      for (int waited = 0; waited < 2000; waited += 10) {
        bool seen = false;
        worker->receive_batch([&](Bytes f) { seen = seen || (f.size() == 14 + size && f[12] == 0x08 && f[13] == 0x00); });
        if (seen) return true;
        ::usleep(10'000);
      }
      return false;
    };
    const MacAddress ac_mac = mac_of("fpac"), client_mac = mac_of("fpsub");

    int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int on = 1;
    ::setsockopt(udp, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(5555);
    a.sin_addr.s_addr = htonl(0xc0000201);
    ASSERT_EQ(::bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    int raw = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(::if_nametoindex("fpsub"));
    auto send = [&](const std::vector<std::uint8_t>& ip) {
      auto f = session_frame(7, ip, client_mac);
      std::copy(ac_mac.octets.begin(), ac_mac.octets.end(), f.begin());
      ASSERT_EQ(::sendto(raw, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                static_cast<ssize_t>(f.size()));
    };
    // What reaches the UDP socket within `ms`, and the interface it arrived on.
    auto receive = [&](int ms) -> std::pair<std::string, std::uint32_t> {
      pollfd p{udp, POLLIN, 0};
      if (::poll(&p, 1, ms) != 1) return {"", 0};
      char buf[256], control[256];
      iovec iov{buf, sizeof buf};
      msghdr m{};
      m.msg_iov = &iov;
      m.msg_iovlen = 1;
      m.msg_control = control;
      m.msg_controllen = sizeof control;
      ssize_t n = ::recvmsg(udp, &m, 0);
      std::uint32_t ifindex = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
          ifindex = static_cast<std::uint32_t>(reinterpret_cast<in_pktinfo*>(CMSG_DATA(c))->ipi_ifindex);
      return {std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0), ifindex};
    };

    {
      auto fp = FastPath::load();
      ASSERT_TRUE(fp.has_value()) << fp.error();
      ASSERT_TRUE(fp->set_session(ac, 7, {client_mac, {}, kAddr}));
      auto attached = fp->attach_up(ac, to_routed);
      ASSERT_TRUE(attached.has_value()) << attached.error();
      send(udp_packet(kAddr, "through the kernel"));
      auto [text, ifindex] = receive(2000);
      EXPECT_EQ(text, "through the kernel");
      EXPECT_EQ(ifindex, routed) << "the datagram must arrive on the routed interface";
      send(udp_packet(kAddr + 1, "spoofed"));
      EXPECT_EQ(receive(300).first, "");
      auto c = fp->counters(ac, 7);
      ASSERT_TRUE(c.has_value());
      EXPECT_EQ(c->packets, 1u);
      EXPECT_EQ(c->octets, 28u + 18u);
      EXPECT_EQ(c->spoofed, 1u);
      // A session taken off the fast path: its frames are the userland path's again (nobody here).
      ASSERT_TRUE(fp->remove_session(ac, 7));
      send(udp_packet(kAddr, "slow path"));
      EXPECT_EQ(receive(300).first, "");
      ASSERT_TRUE(fp->set_session(ac, 7, {client_mac, {}, kAddr}));

      // Downstream: a datagram routed to the session's address leaves on the subscriber
      // interface as its PPPoE frame; one above the MRU goes to the workers' side.
      ASSERT_TRUE(fp->reset_down_counters(ac, 7));
      ASSERT_TRUE(fp->set_routes({kAddr}, {ac, 7, 100, client_mac, ac_mac, {}}));
      auto down = fp->attach_down(routed);
      ASSERT_TRUE(down.has_value()) << down.error();
      int cap = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x8864));
      sockaddr_ll at{};
      at.sll_family = AF_PACKET;
      at.sll_protocol = htons(0x8864);
      at.sll_ifindex = to.sll_ifindex;
      ASSERT_EQ(::bind(cap, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
      sockaddr_in dst{};
      dst.sin_family = AF_INET;
      dst.sin_port = htons(6666);
      dst.sin_addr.s_addr = htonl(kAddr);
      const std::string small(40, 's'), large(200, 'l');
      ASSERT_EQ(::sendto(udp, small.data(), small.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst), 40);
      pollfd pc{cap, POLLIN, 0};
      ASSERT_EQ(::poll(&pc, 1, 2000), 1) << "no PPPoE frame on the subscriber side";
      std::uint8_t frame[256];
      ssize_t n = ::recv(cap, frame, sizeof frame, 0);
      ASSERT_EQ(n, 14 + 8 + 68);
      EXPECT_TRUE(std::equal(client_mac.octets.begin(), client_mac.octets.end(), frame));
      EXPECT_TRUE(std::equal(ac_mac.octets.begin(), ac_mac.octets.end(), frame + 6));
      const std::uint8_t pppoe[] = {0x88, 0x64, 0x11, 0x00, 0x00, 0x07, 0x00, 70, 0x00, 0x21, 0x45};
      EXPECT_TRUE(std::equal(std::begin(pppoe), std::end(pppoe), frame + 12));
      EXPECT_EQ(std::string(reinterpret_cast<char*>(frame) + 14 + 8 + 28, 40), small);
      ASSERT_EQ(::sendto(udp, large.data(), large.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst), 200);
      EXPECT_TRUE(worker_receives(228)) << "the packet above the MRU did not reach the workers' side";
      EXPECT_EQ(::poll(&pc, 1, 100), 0) << "the packet above the MRU went the fast way";
      auto dc = fp->down_counters(ac, 7);
      ASSERT_TRUE(dc.has_value());
      EXPECT_EQ(dc->packets, 1u);
      EXPECT_EQ(dc->octets, 68u);
      ::close(cap);
    }
    // The fast path destroyed (as at pppoed's exit or crash): its links went with it.
    send(udp_packet(kAddr, "no program left"));
    EXPECT_EQ(receive(300).first, "");
    sh("! ip link show fpac | grep -q xdp");
    const std::string small(40, 's');
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(6666);
    dst.sin_addr.s_addr = htonl(kAddr);
    ASSERT_EQ(::sendto(udp, small.data(), small.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst), 40);
    EXPECT_TRUE(worker_receives(68)) << "without the fast path, downstream goes to the workers' side again";
    ::close(raw);
    ::close(udp);
  });
  if (!ran) GTEST_SKIP() << "no private network namespace";
}

}  // namespace
}  // namespace pppoe::dataplane
