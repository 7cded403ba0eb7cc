// IPv6 for subscribers beyond IPv6CP's link-local link (operator guide "IPv6"): the prefix
// pools and what the Router Advertisements say (RFC 4861 section 6.2.1's router
// configuration variables, RFC 8106's DNS options).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "common/ipv6.hpp"
#include "dataplane/shared_prefix_pool.hpp"

namespace pppoe::master {

struct Ipv6Service {
  /// ipv6-pool [NAME] PREFIX/LEN [64]: the sessions' /64s (SLAAC needs 64-bit interface
  /// identifiers, RFC 4862 section 5.5.3, so 64 is the only length).
  std::vector<dataplane::PrefixPoolSpec> pools;
  unsigned ra_interval = 600;  ///< MaxRtrAdvInterval, seconds (4..1800); MinRtrAdvInterval is a third of it
  std::optional<unsigned> ra_lifetime;  ///< AdvDefaultLifetime, seconds; default 3 x ra_interval
  unsigned valid_lifetime = 2592000;    ///< AdvValidLifetime (30 days)
  unsigned preferred_lifetime = 604800; ///< AdvPreferredLifetime (7 days)
  /// ipv6-delegate-pool [NAME] PREFIX/LEN [LENGTH]: delegated prefixes (DHCPv6-PD), /56 by
  /// default (RIPE-690 section 4.2: /56 or /48 for a subscriber's LANs), 48..64.
  std::vector<dataplane::PrefixPoolSpec> delegate_pools;
  bool dhcpv6 = true;              ///< the DHCPv6 server on each session (RFC 8415)
  bool dhcpv6_rapid_commit = true; ///< answer a Solicit with Rapid Commit by a Reply (section 18.3.1)
  bool dhcpv6_ia_na = false;       ///< also an address (IA_NA): the session's /64 with the client's identifier
  unsigned dhcpv6_rate = 10;       ///< DHCPv6 messages per second and session (burst twice that)
  /// Seconds an ended session's prefixes stay reserved for its user (0: back to the pool at once).
  unsigned prefix_hold = 600;
  std::optional<bool> managed;     ///< M flag; default: dhcpv6 with IA_NA
  std::optional<bool> other;       ///< O flag; default: with the DHCPv6 server
  std::vector<Ipv6Bytes> dns;          ///< RDNSS (RFC 8106 section 5.1), at most 3
  std::vector<std::string> domains;    ///< DNSSL (RFC 8106 section 5.2)

  [[nodiscard]] bool enabled() const { return !pools.empty(); }
  [[nodiscard]] bool dhcpv6_server() const { return enabled() && dhcpv6; }
  [[nodiscard]] bool managed_flag() const { return managed.value_or(dhcpv6_server() && dhcpv6_ia_na); }
  [[nodiscard]] bool other_flag() const { return other.value_or(dhcpv6_server()); }
  /// RFC 8415 section 21.4's recommendation: T1 = 0.5 and T2 = 0.8 of the preferred lifetime.
  [[nodiscard]] std::uint32_t t1() const { return preferred_lifetime / 2; }
  [[nodiscard]] std::uint32_t t2() const { return static_cast<std::uint32_t>(preferred_lifetime * 4ull / 5); }
  [[nodiscard]] unsigned router_lifetime() const { return ra_lifetime.value_or(std::min(3 * ra_interval, 9000u)); }
};

/// Applies one IPv6 setting; nullopt when `name` is not one.
std::optional<std::expected<void, std::string>> apply_ipv6_setting(Ipv6Service& s, const std::string& name,
                                                                   const std::vector<std::string>& values);
/// Pools that overlap, lifetimes that contradict each other.
std::expected<void, std::string> validate(const Ipv6Service& s);

}  // namespace pppoe::master
