// AF_PACKET socket on one Ethernet interface: batched receive (recvmmsg) and batched send
// (sendmmsg), so that under load a frame costs a small fraction of a syscall.
//
// VLAN tags: many drivers (veth included) strip the outer tag into packet metadata. We ask for
// PACKET_AUXDATA and put the tag back into the frame, so parsers always see the wire format.
#pragma once

#include <array>
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
};

struct SocketCounters {
  std::uint64_t rx_frames = 0;
  std::uint64_t rx_syscalls = 0;
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_syscalls = 0;
  std::uint64_t tx_errors = 0;
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

  /// Receives up to kBatch frames without blocking and calls `on_frame` for each.
  /// Returns the number of frames received (0 when none were waiting).
  std::size_t receive_batch(const std::function<void(Bytes)>& on_frame);

  /// A buffer for the next outgoing frame; commit() it with the length written.
  MutableBytes tx_buffer();
  void commit(std::size_t length);
  /// Sends all committed frames (sendmmsg). Called at the end of each event-loop turn, and
  /// automatically when the batch is full.
  void flush();

 private:
  PacketSocket() = default;
  int fd_ = -1;
  int ifindex_ = 0;
  int mtu_ = 1500;
  MacAddress mac_;
  std::vector<std::array<std::uint8_t, kFrameMax>> rx_;
  std::vector<std::array<std::uint8_t, kFrameMax>> tx_;
  std::array<std::size_t, kBatch> tx_len_{};
  std::size_t tx_count_ = 0;
  SocketCounters counters_;
};

}  // namespace pppoe::dataplane
