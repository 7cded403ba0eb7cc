// AF_PACKET socket on one Ethernet interface: receive through a TPACKET_V3 ring shared with
// the kernel, send in batches (sendmmsg), so that under load a frame costs a small fraction of
// a syscall.
//
// The ring (packet(7), Documentation/networking/packet_mmap.rst) is a row of blocks; the kernel
// fills one block with as many frames as fit and hands it to us when it is full or when
// `rx_ring_block_timeout_ms` has passed since its first frame. Only then does it wake the
// reader: under load a wake-up brings hundreds of frames and reading them costs no system call;
// with a trickle (keep-alive replies from 64,000 sessions) wake-ups are at most one per timeout
// instead of one per frame. The price is that latency: at most the timeout, 1 ms by default.
// Where the kernel refuses the ring we fall back to recvmmsg batches.
//
// VLAN tags: many drivers (veth included) strip the outer tag into packet metadata. We read it
// from the ring's frame header (or PACKET_AUXDATA with recvmmsg) and put the tag back into the
// frame, so parsers always see the wire format.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/mac.hpp"

namespace pppoe::dataplane {

struct PacketSocketOptions {
  bool promiscuous = false;  ///< pppoetest: receive frames for its many emulated MACs
  int rcvbuf = 8 << 20;
  int sndbuf = 8 << 20;
  /// Size of the receive ring; 0 receives with recvmmsg instead.
  std::size_t rx_ring_bytes = std::size_t{4} << 20;
  unsigned rx_ring_block_timeout_ms = 1;
  /// Attaches a socket filter before the socket is bound, so that no frame is ever queued
  /// unfiltered (a worker must never see another worker's frames).
  std::function<std::expected<void, std::string>(int fd)> filter;
  /// Nonzero: joins the fanout group of this ID (PACKET_FANOUT_HASH), so that the sockets of
  /// several processes on one interface share its frames by flow, each frame to one socket.
  std::uint16_t fanout_group = 0;
};

struct SocketCounters {
  std::uint64_t rx_frames = 0;
  std::uint64_t rx_syscalls = 0;  ///< recvmmsg calls; 0 with the ring
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_syscalls = 0;
  std::uint64_t tx_errors = 0;
  std::uint64_t rx_dropped = 0;  ///< by the kernel, for want of room in our ring or buffer
  std::uint64_t tx_muted = 0;    ///< not sent: the box is the standby pair's BACKUP (mute_while)
};

class PacketSocket {
 public:
  static constexpr std::size_t kBatch = 64;
  static constexpr std::size_t kFrameMax = 1600 + 8;  // room for re-inserted VLAN tags

  static std::expected<PacketSocket, std::string> open(const std::string& ifname, PacketSocketOptions options);
  PacketSocket(PacketSocket&&) noexcept;
  PacketSocket& operator=(PacketSocket&&) = delete;
  ~PacketSocket();

  [[nodiscard]] int fd() const { return fd_; }
  [[nodiscard]] const MacAddress& mac() const { return mac_; }
  [[nodiscard]] int ifindex() const { return ifindex_; }
  [[nodiscard]] int mtu() const { return mtu_; }
  [[nodiscard]] const SocketCounters& counters() const { return counters_; }

  /// Receives up to kBatch frames without blocking and calls `on_frame` for each; the frame's
  /// memory is valid during the call only. Returns the number of frames taken (0 when none
  /// were waiting).
  std::size_t receive_batch(const std::function<void(Bytes)>& on_frame);
  [[nodiscard]] bool rx_ring() const { return ring_ != nullptr; }
  /// Frames the kernel dropped for want of room since the last call (PACKET_STATISTICS, one
  /// system call: call it from a timer, not per batch).
  std::uint64_t take_kernel_drops();

  /// A buffer for the next outgoing frame; commit() it with the length written.
  MutableBytes tx_buffer();
  void commit(std::size_t length);
  /// Sends all committed frames (sendmmsg). Called at the end of each event-loop turn, and
  /// automatically when the batch is full.
  void flush();
  /// While `*flag` is nonzero, flush() drops the committed frames (counted in tx_muted): a
  /// standby pair's BACKUP shares the MASTER's MAC and must never teach the switches its port.
  void mute_while(const std::atomic<std::uint32_t>* flag) { mute_ = flag; }

 private:
  PacketSocket() = default;
  std::expected<void, std::string> map_rx_ring(const PacketSocketOptions& options);
  std::size_t receive_from_ring(const std::function<void(Bytes)>& on_frame);
  std::size_t receive_mmsg(const std::function<void(Bytes)>& on_frame);
  /// Hands the block being read back to the kernel and moves to the next.
  void release_block();
  int fd_ = -1;
  int ifindex_ = 0;
  int mtu_ = 1500;
  MacAddress mac_;
  std::vector<std::array<std::uint8_t, kFrameMax>> rx_;
  std::vector<std::array<std::uint8_t, kFrameMax>> tx_;
  std::array<std::size_t, kBatch> tx_len_{};
  std::size_t tx_count_ = 0;
  SocketCounters counters_;
  // The receive ring: blocks of block_size_ octets; block_ is the one we read next, with
  // frames_left_ frames still to read from next_frame_ (0: not yet taken from the kernel).
  std::uint8_t* ring_ = nullptr;
  std::size_t block_size_ = 0;
  std::size_t block_count_ = 0;
  std::size_t block_ = 0;
  std::uint32_t frames_left_ = 0;
  std::uint8_t* next_frame_ = nullptr;
  const std::atomic<std::uint32_t>* mute_ = nullptr;
};

}  // namespace pppoe::dataplane
