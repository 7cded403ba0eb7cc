// IPv6 prefix pools shared by all workers: an aggregate (ipv6-pool 2001:db8:100::/40 64) cut
// into prefixes of one length, a SharedBitmap over them. The sessions' /64s (Router
// Advertisement, RFC 4861) and their delegated prefixes (DHCPv6-PD, RFC 8415) come from here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ipv6.hpp"
#include "dataplane/named_pools.hpp"
#include "dataplane/shared_bitmap.hpp"

namespace pppoe::dataplane {

/// One pool as configured: `aggregate` cut into prefixes of `length`.
struct PrefixPoolSpec {
  std::string name;  ///< "" for the default pool
  Ipv6Prefix aggregate;
  std::uint8_t length = 64;
};

/// More slots than this is a configuration error (2^24 /64s of a /40: a 2 MiB bitmap).
inline constexpr unsigned kMaxPrefixPoolBits = 24;

class SharedPrefixPool {
 public:
  using Value = Ipv6Prefix;
  /// `spec.length` >= the aggregate's length, at most kMaxPrefixPoolBits more (the
  /// configuration checks both).
  explicit SharedPrefixPool(const PrefixPoolSpec& spec);

  std::optional<Ipv6Prefix> allocate(PoolPart part = PoolPart::kWhole);
  /// Takes a specific prefix of this pool; false if taken or not one of its prefixes.
  bool reserve(Ipv6Prefix p);
  void release(Ipv6Prefix p);

  [[nodiscard]] bool contains(Ipv6Prefix p) const {
    return p.length == length_ && (p.upper & ~p.mask()) == 0 && aggregate_.contains(p);
  }
  [[nodiscard]] std::size_t capacity() const { return bits_.size(); }
  [[nodiscard]] std::size_t in_use() const { return bits_.in_use(); }
  [[nodiscard]] const Ipv6Prefix& aggregate() const { return aggregate_; }
  [[nodiscard]] std::uint8_t length() const { return length_; }

 private:
  [[nodiscard]] std::size_t index_of(Ipv6Prefix p) const { return static_cast<std::size_t>((p.upper - aggregate_.upper) >> (64 - length_)); }

  Ipv6Prefix aggregate_;
  std::uint8_t length_;
  SharedBitmap bits_;
};

/// The default pool (the first spec without a name, if any) and the named ones.
class SharedPrefixPools : public NamedPools<SharedPrefixPool> {
 public:
  explicit SharedPrefixPools(const std::vector<PrefixPoolSpec>& specs);
};

}  // namespace pppoe::dataplane
