// Traffic for bench/dataplane.sh, as fast as one core sends it, for a fixed time.
//
//   packet_blaster up IFACE AC_MAC SESSIONS_FILE IP_SIZE SECONDS
//     PPPoE session frames (IPv4/UDP of IP_SIZE octets, from each session's address to
//     198.18.0.1) round-robin over the sessions in SESSIONS_FILE ("session_id mac address" per
//     line), sent with sendmmsg in batches of 64 on an AF_PACKET socket (qdisc bypassed).
//     Sessions with an IPv6 address get IPv6/UDP frames instead, to 2001:db8:ffff::99.
//   packet_blaster up-ip IFACE NEXT_HOP_MAC SESSIONS_FILE IP_SIZE SECONDS
//     The same IPv4 packets as `up`, in plain Ethernet frames to NEXT_HOP_MAC: the kernel
//     forwarding baseline of bench/fast_path.sh (no PPPoE anywhere).
//   packet_blaster down SESSIONS_FILE IP_SIZE SECONDS
//     UDP datagrams (IP_SIZE octets on the wire) to each session's address, sendmmsg in batches
//     of 64 on a UDP socket: the kernel routes them into the TUN of whoever serves the sessions.
//     IPv4 ones without a UDP checksum (SO_NO_CHECK): a veth would leave it to be finished
//     (CHECKSUM_PARTIAL), which a real NIC never hands to a router, and the fast path leaves
//     such packets to the userland path.
//   packet_blaster down-tun TUN SESSIONS_FILE IP_SIZE SECONDS
//     The same packets (from 198.18.0.1 or 2001:db8:ffff::99), built once and transmitted on
//     the TUN itself through an AF_PACKET socket (qdisc bypassed): they reach its reader
//     without the kernel's routing, whose IPv6 UDP send path is slower than IPv4's and would
//     set the rate instead of the reader.
//
//   packet_blaster l2tp-down LAC_ADDR CALLS_FILE IP_SIZE SECONDS
//     L2TPv2 data messages (RFC 2661 section 5.3, FF 03, PPP IPv4, an IPv4/UDP packet of
//     IP_SIZE octets) from port 1701 to LAC_ADDR:1701, round-robin over the calls in CALLS_FILE
//     ("tunnel_id session_id" per line, the LAC's IDs), as an LNS sends them to a LAC.
//
// Prints the number of packets sent. Both pppoed and the raw baseline get the same traffic.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

constexpr unsigned kBatch = 64;

struct SessionLine {
  unsigned id = 0;
  std::uint8_t mac[6]{};
  in_addr ip{};
  bool v6 = false;
  in6_addr ip6{};
};

std::vector<SessionLine> read_sessions(const char* path) {
  std::vector<SessionLine> out;
  std::ifstream in(path);
  std::string mac, ip;
  unsigned id = 0;
  while (in >> id >> mac >> ip) {
    SessionLine s;
    s.id = id;
    if (std::sscanf(mac.c_str(), "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &s.mac[0], &s.mac[1], &s.mac[2], &s.mac[3],
                    &s.mac[4], &s.mac[5]) != 6 ||
        (inet_pton(AF_INET, ip.c_str(), &s.ip) != 1 && inet_pton(AF_INET6, ip.c_str(), &s.ip6) != 1))
      continue;
    s.v6 = ip.find(':') != std::string::npos;
    out.push_back(s);
  }
  return out;
}

std::uint16_t checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

/// An IPv4/UDP packet of `size` octets from `src` to `dst` (UDP checksum 0: allowed for IPv4).
std::vector<std::uint8_t> ipv4_udp(in_addr src, in_addr dst, std::size_t size) {
  std::vector<std::uint8_t> p(size, 0x5a);
  p[0] = 0x45;
  p[1] = 0;
  p[2] = static_cast<std::uint8_t>(size >> 8);
  p[3] = static_cast<std::uint8_t>(size);
  p[4] = p[5] = p[6] = p[7] = 0;
  p[8] = 64;
  p[9] = IPPROTO_UDP;
  p[10] = p[11] = 0;
  std::memcpy(&p[12], &src, 4);
  std::memcpy(&p[16], &dst, 4);
  std::uint16_t c = checksum(p.data(), 20);
  p[10] = static_cast<std::uint8_t>(c >> 8);
  p[11] = static_cast<std::uint8_t>(c);
  std::size_t udp = size - 20;
  p[20] = 0x9c; p[21] = 0x40;  // ports 40000 -> 9
  p[22] = 0x00; p[23] = 0x09;
  p[24] = static_cast<std::uint8_t>(udp >> 8);
  p[25] = static_cast<std::uint8_t>(udp);
  p[26] = p[27] = 0;
  return p;
}

/// An IPv6/UDP packet of `size` octets (RFC 8200; the UDP checksum over the pseudo-header).
std::vector<std::uint8_t> ipv6_udp(const in6_addr& src, const in6_addr& dst, std::size_t size) {
  std::vector<std::uint8_t> p(size, 0x5a);
  std::size_t udp = size - 40;
  p[0] = 0x60;
  p[1] = p[2] = p[3] = 0;
  p[4] = static_cast<std::uint8_t>(udp >> 8);
  p[5] = static_cast<std::uint8_t>(udp);
  p[6] = IPPROTO_UDP;
  p[7] = 64;
  std::memcpy(&p[8], &src, 16);
  std::memcpy(&p[24], &dst, 16);
  p[40] = 0x9c; p[41] = 0x40;  // ports 40000 -> 9
  p[42] = 0x00; p[43] = 0x09;
  p[44] = static_cast<std::uint8_t>(udp >> 8);
  p[45] = static_cast<std::uint8_t>(udp);
  p[46] = p[47] = 0;
  // Pseudo-header (addresses, length, next header), then the UDP header and payload.
  std::vector<std::uint8_t> pseudo(40 + udp + 1, 0);
  std::memcpy(pseudo.data(), &p[8], 32);
  pseudo[34] = static_cast<std::uint8_t>(udp >> 8);
  pseudo[35] = static_cast<std::uint8_t>(udp);
  pseudo[39] = IPPROTO_UDP;
  std::memcpy(pseudo.data() + 40, &p[40], udp);
  if (pseudo.size() % 2) pseudo.pop_back();
  std::uint16_t c = checksum(pseudo.data(), pseudo.size());
  p[46] = static_cast<std::uint8_t>(c >> 8);
  p[47] = static_cast<std::uint8_t>(c);
  return p;
}

using Clock = std::chrono::steady_clock;

/// sendmmsg batches of kBatch for `seconds`; fill(k, iov, hdr) sets up the k-th packet overall.
/// Prints how many were sent.
template <typename Fill>
int blast(int fd, double seconds, Fill&& fill) {
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  std::uint64_t sent = 0;
  std::size_t next = 0;
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    for (unsigned i = 0; i < kBatch; ++i) {
      msgs[i] = {};
      fill(next++, iov[i], msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = ::sendmmsg(fd, msgs.data(), kBatch, 0);
    if (n > 0) sent += static_cast<unsigned>(n);
  }
  std::printf("%llu\n", static_cast<unsigned long long>(sent));
  return 0;
}

/// A raw packet socket on `iface` that bypasses the qdisc; -1 (said on stderr) if it cannot.
int raw_socket(const char* iface) {
  int fd = ::socket(AF_PACKET, SOCK_RAW, 0);
  int one = 1;
  ::setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_ifindex = static_cast<int>(if_nametoindex(iface));
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&ll), sizeof ll) < 0) {
    std::perror("packet socket");
    return -1;
  }
  return fd;
}

/// Ethernet frames to `dst_mac` from each session's MAC, round-robin: with PPPoE session
/// headers (`pppoe`) or as plain IPv4 (the kernel forwarding baseline). IPv6 sessions get
/// IPv6 packets (PPPoE only).
int frames_up(const char* iface, const char* dst_mac, const char* sessions_file, std::size_t size, double seconds,
              bool pppoe) {
  auto sessions = read_sessions(sessions_file);
  std::uint8_t dst[6];
  if (sessions.empty() ||
      std::sscanf(dst_mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dst[0], &dst[1], &dst[2], &dst[3], &dst[4], &dst[5]) != 6) {
    std::fprintf(stderr, "no sessions or bad MAC\n");
    return 2;
  }
  int fd = raw_socket(iface);
  if (fd < 0) return 1;
  in_addr sink{};
  inet_pton(AF_INET, "198.18.0.1", &sink);
  in6_addr sink6{};
  inet_pton(AF_INET6, "2001:db8:ffff::99", &sink6);
  std::vector<std::vector<std::uint8_t>> frames;
  for (const auto& s : sessions) {
    std::vector<std::uint8_t> f(12);
    std::memcpy(&f[0], dst, 6);
    std::memcpy(&f[6], s.mac, 6);
    if (pppoe) {
      const std::uint8_t h[] = {0x88, 0x64, 0x11, 0x00, static_cast<std::uint8_t>(s.id >> 8), static_cast<std::uint8_t>(s.id),
                                static_cast<std::uint8_t>((size + 2) >> 8), static_cast<std::uint8_t>(size + 2),
                                0x00, static_cast<std::uint8_t>(s.v6 ? 0x57 : 0x21)};  // PPP IPv6 or IPv4
      f.insert(f.end(), std::begin(h), std::end(h));
    } else {
      f.insert(f.end(), {0x08, 0x00});
    }
    auto ip = s.v6 && pppoe ? ipv6_udp(s.ip6, sink6, size) : ipv4_udp(s.ip, sink, size);
    f.insert(f.end(), ip.begin(), ip.end());
    frames.push_back(std::move(f));
  }
  return blast(fd, seconds, [&](std::size_t k, iovec& iov, msghdr&) {
    auto& f = frames[k % frames.size()];
    iov = {f.data(), f.size()};
  });
}

int down(const char* sessions_file, std::size_t size, double seconds) {
  auto sessions = read_sessions(sessions_file);
  if (sessions.empty() || size < 48) return 2;
  if (sessions[0].v6) {
    int fd6 = ::socket(AF_INET6, SOCK_DGRAM, 0);
    std::vector<std::uint8_t> payload6(size - 48, 0x5a);
    std::vector<sockaddr_in6> to6(sessions.size());
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      to6[i].sin6_family = AF_INET6;
      to6[i].sin6_port = htons(9);
      to6[i].sin6_addr = sessions[i].ip6;
    }
    return blast(fd6, seconds, [&](std::size_t k, iovec& iov, msghdr& hdr) {
      iov = {payload6.data(), payload6.size()};
      hdr.msg_name = &to6[k % to6.size()];
      hdr.msg_namelen = sizeof(sockaddr_in6);
    });
  }
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof one);
  std::vector<std::uint8_t> payload(size - 28, 0x5a);
  std::vector<sockaddr_in> to(sessions.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    to[i].sin_family = AF_INET;
    to[i].sin_port = htons(9);
    to[i].sin_addr = sessions[i].ip;
  }
  return blast(fd, seconds, [&](std::size_t k, iovec& iov, msghdr& hdr) {
    iov = {payload.data(), payload.size()};
    hdr.msg_name = &to[k % to.size()];
    hdr.msg_namelen = sizeof(sockaddr_in);
  });
}

int down_tun(const char* tun, const char* sessions_file, std::size_t size, double seconds) {
  auto sessions = read_sessions(sessions_file);
  if (sessions.empty() || size < 48) return 2;
  int fd = ::socket(AF_PACKET, SOCK_DGRAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_ifindex = static_cast<int>(if_nametoindex(tun));
  if (fd < 0 || ll.sll_ifindex == 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&ll), sizeof ll) < 0) {
    std::perror("packet socket on the TUN");
    return 1;
  }
  in_addr src{};
  inet_pton(AF_INET, "198.18.0.1", &src);
  in6_addr src6{};
  inet_pton(AF_INET6, "2001:db8:ffff::99", &src6);
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<sockaddr_ll> to(sessions.size(), ll);
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const auto& s = sessions[i];
    packets.push_back(s.v6 ? ipv6_udp(src6, s.ip6, size) : ipv4_udp(src, s.ip, size));
    to[i].sll_protocol = htons(s.v6 ? ETH_P_IPV6 : ETH_P_IP);
  }
  return blast(fd, seconds, [&](std::size_t k, iovec& iov, msghdr& hdr) {
    std::size_t i = k % packets.size();
    iov = {packets[i].data(), packets[i].size()};
    hdr.msg_name = &to[i];
    hdr.msg_namelen = sizeof(sockaddr_ll);
  });
}

int l2tp_down(const char* lac_addr, const char* calls_file, std::size_t size, double seconds) {
  std::vector<std::pair<unsigned, unsigned>> calls;
  std::ifstream in(calls_file);
  unsigned t = 0, s = 0;
  while (in >> t >> s) calls.emplace_back(t, s);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(1701);
  if (calls.empty() || inet_pton(AF_INET, lac_addr, &to.sin_addr) != 1) {
    std::fprintf(stderr, "no calls or bad LAC address\n");
    return 2;
  }
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_port = htons(1701);  // the LAC takes data only from its tunnels' peer address and port
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) < 0) {
    std::perror("bind :1701");
    return 1;
  }
  in_addr src{}, dst{};
  inet_pton(AF_INET, "198.18.0.1", &src);
  inet_pton(AF_INET, "10.99.0.2", &dst);
  auto ip = ipv4_udp(src, dst, size);
  std::vector<std::vector<std::uint8_t>> datagrams;
  for (auto [tunnel, session] : calls) {
    std::vector<std::uint8_t> d{0x00, 0x02, static_cast<std::uint8_t>(tunnel >> 8), static_cast<std::uint8_t>(tunnel),
                                static_cast<std::uint8_t>(session >> 8), static_cast<std::uint8_t>(session),
                                0xff, 0x03, 0x00, 0x21};
    d.insert(d.end(), ip.begin(), ip.end());
    datagrams.push_back(std::move(d));
  }
  return blast(fd, seconds, [&](std::size_t k, iovec& iov, msghdr& hdr) {
    auto& d = datagrams[k % datagrams.size()];
    iov = {d.data(), d.size()};
    hdr.msg_name = &to;
    hdr.msg_namelen = sizeof to;
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "up" && argc == 7) return frames_up(argv[2], argv[3], argv[4], std::stoul(argv[5]), std::stod(argv[6]), true);
  if (mode == "up-ip" && argc == 7) return frames_up(argv[2], argv[3], argv[4], std::stoul(argv[5]), std::stod(argv[6]), false);
  if (mode == "down" && argc == 5) return down(argv[2], std::stoul(argv[3]), std::stod(argv[4]));
  if (mode == "down-tun" && argc == 6) return down_tun(argv[2], argv[3], std::stoul(argv[4]), std::stod(argv[5]));
  if (mode == "l2tp-down" && argc == 6) return l2tp_down(argv[2], argv[3], std::stoul(argv[4]), std::stod(argv[5]));
  std::fprintf(stderr,
               "usage: packet_blaster up IFACE AC_MAC SESSIONS IP_SIZE SECONDS | up-ip IFACE MAC SESSIONS IP_SIZE SECONDS | down SESSIONS IP_SIZE SECONDS |\n"
               "       down-tun TUN SESSIONS IP_SIZE SECONDS | l2tp-down LAC_ADDR CALLS IP_SIZE SECONDS\n");
  return 2;
}
