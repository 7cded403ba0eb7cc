#include "dataplane/net_interface.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <net/if.h>
#include <net/route.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/scoped_fd.hpp"

namespace pppoe::dataplane {
namespace {
sockaddr_in inet(Ipv4Address a) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_addr.s_addr = htonl(a.value);
  return s;
}
}  // namespace

std::expected<MacAddress, std::string> NetInterface::mac() const {
  ScopedFd s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  if (::ioctl(s.fd, SIOCGIFHWADDR, &ifr) < 0)
    return std::unexpected(fmt::format("{}: MAC address: {}", name_, std::strerror(errno)));
  return MacAddress::from_bytes(Bytes(reinterpret_cast<const std::uint8_t*>(ifr.ifr_hwaddr.sa_data), 6));
}

std::expected<void, std::string> NetInterface::configure(Ipv4Address local, int mtu) {
  ScopedFd s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  auto addr = inet(local);
  std::memcpy(&ifr.ifr_addr, &addr, sizeof addr);
  if (::ioctl(s.fd, SIOCSIFADDR, &ifr) < 0)
    return std::unexpected(fmt::format("{}: set address: {}", name_, std::strerror(errno)));
  auto mask = inet(Ipv4Address{0xffffffffu});
  std::memcpy(&ifr.ifr_netmask, &mask, sizeof mask);
  if (::ioctl(s.fd, SIOCSIFNETMASK, &ifr) < 0)
    return std::unexpected(fmt::format("{}: set netmask: {}", name_, std::strerror(errno)));
  return set_up(mtu);
}

std::expected<void, std::string> NetInterface::set_peer_address(Ipv4Address peer) {
  ScopedFd s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  auto addr = inet(peer);
  std::memcpy(&ifr.ifr_dstaddr, &addr, sizeof addr);
  if (::ioctl(s.fd, SIOCSIFDSTADDR, &ifr) < 0)
    return std::unexpected(fmt::format("{}: set peer address: {}", name_, std::strerror(errno)));
  return {};
}

std::expected<void, std::string> NetInterface::set_up(int mtu) {
  ScopedFd s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  ifr.ifr_mtu = mtu;
  if (::ioctl(s.fd, SIOCSIFMTU, &ifr) < 0)
    return std::unexpected(fmt::format("{}: set mtu: {}", name_, std::strerror(errno)));
  // The kernel queues packets for us here while we serve a burst from the other side; the
  // default of 500 drops a burst of replies for a few hundred sessions at once.
  ifr.ifr_qlen = 16384;
  if (::ioctl(s.fd, SIOCSIFTXQLEN, &ifr) < 0)
    return std::unexpected(fmt::format("{}: set txqueuelen: {}", name_, std::strerror(errno)));
  if (::ioctl(s.fd, SIOCGIFFLAGS, &ifr) < 0)
    return std::unexpected(fmt::format("{}: get flags: {}", name_, std::strerror(errno)));
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(s.fd, SIOCSIFFLAGS, &ifr) < 0)
    return std::unexpected(fmt::format("{}: up: {}", name_, std::strerror(errno)));
  return {};
}

std::expected<void, std::string> NetInterface::set_down() {
  ScopedFd s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  if (::ioctl(s.fd, SIOCGIFFLAGS, &ifr) < 0)
    return std::unexpected(fmt::format("{}: get flags: {}", name_, std::strerror(errno)));
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags & ~IFF_UP);
  if (::ioctl(s.fd, SIOCSIFFLAGS, &ifr) < 0)
    return std::unexpected(fmt::format("{}: down: {}", name_, std::strerror(errno)));
  return {};
}

std::expected<int, std::string> NetInterface::ipv6_ifindex(int ipv6_socket) const {
  if (ipv6_socket < 0) return std::unexpected(fmt::format("{}: IPv6 socket: {}", name_, std::strerror(errno)));
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  if (::ioctl(ipv6_socket, SIOCGIFINDEX, &ifr) < 0)
    return std::unexpected(fmt::format("{}: ifindex: {}", name_, std::strerror(errno)));
  return ifr.ifr_ifindex;
}

std::expected<void, std::string> NetInterface::disable_ipv6_autoconf() {
  std::string path = "/proc/sys/net/ipv6/conf/" + name_ + "/addr_gen_mode";
  if (::access(path.c_str(), F_OK) != 0) return {};  // IPv6 is off on this host: nothing to generate
  std::ofstream gen(path);
  gen << "1\n";
  gen.flush();
  if (!gen) return std::unexpected(fmt::format("{}: cannot be written", path));
  return {};
}

std::expected<void, std::string> NetInterface::add_ipv6_address(const std::array<std::uint8_t, 16>& address,
                                                             int prefix_len) {
  // struct in6_ifreq of <linux/ipv6.h>, which clashes with <netinet/in.h> when both are included.
  struct In6Ifreq {
    in6_addr addr;
    std::uint32_t prefix_len;
    int ifindex;
  };
  ScopedFd s{::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  auto index = ipv6_ifindex(s.fd);
  if (!index) return std::unexpected(index.error());
  In6Ifreq req{};
  std::memcpy(&req.addr, address.data(), 16);
  req.prefix_len = static_cast<std::uint32_t>(prefix_len);
  req.ifindex = *index;
  if (::ioctl(s.fd, SIOCSIFADDR, &req) < 0 && errno != EEXIST)
    return std::unexpected(fmt::format("{}: add IPv6 address: {}", name_, std::strerror(errno)));
  return {};
}

std::optional<std::string> NetInterface::ipv6_unavailable() const {
  if (::access("/proc/sys/net/ipv6", F_OK) != 0) return "the kernel runs without IPv6 (ipv6.disable=1)";
  const std::string path = "/proc/sys/net/ipv6/conf/" + name_ + "/disable_ipv6";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return std::nullopt;  // cannot tell: adding the address will
  int disabled = 0;
  bool read = std::fscanf(f, "%d", &disabled) == 1;
  std::fclose(f);
  if (read && disabled != 0)
    return fmt::format("net.ipv6.conf.{}.disable_ipv6 is 1 (net.ipv6.conf.all or .default disables IPv6)", name_);
  return std::nullopt;
}

std::expected<void, std::string> NetInterface::add_ipv6_default_route() { return add_ipv6_route(Ipv6Bytes{}, 0); }

std::expected<void, std::string> NetInterface::add_ipv6_route(const Ipv6Bytes& prefix, int bits) {
  return ipv6_route(SIOCADDRT, prefix, bits);
}

std::expected<void, std::string> NetInterface::delete_ipv6_route(const Ipv6Bytes& prefix, int bits) {
  return ipv6_route(SIOCDELRT, prefix, bits);
}

std::expected<void, std::string> NetInterface::ipv6_route(unsigned long request, const Ipv6Bytes& prefix, int bits) {
  // struct in6_rtmsg of <linux/ipv6_route.h> (which clashes with <netinet/in.h>).
  struct In6Rtmsg {
    in6_addr dst, src, gateway;
    std::uint32_t type;
    std::uint16_t dst_len, src_len;
    std::uint32_t metric;
    unsigned long info;
    std::uint32_t flags;
    int ifindex;
  };
  ScopedFd s{::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  auto index = ipv6_ifindex(s.fd);
  if (!index) return std::unexpected(index.error());
  In6Rtmsg rt{};
  std::memcpy(&rt.dst, prefix.data(), prefix.size());
  rt.dst_len = static_cast<std::uint16_t>(bits);
  rt.metric = 1;
  rt.flags = RTF_UP;
  rt.ifindex = *index;
  if (::ioctl(s.fd, request, &rt) < 0 && errno != (request == SIOCADDRT ? EEXIST : ESRCH))
    return std::unexpected(fmt::format("{}: IPv6 route {}/{}: {}", name_, ipv6_to_string(prefix), bits, std::strerror(errno)));
  return {};
}

std::expected<void, std::string> NetInterface::add_route(Ipv4Address prefix, int bits) {
  return route(SIOCADDRT, prefix, bits);
}

std::expected<void, std::string> NetInterface::delete_route(Ipv4Address prefix, int bits) {
  return route(SIOCDELRT, prefix, bits);
}

std::expected<void, std::string> NetInterface::route(unsigned long request, Ipv4Address prefix, int bits) {
  ScopedFd s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  rtentry rt{};
  auto dst = inet(prefix);
  auto mask = inet(Ipv4Address{bits == 0 ? 0u : ~std::uint32_t{0} << (32 - bits)});
  std::memcpy(&rt.rt_dst, &dst, sizeof dst);
  std::memcpy(&rt.rt_genmask, &mask, sizeof mask);
  rt.rt_flags = RTF_UP | (bits == 32 ? RTF_HOST : 0);
  std::string dev = name_;
  rt.rt_dev = dev.data();
  if (::ioctl(s.fd, request, &rt) < 0 && errno != EEXIST && errno != ESRCH)
    return std::unexpected(fmt::format("{}: route {}/{}: {}", name_, prefix.to_string(), bits, std::strerror(errno)));
  return {};
}

}  // namespace pppoe::dataplane
