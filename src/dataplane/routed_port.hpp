// The workers' side of the routed interface (pppoe0): IP packets the kernel routes to
// subscribers come out of it, the subscribers' IP packets go into it. Two devices give it:
// the TUN (each worker a queue of it, the kernel spreading flows over the queues) and, with the
// kernel fast path, the veth pair's peer (each worker a packet socket on it, the sockets in one
// fanout group spreading flows the same way). Either way nothing here costs a system call per
// packet: batches in and out.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "common/bytes.hpp"

namespace pppoe::dataplane {

class RoutedPort {
 public:
  virtual ~RoutedPort() = default;
  /// The descriptor to watch for readability.
  [[nodiscard]] virtual int fd() const = 0;
  /// Calls `on_packet` with up to `limit` IP packets waiting; their memory is valid during the
  /// call only. Returns how many it delivered. Call it from a timer too: the TUN's batched
  /// reader re-posts its read there when that failed.
  virtual std::size_t receive(const std::function<void(Bytes)>& on_packet, std::size_t limit) = 0;
  /// Queues one IP packet toward the kernel; false if it cannot be (too large, refused).
  virtual bool write(Bytes packet) = 0;
  /// Hands everything queued to the kernel; returns how many packets it refused.
  virtual std::size_t flush() = 0;

  /// The TUN `name`'s queue for this process; `io_uring` false: one system call per packet.
  static std::expected<std::unique_ptr<RoutedPort>, std::string> open_tun(const std::string& name, bool io_uring);
  /// A packet socket on the veth peer `peer` of the routed interface `routed` (VethPair), in
  /// the fanout group of every worker's.
  static std::expected<std::unique_ptr<RoutedPort>, std::string> open_veth_peer(const std::string& routed,
                                                                                const std::string& peer);
};

}  // namespace pppoe::dataplane
