// The default address pool and the named pools RADIUS may choose with Framed-Pool, each a
// lock-free SharedAddressPool in shared memory. Pools never overlap (checked in the config),
// so an address belongs to at most one of them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/shared_pool.hpp"

namespace pppoe::dataplane {

using NamedRanges = std::vector<std::pair<std::string, std::vector<session::AddressRange>>>;

class SharedPools {
 public:
  SharedPools(const std::vector<session::AddressRange>& default_ranges, const NamedRanges& named, Ipv4Address exclude);

  /// From the named pool, or the default one when `name` is empty. Nothing for an unknown name.
  std::optional<Ipv4Address> allocate(std::string_view name = {}, PoolPart part = PoolPart::kWhole);
  [[nodiscard]] bool has(std::string_view name) const;
  bool reserve(Ipv4Address a);
  void release(Ipv4Address a);
  [[nodiscard]] bool contains(Ipv4Address a) const;
  [[nodiscard]] std::size_t capacity() const;
  [[nodiscard]] std::size_t in_use() const;

 private:
  SharedAddressPool* owner(Ipv4Address a) const;
  std::vector<std::pair<std::string, std::unique_ptr<SharedAddressPool>>> pools_;  ///< [0]: the default, name ""
};

}  // namespace pppoe::dataplane
