// IPv6 Neighbor Discovery's router messages (RFC 4861 section 4.1, 4.2, 4.6) with the DNS
// options of RFC 8106: what the AC answers a subscriber's Router Solicitation with, and what
// pppoetest (the CPE) reads from the Router Advertisement.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/ipv6.hpp"

namespace pppoe::ndp {

enum class Error : std::uint8_t {
  kNotIcmpv6,      ///< no IPv6 packet whose next header is ICMPv6
  kOtherType,      ///< ICMPv6, but not the message asked for
  kTruncated,
  kBadHopLimit,    ///< RFC 4861 section 6.1: 255, or it crossed a router
  kBadCode,
  kBadChecksum,
  kBadOption,      ///< an option of length 0 or running past the message
};
const char* to_string(Error e);

/// ff02::1 and ff02::2 (RFC 4291 section 2.7.1).
inline constexpr Ipv6Bytes kAllNodes{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
inline constexpr Ipv6Bytes kAllRouters{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/// A Router Solicitation that passed RFC 4861 section 6.1.1's checks.
struct RouterSolicitation {
  Ipv6Bytes source{};
};
[[nodiscard]] std::expected<RouterSolicitation, Error> decode_router_solicitation(Bytes ipv6_packet);
/// From `source` (a link-local address) to all routers; returns the size or 0 if `out` is too small.
std::size_t build_router_solicitation(MutableBytes out, const Ipv6Bytes& source);

struct RouterAdvertisement {
  std::uint8_t hop_limit = 64;      ///< Cur Hop Limit for the host's packets
  bool managed = false;             ///< M: addresses by DHCPv6
  bool other = false;               ///< O: other configuration by DHCPv6
  std::uint16_t router_lifetime = 1800;
  Ipv6Prefix prefix;                ///< empty: no Prefix Information option
  bool on_link = true, autonomous = true;  ///< L and A flags of the prefix
  std::uint32_t valid_lifetime = 2592000, preferred_lifetime = 604800;
  std::uint32_t mtu = 0;            ///< 0: no MTU option
  std::vector<Ipv6Bytes> dns;       ///< RDNSS (RFC 8106 section 5.1)
  std::vector<std::string> domains; ///< DNSSL (RFC 8106 section 5.2)
  std::uint32_t dns_lifetime = 0;   ///< of both DNS options
};
/// From `source` (our link-local address, RFC 4861 section 6.1.2) to `destination`; returns
/// the size, or 0 if `out` is too small or a domain name cannot be encoded.
std::size_t build_router_advertisement(MutableBytes out, const Ipv6Bytes& source, const Ipv6Bytes& destination,
                                       const RouterAdvertisement& ra);
/// RFC 4861 section 6.1.2's checks; the first Prefix Information option with a /64 and the A
/// flag (the one SLAAC uses), the MTU and the DNS options. Unknown options are skipped.
[[nodiscard]] std::expected<RouterAdvertisement, Error> decode_router_advertisement(Bytes ipv6_packet);

}  // namespace pppoe::ndp
