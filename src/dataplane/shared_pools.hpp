// The IPv4 address pools: the default one and the named pools RADIUS may choose with
// Framed-Pool. A reload may grow them and add named pools (operator guide "Reload"): each pool
// has room to grow, and spare pools wait in shared memory for names, because nothing shared can
// be made once the workers are forked.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/named_pools.hpp"
#include "dataplane/shared_pool.hpp"

namespace pppoe::dataplane {

using NamedRanges = std::vector<std::pair<std::string, std::vector<session::AddressRange>>>;

/// How many addresses a pool has room for: 4 times its size at start, at least 2^20 (a 128 KiB
/// bitmap, its pages untouched until used).
inline std::size_t pool_room(std::size_t addresses) { return std::max<std::size_t>(addresses * 4, std::size_t{1} << 20); }
/// Named pools a reload may add before a restart.
inline constexpr std::size_t kSparePools = 8;

class SharedPools : public NamedPools<SharedAddressPool> {
 public:
  SharedPools(const std::vector<session::AddressRange>& default_ranges, const NamedRanges& named, Ipv4Address exclude);

  /// Why the pools cannot become `default_ranges` and `named` while sessions are up (a pool
  /// would lose addresses or disappear, or there is no room), or nothing when they can.
  [[nodiscard]] std::optional<std::string> why_not(const std::vector<session::AddressRange>& default_ranges,
                                                   const NamedRanges& named, Ipv4Address exclude) const;
  /// Grows the pools and adds the new named ones, in the order of `named`; only after
  /// why_not() found nothing. Every process calls it with the same arguments, so slots and pool
  /// positions stay the same everywhere. Returns the addresses added.
  std::size_t change(const std::vector<session::AddressRange>& default_ranges, const NamedRanges& named, Ipv4Address exclude);

 private:
  std::vector<std::unique_ptr<SharedAddressPool>> spares_;  ///< empty, taken from the back
};

}  // namespace pppoe::dataplane
