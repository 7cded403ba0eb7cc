// Networks behind a subscriber's router (operator guide "Service policy"): RADIUS Framed-Route
// (RFC 2865 section 5.22: "PREFIX[/LEN] GATEWAY METRIC...", IPv4) and Framed-IPv6-Route
// (RFC 3162 section 2.5: "PREFIX/LEN GATEWAY METRIC..."), Framed-IP-Netmask (section 5.9: the
// subscriber routes the network of its address), and ppp.secret route=PREFIX[,PREFIX].
// Downstream finds the session by longest-prefix match over them; upstream accepts their
// sources. A gateway other than the subscriber itself (0.0.0.0 / ::) cannot be honoured on a
// point-to-point session and refuses the route.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ipv4.hpp"
#include "common/ipv6.hpp"

namespace pppoe::policy {

/// Per session, as the session record keeps them.
inline constexpr std::size_t kMaxRoutes4 = 2;
inline constexpr std::size_t kMaxRoutes6 = 1;

struct Route4 {
  std::uint32_t network = 0;  ///< host order, no host bits
  std::uint8_t length = 0;    ///< 1..32
  friend bool operator==(const Route4&, const Route4&) = default;
  [[nodiscard]] bool contains(Ipv4Address a) const {
    return length != 0 && (a.value & (length == 32 ? ~0u : ~(~0u >> length))) == network;
  }
  [[nodiscard]] std::string to_string() const;
};

struct FramedRoutes {
  std::vector<Route4> v4;
  std::vector<Ipv6Prefix> v6;  ///< up to /64 (the prefix index's reach)
  [[nodiscard]] bool empty() const { return v4.empty() && v6.empty(); }
};

/// "192.0.2.0/24 0.0.0.0 1", "192.0.2.0/24", "192.0.2.0 0.0.0.0 1" (a classful /32 without LEN).
std::expected<Route4, std::string> parse_framed_route(std::string_view text);
/// "2001:db8:1::/48 :: 1", "2001:db8:1::/48".
std::expected<Ipv6Prefix, std::string> parse_framed_ipv6_route(std::string_view text);
/// Framed-IP-Netmask with the session's Framed-IP-Address: the network when it is wider than
/// /32 (a router), nullopt for 255.255.255.255 or a netmask that is not contiguous.
std::optional<Route4> netmask_route(Ipv4Address address, Ipv4Address netmask);
/// ppp.secret route=: prefixes of either family, comma separated.
std::expected<FramedRoutes, std::string> parse_route_list(std::string_view text);

}  // namespace pppoe::policy
