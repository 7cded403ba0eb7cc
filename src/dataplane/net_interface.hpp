// A network interface configured by name: its address, MTU, state and the routes through it.
// The routed interface toward the kernel (pppoed's pppoe0, a TUN or a veth pair) and pppoec's
// link are configured this way; how packets move through them is the device's business.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "common/bytes.hpp"
#include "common/ipv4.hpp"
#include "common/ipv6.hpp"
#include "common/mac.hpp"

namespace pppoe::dataplane {

class NetInterface {
 public:
  explicit NetInterface(std::string name) : name_(std::move(name)) {}
  [[nodiscard]] const std::string& name() const { return name_; }
  /// Its Ethernet address (SIOCGIFHWADDR).
  [[nodiscard]] std::expected<MacAddress, std::string> mac() const;

  /// Brings the interface up with `local/32` and `mtu`.
  std::expected<void, std::string> configure(Ipv4Address local, int mtu);
  /// Brings the interface up with `mtu` and no address (pppoec -auto with a wildcard address:
  /// routes through it work, the address comes with the session).
  std::expected<void, std::string> set_up(int mtu);
  /// The far end of a point-to-point link (pppoec: the AC's IPCP address), SIOCSIFDSTADDR.
  std::expected<void, std::string> set_peer_address(Ipv4Address peer);
  /// Takes the interface down (addresses and routes through it go with it).
  std::expected<void, std::string> set_down();
  /// No link-local address of the kernel's own (addr_gen_mode 1): only those we add.
  std::expected<void, std::string> disable_ipv6_autoconf();
  /// Adds an IPv6 address (the AC's link-local fe80::1/64 that every session talks to).
  std::expected<void, std::string> add_ipv6_address(const std::array<std::uint8_t, 16>& address, int prefix_len);
  /// Why this interface can have no IPv6 address (the kernel without IPv6, or disable_ipv6 set
  /// for it, e.g. by net.ipv6.conf.all.disable_ipv6=1), or nullopt when it can.
  [[nodiscard]] std::optional<std::string> ipv6_unavailable() const;
  /// The IPv6 default route through this interface (pppoec: `add default HISADDR6`, OpenBSD's
  /// `route add -inet6 default -ifp pppoe0`); a point-to-point link needs no gateway.
  std::expected<void, std::string> add_ipv6_default_route();
  /// Routes `prefix/bits` through this interface (pppoed: its ipv6-pools, one route each).
  std::expected<void, std::string> add_ipv6_route(const Ipv6Bytes& prefix, int bits);
  std::expected<void, std::string> delete_ipv6_route(const Ipv6Bytes& prefix, int bits);
  /// Routes `prefix/bits` through this interface.
  std::expected<void, std::string> add_route(Ipv4Address prefix, int bits);
  std::expected<void, std::string> delete_route(Ipv4Address prefix, int bits);

 protected:
  NetInterface() = default;
  std::string name_;

 private:
  std::expected<void, std::string> route(unsigned long request, Ipv4Address prefix, int bits);
  std::expected<void, std::string> ipv6_route(unsigned long request, const Ipv6Bytes& prefix, int bits);
  /// This interface's index, asked through `ipv6_socket` (an AF_INET6 socket; -1: its creation
  /// failed, which is reported).
  std::expected<int, std::string> ipv6_ifindex(int ipv6_socket) const;
};

}  // namespace pppoe::dataplane
