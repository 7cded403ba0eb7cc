// IPv6 addresses and the prefixes pppoed hands to sessions: a session's /64 (SLAAC, RFC 4862)
// and its delegated prefix (DHCPv6-PD, RFC 8415). Every prefix pppoed assigns is at most 64
// bits long (RFC 7421: the interface identifier is 64 bits), so a prefix is its upper 64 bits
// and a length.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pppoe {

using Ipv6Bytes = std::array<std::uint8_t, 16>;

/// The upper 64 bits of an address (the routing prefix and subnet ID of a /64), host order.
std::uint64_t upper_64(const Ipv6Bytes& address);
std::optional<Ipv6Bytes> parse_ipv6(std::string_view text);
std::string ipv6_to_string(const Ipv6Bytes& address);

struct Ipv6Prefix {
  std::uint64_t upper = 0;  ///< the prefix bits in the upper 64 bits of an address; bits past `length` zero
  std::uint8_t length = 0;  ///< 1..64; 0: no prefix

  [[nodiscard]] bool empty() const { return length == 0; }
  [[nodiscard]] std::uint64_t mask() const { return length == 0 ? 0 : ~std::uint64_t{0} << (64 - length); }
  [[nodiscard]] bool contains(const Ipv6Bytes& address) const { return !empty() && (upper_64(address) & mask()) == upper; }
  [[nodiscard]] bool contains(const Ipv6Prefix& p) const { return !empty() && p.length >= length && (p.upper & mask()) == upper; }
  /// prefix::interface_id: a host in the prefix (the session's WAN address from SLAAC).
  [[nodiscard]] Ipv6Bytes address(std::uint64_t interface_id = 0) const;
  [[nodiscard]] std::string to_string() const;  ///< "2001:db8:100::/64"
  /// "2001:db8::/40": the length 1..64 and no bits set past it; nullopt otherwise.
  static std::optional<Ipv6Prefix> parse(std::string_view text);
  friend auto operator<=>(const Ipv6Prefix&, const Ipv6Prefix&) = default;
};

}  // namespace pppoe
