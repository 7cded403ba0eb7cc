// An IPv4 address pool shared by all workers: a SharedBitmap over the list of pool addresses
// (identical in every process: built from the configuration before the fork, and grown by the
// same reload in each). Slot i is always the same address; a reload only appends.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ipv4.hpp"
#include "dataplane/shared_bitmap.hpp"
#include "session/address_pool.hpp"

namespace pppoe::dataplane {

class SharedAddressPool {
 public:
  using Value = Ipv4Address;
  /// The addresses of `ranges` but `exclude`, with room to grow to `capacity` addresses.
  SharedAddressPool(const std::vector<session::AddressRange>& ranges, Ipv4Address exclude, std::size_t capacity = 0);

  std::optional<Ipv4Address> allocate(PoolPart part = PoolPart::kWhole);
  /// Takes a specific pool address; false if taken. Addresses outside the pools are not tracked
  /// here (contains() is false for them).
  bool reserve(Ipv4Address a);
  void release(Ipv4Address a);

  /// How many addresses the pool gains if it becomes `ranges` (but `exclude`), or why it
  /// cannot without a restart: an address it has would go, or the capacity would not hold.
  [[nodiscard]] std::expected<std::size_t, std::string> growth(const std::vector<session::AddressRange>& ranges,
                                                               Ipv4Address exclude) const;
  /// Becomes `ranges`; only after growth() said it can.
  void grow(const std::vector<session::AddressRange>& ranges, Ipv4Address exclude);

  [[nodiscard]] bool contains(Ipv4Address a) const { return index_of(a).has_value(); }
  [[nodiscard]] std::size_t capacity() const { return addresses_.size(); }
  [[nodiscard]] std::size_t room() const { return bits_.capacity(); }
  [[nodiscard]] std::size_t in_use() const { return bits_.in_use(); }

 private:
  std::optional<std::size_t> index_of(Ipv4Address a) const;
  /// The addresses of `next` (sorted) this pool lacks, or nothing if it has one `next` lacks.
  std::optional<std::vector<std::uint32_t>> added(const std::vector<std::uint32_t>& next) const;

  std::vector<std::uint32_t> addresses_;                        ///< by slot
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sorted_;  ///< (address, slot) by address
  SharedBitmap bits_;
};

}  // namespace pppoe::dataplane
