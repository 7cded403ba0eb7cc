#include "dataplane/veth_pair.hpp"

#include <fmt/format.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/scoped_fd.hpp"
#include <vector>

#include "dataplane/packet_socket.hpp"

namespace pppoe::dataplane {
namespace {


// An rtnetlink request built attribute by attribute (rtnetlink(7)); nests are closed by
// writing their final length.
class NetlinkRequest {
 public:
  NetlinkRequest(std::uint16_t type, std::uint16_t flags) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    h.nlmsg_seq = 1;
    append(&h, sizeof h);
  }
  void add_ifinfo(int ifindex) {
    ifinfomsg i{};
    i.ifi_family = AF_UNSPEC;
    i.ifi_index = ifindex;
    append(&i, sizeof i);
  }
  void add(std::uint16_t type, const void* data, std::size_t len) {
    rtattr a{};
    a.rta_type = type;
    a.rta_len = static_cast<std::uint16_t>(RTA_LENGTH(len));
    append(&a, sizeof a);
    append(data, len);
  }
  void add_string(std::uint16_t type, const std::string& s) { add(type, s.c_str(), s.size() + 1); }
  std::size_t begin_nest(std::uint16_t type) {
    std::size_t at = buf_.size();
    add(type, nullptr, 0);
    return at;
  }
  void end_nest(std::size_t at) {
    auto len = static_cast<std::uint16_t>(buf_.size() - at);
    std::memcpy(buf_.data() + at, &len, sizeof len);
  }
  // Sends the request and waits for the kernel's answer: 0 or the errno it reports. An answer
  // other than the acknowledgement (RTM_GETLINK's RTM_NEWLINK) is left in `answer_`.
  int execute() {
    auto len = static_cast<std::uint32_t>(buf_.size());
    std::memcpy(buf_.data(), &len, sizeof len);
    ScopedFd s{::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)};
    if (s.fd < 0) return errno;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(s.fd, buf_.data(), buf_.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) return errno;
    for (;;) {
      answer_.assign(16384, 0);
      ssize_t n = ::recv(s.fd, answer_.data(), answer_.size(), 0);
      if (n < static_cast<ssize_t>(sizeof(nlmsghdr))) return n < 0 ? errno : EPROTO;
      answer_.resize(static_cast<std::size_t>(n));
      nlmsghdr h{};
      std::memcpy(&h, answer_.data(), sizeof h);
      if (h.nlmsg_type != NLMSG_ERROR) return 0;  // data; its acknowledgement follows
      if (answer_.size() < NLMSG_HDRLEN + sizeof(nlmsgerr)) return EPROTO;
      nlmsgerr e{};
      std::memcpy(&e, answer_.data() + NLMSG_HDRLEN, sizeof e);
      return -e.error;
    }
  }
  // The u32 attribute `type` of the RTM_NEWLINK answer, 0 when it has none.
  std::uint32_t link_attribute(std::uint16_t type) const {
    std::size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));
    while (at + sizeof(rtattr) <= answer_.size()) {
      rtattr a{};
      std::memcpy(&a, answer_.data() + at, sizeof a);
      if (a.rta_len < sizeof a || at + a.rta_len > answer_.size()) break;
      if (a.rta_type == type && a.rta_len >= RTA_LENGTH(sizeof(std::uint32_t))) {
        std::uint32_t v = 0;
        std::memcpy(&v, answer_.data() + at + RTA_LENGTH(0), sizeof v);
        return v;
      }
      at += RTA_ALIGN(a.rta_len);
    }
    return 0;
  }

 private:
  void append(const void* data, std::size_t len) {
    const std::size_t at = buf_.size();
    buf_.resize(NLMSG_ALIGN(at + len));  // zeroed padding up to the next 4-octet boundary
    if (len > 0) std::memcpy(buf_.data() + at, data, len);
  }
  std::vector<std::uint8_t> buf_;
  std::vector<std::uint8_t> answer_;
};

// A veth's IFLA_LINK is its peer's index (0: none, or not a veth-like link).
std::uint32_t link_of(int ifindex) {
  NetlinkRequest req(RTM_GETLINK, 0);
  req.add_ifinfo(ifindex);
  if (req.execute() != 0) return 0;
  return req.link_attribute(IFLA_LINK);
}

// The ethtool setting `command` (ETHTOOL_SGRO and friends) of interface `name` to `on`.
std::expected<void, std::string> set_offload(int fd, const std::string& name, std::uint32_t command, bool on,
                                             const char* what) {
  ethtool_value value{};
  value.cmd = command;
  value.data = on ? 1 : 0;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_data = reinterpret_cast<char*>(&value);
  if (::ioctl(fd, SIOCETHTOOL, &ifr) < 0)
    return std::unexpected(fmt::format("{}: {} {}: {}", name, what, on ? "on" : "off", std::strerror(errno)));
  return {};
}

std::expected<void, std::string> change_flags(int fd, const std::string& name, short set) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) return std::unexpected(fmt::format("{}: get flags: {}", name, std::strerror(errno)));
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | set);
  if (::ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) return std::unexpected(fmt::format("{}: set flags: {}", name, std::strerror(errno)));
  return {};
}

void write_sysctl(const std::string& path, const char* value) {
  std::ofstream f(path);
  f << value << '\n';
}

}  // namespace

std::string VethPair::peer_name(const std::string& name) { return name.substr(0, IFNAMSIZ - 3) + "-w"; }

std::expected<VethPair, std::string> VethPair::open(const std::string& name, int mtu) {
  // The workers' frames carry the Ethernet header and up to the MTU behind it.
  const int most = static_cast<int>(PacketSocket::kFrameMax) - 14;
  if (mtu > most) return std::unexpected(fmt::format("{}: MTU {} is above the {} the workers' frames hold", name, mtu, most));
  if (name.size() >= IFNAMSIZ) return std::unexpected(fmt::format("{}: interface name too long", name));
  VethPair v(name);
  if (::if_nametoindex(name.c_str()) == 0) {
    NetlinkRequest req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    req.add_ifinfo(0);
    req.add_string(IFLA_IFNAME, name);
    auto info = req.begin_nest(IFLA_LINKINFO);
    req.add_string(IFLA_INFO_KIND, "veth");
    auto data = req.begin_nest(IFLA_INFO_DATA);
    auto peer = req.begin_nest(VETH_INFO_PEER);
    req.add_ifinfo(0);
    req.add_string(IFLA_IFNAME, v.peer_);
    req.end_nest(peer);
    req.end_nest(data);
    req.end_nest(info);
    if (int e = req.execute(); e != 0)
      return std::unexpected(fmt::format("{}: creating the veth pair with {}: {}", name, v.peer_, std::strerror(e)));
  }
  // Ours, or one left by an earlier pppoed: paired with the peer of that name.
  v.routed_ifindex_ = static_cast<int>(::if_nametoindex(name.c_str()));
  v.peer_ifindex_ = static_cast<int>(::if_nametoindex(v.peer_.c_str()));
  if (v.peer_ifindex_ == 0 || link_of(v.routed_ifindex_) != static_cast<std::uint32_t>(v.peer_ifindex_))
    return std::unexpected(fmt::format("{} exists and is not a veth paired with {} (a TUN of a pppoed without the "
                                       "fast path? remove it: ip link del {})", name, v.peer_, name));

  ScopedFd s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) return std::unexpected(fmt::format("socket: {}", std::strerror(errno)));
  // No ARP or neighbour discovery on pppoe0: a neighbour's address is pppoe0's own MAC.
  if (auto r = change_flags(s.fd, name, IFF_NOARP); !r) return std::unexpected(r.error());
  // The peer's packet sockets must see finished checksums and no packet above the MTU: the
  // stack finishes and segments before the veth takes them.
  if (auto r = set_offload(s.fd, name, ETHTOOL_STXCSUM, false, "tx-checksumming"); !r) return std::unexpected(r.error());
  if (auto r = set_offload(s.fd, name, ETHTOOL_SSG, false, "scatter-gather"); !r) return std::unexpected(r.error());
  if (auto r = set_offload(s.fd, name, ETHTOOL_STSO, false, "tcp-segmentation-offload"); !r) return std::unexpected(r.error());
  if (auto r = set_offload(s.fd, name, ETHTOOL_SGSO, false, "generic-segmentation-offload"); !r) return std::unexpected(r.error());
  // NAPI on pppoe0's receive side, without which a veth drops what XDP redirects to its peer.
  if (auto r = set_offload(s.fd, name, ETHTOOL_SGRO, true, "generic-receive-offload"); !r) return std::unexpected(r.error());
  // The peer is the workers' alone: no address, no IPv6 of the kernel's.
  write_sysctl("/proc/sys/net/ipv6/conf/" + v.peer_ + "/disable_ipv6", "1");
  if (auto r = v.routed_.disable_ipv6_autoconf(); !r) return std::unexpected(r.error());
  NetInterface peer(v.peer_);
  if (auto r = peer.set_up(mtu); !r) return std::unexpected(r.error());
  auto routed_mac = v.routed_.mac();
  auto peer_mac = peer.mac();
  if (!routed_mac) return std::unexpected(routed_mac.error());
  if (!peer_mac) return std::unexpected(peer_mac.error());
  v.routed_mac_ = *routed_mac;
  v.peer_mac_ = *peer_mac;
  return v;
}

std::expected<void, std::string> VethPair::remove() {
  NetlinkRequest req(RTM_DELLINK, 0);
  req.add_ifinfo(routed_ifindex_);
  if (int e = req.execute(); e != 0 && e != ENODEV)
    return std::unexpected(fmt::format("{}: removing the veth pair: {}", routed_.name(), std::strerror(e)));
  return {};
}

}  // namespace pppoe::dataplane
