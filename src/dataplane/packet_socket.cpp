#include "dataplane/packet_socket.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pppoe::dataplane {

std::expected<PacketSocket, std::string> PacketSocket::open(const std::string& ifname, PacketSocketOptions options) {
  PacketSocket s;
  s.fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (s.fd_ < 0) return std::unexpected(fmt::format("socket(AF_PACKET): {}", std::strerror(errno)));
  ifreq ifr{};
  if (ifname.size() >= IFNAMSIZ) return std::unexpected(fmt::format("{}: interface name too long", ifname));
  std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  if (::ioctl(s.fd_, SIOCGIFINDEX, &ifr) < 0)
    return std::unexpected(fmt::format("{}: no such interface ({})", ifname, std::strerror(errno)));
  s.ifindex_ = ifr.ifr_ifindex;
  if (::ioctl(s.fd_, SIOCGIFHWADDR, &ifr) < 0)
    return std::unexpected(fmt::format("{}: cannot read MAC address ({})", ifname, std::strerror(errno)));
  s.mac_ = MacAddress::from_bytes(Bytes(reinterpret_cast<const std::uint8_t*>(ifr.ifr_hwaddr.sa_data), 6));
  if (::ioctl(s.fd_, SIOCGIFMTU, &ifr) == 0) s.mtu_ = ifr.ifr_mtu;

  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = s.ifindex_;
  if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0)
    return std::unexpected(fmt::format("{}: bind: {}", ifname, std::strerror(errno)));
  int one = 1;
  ::setsockopt(s.fd_, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one);
  ::setsockopt(s.fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  ::setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUFFORCE, &options.rcvbuf, sizeof options.rcvbuf);
  ::setsockopt(s.fd_, SOL_SOCKET, SO_SNDBUFFORCE, &options.sndbuf, sizeof options.sndbuf);
  if (options.promiscuous) {
    packet_mreq mr{};
    mr.mr_ifindex = s.ifindex_;
    mr.mr_type = PACKET_MR_PROMISC;
    if (::setsockopt(s.fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
      return std::unexpected(fmt::format("{}: promiscuous mode: {}", ifname, std::strerror(errno)));
  }
  s.rx_.resize(kBatch);
  s.tx_.resize(kBatch);
  return s;
}

PacketSocket::PacketSocket(PacketSocket&& o) noexcept
    : fd_(o.fd_), ifindex_(o.ifindex_), mtu_(o.mtu_), mac_(o.mac_), rx_(std::move(o.rx_)), tx_(std::move(o.tx_)),
      tx_len_(o.tx_len_), tx_count_(o.tx_count_), counters_(o.counters_) {
  o.fd_ = -1;
}

PacketSocket::~PacketSocket() {
  if (fd_ >= 0) {
    flush();
    ::close(fd_);
  }
}

std::size_t PacketSocket::receive_batch(const std::function<void(Bytes)>& on_frame) {
  constexpr std::size_t kHeadroom = 8;  // space to re-insert a stripped tag in front
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iov{};
  std::array<sockaddr_ll, kBatch> from{};
  alignas(cmsghdr) std::array<std::array<std::uint8_t, CMSG_SPACE(sizeof(tpacket_auxdata))>, kBatch> control{};
  for (std::size_t i = 0; i < kBatch; ++i) {
    iov[i] = {rx_[i].data() + kHeadroom, kFrameMax - kHeadroom};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_ll);
    msgs[i].msg_hdr.msg_control = control[i].data();
    msgs[i].msg_hdr.msg_controllen = control[i].size();
  }
  int n = ::recvmmsg(fd_, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
  ++counters_.rx_syscalls;
  if (n <= 0) return 0;
  for (int i = 0; i < n; ++i) {
    auto idx = static_cast<std::size_t>(i);
    if (from[idx].sll_pkttype == PACKET_OUTGOING) continue;
    std::uint8_t* frame = rx_[idx].data() + kHeadroom;
    std::size_t len = msgs[idx].msg_len;
    if ((msgs[idx].msg_hdr.msg_flags & MSG_TRUNC) != 0) continue;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msgs[idx].msg_hdr); c != nullptr; c = CMSG_NXTHDR(&msgs[idx].msg_hdr, c)) {
      if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
      tpacket_auxdata aux;
      std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
      if ((aux.tp_status & TP_STATUS_VLAN_VALID) == 0 || len < 12) continue;
      // Re-insert the stripped tag after the MAC addresses.
      std::uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) != 0 ? aux.tp_vlan_tpid : 0x8100;
      std::memmove(frame - 4, frame, 12);
      frame -= 4;
      frame[12] = static_cast<std::uint8_t>(tpid >> 8);
      frame[13] = static_cast<std::uint8_t>(tpid);
      frame[14] = static_cast<std::uint8_t>(aux.tp_vlan_tci >> 8);
      frame[15] = static_cast<std::uint8_t>(aux.tp_vlan_tci);
      len += 4;
    }
    ++counters_.rx_frames;
    on_frame(Bytes(frame, len));
  }
  return static_cast<std::size_t>(n);
}

MutableBytes PacketSocket::tx_buffer() {
  if (tx_count_ == kBatch) flush();
  return MutableBytes(tx_[tx_count_].data(), kFrameMax);
}

void PacketSocket::commit(std::size_t length) {
  if (length == 0) return;
  tx_len_[tx_count_++] = length < 60 ? 60 : length;  // pad to the Ethernet minimum
  if (length < 60) std::memset(tx_[tx_count_ - 1].data() + length, 0, 60 - length);
}

void PacketSocket::flush() {
  std::size_t sent = 0;
  while (sent < tx_count_) {
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iov{};
    std::size_t n = tx_count_ - sent;
    for (std::size_t i = 0; i < n; ++i) {
      iov[i] = {tx_[sent + i].data(), tx_len_[sent + i]};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = ::sendmmsg(fd_, msgs.data(), static_cast<unsigned>(n), 0);
    ++counters_.tx_syscalls;
    if (r <= 0) {
      if (errno == EINTR) continue;
      // ENOBUFS/EAGAIN under overload: the frames are dropped and counted, never retried
      // forever; PPP retransmits what matters.
      counters_.tx_errors += n;
      break;
    }
    sent += static_cast<std::size_t>(r);
    counters_.tx_frames += static_cast<std::size_t>(r);
  }
  tx_count_ = 0;
}

}  // namespace pppoe::dataplane
