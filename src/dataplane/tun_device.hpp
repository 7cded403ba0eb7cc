// The TUN interface toward the kernel: upstream IP from sessions is written here, downstream
// IP for sessions is read here. pppoed gives it the local address and routes to the pools,
// so the kernel routes (and NATs, if the operator wants) subscriber traffic.
#pragma once

#include <expected>
#include <string>

#include "dataplane/net_interface.hpp"

namespace pppoe::dataplane {

class TunDevice : public NetInterface {
 public:
  /// Creates (or attaches to) the multi-queue TUN `name`; every open is one queue. The kernel
  /// spreads packets for userland over the queues by flow, one queue per worker.
  static std::expected<TunDevice, std::string> open(const std::string& name);
  /// Stops the kernel from queueing packets to this descriptor while keeping the device: the
  /// master holds the device this way and lets the workers' queues carry the traffic.
  std::expected<void, std::string> detach_queue();
  TunDevice(TunDevice&& o) noexcept : NetInterface(std::move(o.name_)), fd_(o.fd_) { o.fd_ = -1; }
  TunDevice& operator=(TunDevice&&) = delete;
  ~TunDevice();

  [[nodiscard]] int fd() const { return fd_; }

  /// A persistent TUN outlives the process (TUNSETPERSIST): pppoec keeps its interface, with
  /// addresses, routes and the operator's firewall rules, across a crash and restart.
  std::expected<void, std::string> set_persistent(bool persistent);

  // Packets go through TunBatchReader and TunBatchWriter on fd(): never one syscall each.

 private:
  TunDevice() = default;
  int fd_ = -1;
};

}  // namespace pppoe::dataplane
