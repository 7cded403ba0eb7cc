// The routed interface as a veth pair, used with the kernel fast path. `pppoe0` (the configured
// name) is where the kernel routes subscriber traffic and where the operator's nftables rules
// match, exactly as with the TUN; its peer (`pppoe0-w`) is the workers' side: they read the
// packets routed to subscribers from it and write the subscribers' packets into it, with packet
// sockets. Unlike a TUN, a veth takes frames from XDP (XDP_REDIRECT to the peer makes them
// arrive on pppoe0's receive path), so a fast-path packet passes the kernel's receive path
// once instead of twice (on the subscriber interface, then again on the TUN).
//
// pppoe0 is made to look like the TUN to the stack: no ARP or neighbour discovery (IFF_NOARP:
// every neighbour is reachable at pppoe0's own MAC, so frames toward the peer need no
// resolution), no IPv6 address of the kernel's own, checksums finished and large packets
// segmented before they leave (a packet socket would see them unfinished or too large), GRO on
// (a veth only receives XDP frames with NAPI on its receive side).
//
// The pair is not tied to a process: a restart or a replacement after a crash takes over the
// pair it finds (with its routes and the operator's rules), and a clean end removes it.
#pragma once

#include <expected>
#include <string>

#include "common/mac.hpp"
#include "dataplane/net_interface.hpp"

namespace pppoe::dataplane {

class VethPair {
 public:
  /// The peer's name for the routed interface `name` (at most 15 characters).
  static std::string peer_name(const std::string& name);
  /// Creates the pair `name` / peer_name(name), or takes over the one there is. Fails when
  /// `name` exists and is not a veth with that peer (a TUN of an older pppoed, say).
  static std::expected<VethPair, std::string> open(const std::string& name, int mtu);
  /// Deletes the pair; the routes through it go with it.
  std::expected<void, std::string> remove();

  [[nodiscard]] NetInterface& routed() { return routed_; }
  [[nodiscard]] const NetInterface& routed() const { return routed_; }
  [[nodiscard]] const std::string& peer() const { return peer_; }
  [[nodiscard]] int routed_ifindex() const { return routed_ifindex_; }
  [[nodiscard]] int peer_ifindex() const { return peer_ifindex_; }
  [[nodiscard]] const MacAddress& routed_mac() const { return routed_mac_; }
  [[nodiscard]] const MacAddress& peer_mac() const { return peer_mac_; }

 private:
  explicit VethPair(const std::string& name) : routed_(name), peer_(peer_name(name)) {}
  NetInterface routed_;
  std::string peer_;
  int routed_ifindex_ = 0;
  int peer_ifindex_ = 0;
  MacAddress routed_mac_;
  MacAddress peer_mac_;
};

}  // namespace pppoe::dataplane
