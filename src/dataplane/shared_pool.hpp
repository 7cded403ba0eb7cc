// An IPv4 address pool shared by all workers: a SharedBitmap over the sorted list of pool
// addresses (identical in every process: built from the configuration before the fork).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/ipv4.hpp"
#include "dataplane/shared_bitmap.hpp"
#include "session/address_pool.hpp"

namespace pppoe::dataplane {

class SharedAddressPool {
 public:
  using Value = Ipv4Address;
  SharedAddressPool(const std::vector<session::AddressRange>& ranges, Ipv4Address exclude);

  std::optional<Ipv4Address> allocate(PoolPart part = PoolPart::kWhole);
  /// Takes a specific pool address; false if taken. Addresses outside the pools are not tracked
  /// here (contains() is false for them).
  bool reserve(Ipv4Address a);
  void release(Ipv4Address a);

  [[nodiscard]] bool contains(Ipv4Address a) const { return index_of(a).has_value(); }
  [[nodiscard]] std::size_t capacity() const { return addresses_.size(); }
  [[nodiscard]] std::size_t in_use() const { return bits_.in_use(); }

 private:
  std::optional<std::size_t> index_of(Ipv4Address a) const;

  std::vector<std::uint32_t> addresses_;
  SharedBitmap bits_;
};

}  // namespace pppoe::dataplane
