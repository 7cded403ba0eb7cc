// The routed interface (pppoe0) as the master holds it: the TUN, whose queue the master detaches
// (the workers' queues carry the traffic), or, with the kernel fast path, the veth pair
// (dataplane/veth_pair.hpp). The master gives it the address and the routes either way.
#pragma once

#include <expected>
#include <optional>
#include <string>

#include "dataplane/tun_device.hpp"
#include "dataplane/veth_pair.hpp"
#include "master/config.hpp"

namespace pppoe::master {

class RoutedInterface {
 public:
  static std::expected<RoutedInterface, std::string> open(const Config& config, int mtu);

  [[nodiscard]] dataplane::NetInterface& net() { return tun_ ? static_cast<dataplane::NetInterface&>(*tun_) : veth_->routed(); }
  [[nodiscard]] const std::string& name() const { return tun_ ? tun_->name() : veth_->routed().name(); }
  /// The descriptor a forked worker closes (-1: none, the veth pair has none).
  [[nodiscard]] int fd() const { return tun_ ? tun_->fd() : -1; }
  /// The pair, with the fast path: its XDP program passes packets into the peer.
  [[nodiscard]] const dataplane::VethPair* veth() const { return veth_ ? &*veth_ : nullptr; }
  /// A clean end (no handover): the veth pair goes with its routes, as a TUN does with its last
  /// descriptor. A pair left by a crash is taken over by the next start.
  void remove();

 private:
  RoutedInterface() = default;
  std::optional<dataplane::TunDevice> tun_;
  std::optional<dataplane::VethPair> veth_;
};

}  // namespace pppoe::master
