#include "dataplane/packet_socket.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.hpp"

namespace pppoe::dataplane {

namespace {
// Small blocks, many of them: a block is handed over when full *or* 1 ms old, so with light
// traffic each holds a few frames, and the ring's depth in time is about one millisecond per
// block. 32 KiB blocks in a 4 MiB ring: 128 ms of stall (a descheduled worker) before the
// kernel must drop, and ~250 small frames per block under load.
constexpr std::size_t kRingBlockSize = std::size_t{1} << 15;
constexpr int kRingHeadroom = 8;  // octets before each frame's MAC header, for a re-inserted tag
// TPACKET_ALIGN(sizeof(tpacket3_hdr)): where the frame's sockaddr_ll follows its header.
constexpr std::size_t kFrameHeaderLen = (sizeof(tpacket3_hdr) + TPACKET_ALIGNMENT - 1) & ~std::size_t{TPACKET_ALIGNMENT - 1};

/// Puts a stripped 802.1Q tag back after the MAC addresses of the frame at `frame`, which must
/// have 4 writable octets in front. Returns the new start.
std::uint8_t* reinsert_tag(std::uint8_t* frame, std::uint16_t tpid, std::uint16_t tci) {
  std::memmove(frame - 4, frame, 12);
  frame -= 4;
  frame[12] = static_cast<std::uint8_t>(tpid >> 8);
  frame[13] = static_cast<std::uint8_t>(tpid);
  frame[14] = static_cast<std::uint8_t>(tci >> 8);
  frame[15] = static_cast<std::uint8_t>(tci);
  return frame;
}
}  // namespace

std::expected<PacketSocket, std::string> PacketSocket::open(const std::string& ifname, PacketSocketOptions options) {
  PacketSocket s;
  // Protocol 0: nothing is queued to the socket until bind() below, after the filter and ring.
  s.fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
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

  if (options.filter)
    if (auto r = options.filter(s.fd_); !r) return std::unexpected(r.error());
  if (options.rx_ring_bytes > 0)
    if (auto r = s.map_rx_ring(options); !r)
      log::warn("{}: no receive ring ({}); receiving with recvmmsg", ifname, r.error());

  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = s.ifindex_;
  if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0)
    return std::unexpected(fmt::format("{}: bind: {}", ifname, std::strerror(errno)));
  if (options.fanout_group != 0) {
    int fanout = options.fanout_group | (PACKET_FANOUT_HASH << 16);
    if (::setsockopt(s.fd_, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof fanout) < 0)
      return std::unexpected(fmt::format("{}: fanout group {}: {}", ifname, options.fanout_group, std::strerror(errno)));
  }
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
  if (s.ring_ == nullptr) s.rx_.resize(kBatch);
  s.tx_.resize(kBatch);
  return s;
}

std::expected<void, std::string> PacketSocket::map_rx_ring(const PacketSocketOptions& options) {
  int version = TPACKET_V3;
  if (::setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &version, sizeof version) < 0)
    return std::unexpected(fmt::format("PACKET_VERSION: {}", std::strerror(errno)));
  int headroom = kRingHeadroom;
  if (::setsockopt(fd_, SOL_PACKET, PACKET_RESERVE, &headroom, sizeof headroom) < 0)
    return std::unexpected(fmt::format("PACKET_RESERVE: {}", std::strerror(errno)));
  tpacket_req3 req{};
  req.tp_block_size = static_cast<unsigned>(kRingBlockSize);
  req.tp_block_nr = static_cast<unsigned>(std::max<std::size_t>(2, options.rx_ring_bytes / kRingBlockSize));
  req.tp_frame_size = 2048;  // V3 packs frames by their size; this only has to divide the block
  req.tp_frame_nr = req.tp_block_nr * (req.tp_block_size / req.tp_frame_size);
  req.tp_retire_blk_tov = std::max(1U, options.rx_ring_block_timeout_ms);
  if (::setsockopt(fd_, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0)
    return std::unexpected(fmt::format("PACKET_RX_RING: {}", std::strerror(errno)));
  std::size_t bytes = std::size_t{req.tp_block_nr} * req.tp_block_size;
  void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (mem == MAP_FAILED) return std::unexpected(fmt::format("mmap: {}", std::strerror(errno)));
  ring_ = static_cast<std::uint8_t*>(mem);
  block_size_ = req.tp_block_size;
  block_count_ = req.tp_block_nr;
  return {};
}

PacketSocket::PacketSocket(PacketSocket&& o) noexcept
    : fd_(o.fd_), ifindex_(o.ifindex_), mtu_(o.mtu_), mac_(o.mac_), rx_(std::move(o.rx_)), tx_(std::move(o.tx_)),
      tx_len_(o.tx_len_), tx_count_(o.tx_count_), counters_(o.counters_), ring_(o.ring_), block_size_(o.block_size_),
      block_count_(o.block_count_), block_(o.block_), frames_left_(o.frames_left_), next_frame_(o.next_frame_),
      mute_(o.mute_) {
  o.fd_ = -1;
  o.ring_ = nullptr;
}

PacketSocket::~PacketSocket() {
  if (ring_ != nullptr) ::munmap(ring_, block_size_ * block_count_);
  if (fd_ >= 0) {
    flush();
    ::close(fd_);
  }
}

std::size_t PacketSocket::receive_batch(const std::function<void(Bytes)>& on_frame) {
  return ring_ != nullptr ? receive_from_ring(on_frame) : receive_mmsg(on_frame);
}

void PacketSocket::release_block() {
  auto* desc = reinterpret_cast<tpacket_block_desc*>(ring_ + block_ * block_size_);
  __atomic_store_n(&desc->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  block_ = (block_ + 1) % block_count_;
  next_frame_ = nullptr;
}

std::size_t PacketSocket::receive_from_ring(const std::function<void(Bytes)>& on_frame) {
  std::size_t taken = 0;
  while (taken < kBatch) {
    if (next_frame_ == nullptr) {
      auto* desc = reinterpret_cast<tpacket_block_desc*>(ring_ + block_ * block_size_);
      if ((__atomic_load_n(&desc->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0) break;
      frames_left_ = desc->hdr.bh1.num_pkts;
      next_frame_ = ring_ + block_ * block_size_ + desc->hdr.bh1.offset_to_first_pkt;
      if (frames_left_ == 0) {
        release_block();
        continue;
      }
    }
    auto* hdr = reinterpret_cast<tpacket3_hdr*>(next_frame_);
    const auto* from = reinterpret_cast<const sockaddr_ll*>(next_frame_ + kFrameHeaderLen);
    // The kernel wrote these offsets, but a frame must still lie inside its block.
    const std::uint8_t* block_end = ring_ + (block_ + 1) * block_size_;
    std::uint8_t* frame = next_frame_ + hdr->tp_mac;
    std::size_t len = hdr->tp_snaplen;
    bool whole = hdr->tp_snaplen == hdr->tp_len && frame + len <= block_end && len <= kFrameMax - 4;
    if (whole && from->sll_pkttype != PACKET_OUTGOING) {
      if ((hdr->tp_status & TP_STATUS_VLAN_VALID) != 0 && len >= 12 &&
          hdr->tp_mac >= kFrameHeaderLen + sizeof(sockaddr_ll) + 4) {
        std::uint16_t tpid = (hdr->tp_status & TP_STATUS_VLAN_TPID_VALID) != 0 ? hdr->hv1.tp_vlan_tpid : 0x8100;
        frame = reinsert_tag(frame, tpid, static_cast<std::uint16_t>(hdr->hv1.tp_vlan_tci));
        len += 4;
      }
      ++counters_.rx_frames;
      on_frame(Bytes(frame, len));
    }
    ++taken;
    if (--frames_left_ == 0 || hdr->tp_next_offset == 0 ||
        hdr->tp_next_offset > static_cast<std::size_t>(block_end - next_frame_) - kFrameHeaderLen - sizeof(sockaddr_ll)) {
      release_block();  // the last frame, or an offset that would leave the block
    } else {
      next_frame_ += hdr->tp_next_offset;
    }
  }
  return taken;
}

std::size_t PacketSocket::receive_mmsg(const std::function<void(Bytes)>& on_frame) {
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
      std::uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) != 0 ? aux.tp_vlan_tpid : 0x8100;
      frame = reinsert_tag(frame, tpid, aux.tp_vlan_tci);
      len += 4;
    }
    ++counters_.rx_frames;
    on_frame(Bytes(frame, len));
  }
  return static_cast<std::size_t>(n);
}

std::uint64_t PacketSocket::take_kernel_drops() {
  // The kernel resets its counters on each read. V3 rings report a larger struct that starts
  // with the same two fields.
  tpacket_stats_v3 stats{};
  socklen_t len = ring_ != nullptr ? sizeof(tpacket_stats_v3) : sizeof(tpacket_stats);
  if (::getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &stats, &len) < 0) return 0;
  counters_.rx_dropped += stats.tp_drops;
  return stats.tp_drops;
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
  if (mute_ != nullptr && mute_->load(std::memory_order_relaxed) != 0) {
    counters_.tx_muted += tx_count_;
    tx_count_ = 0;
    return;
  }
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
