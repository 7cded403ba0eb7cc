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
  bool managed = false;  ///< M flag: addresses by DHCPv6 (IA_NA)
  bool other = false;    ///< O flag: other configuration by DHCPv6
  std::vector<Ipv6Bytes> dns;          ///< RDNSS (RFC 8106 section 5.1), at most 3
  std::vector<std::string> domains;    ///< DNSSL (RFC 8106 section 5.2)

  [[nodiscard]] bool enabled() const { return !pools.empty(); }
  [[nodiscard]] unsigned router_lifetime() const { return ra_lifetime.value_or(std::min(3 * ra_interval, 9000u)); }
};

/// Applies one IPv6 setting; nullopt when `name` is not one.
std::optional<std::expected<void, std::string>> apply_ipv6_setting(Ipv6Service& s, const std::string& name,
                                                                   const std::vector<std::string>& values);
/// Pools that overlap, lifetimes that contradict each other.
std::expected<void, std::string> validate(const Ipv6Service& s);

}  // namespace pppoe::master
