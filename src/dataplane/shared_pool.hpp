// The address pools shared by all workers: a bitmap in shared memory over the sorted list of
// pool addresses (identical in every process: built from the configuration before the fork).
// Allocation and release are lock-free (compare-and-swap on 64-bit words), so workers assign
// addresses without asking the master.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/ipv4.hpp"
#include "dataplane/shared_memory.hpp"
#include "session/address_pool.hpp"

namespace pppoe::dataplane {

/// Which addresses of a pool allocate() may hand out: all, or one half (the standby pair's
/// MASTER while its peer is unconfirmed: side a the lower, side b the upper half of each pool,
/// so that two MASTERs of a split brain never hand out the same address).
enum class PoolPart : std::uint8_t { kWhole = 0, kLower = 1, kUpper = 2 };

class SharedAddressPool {
 public:
  SharedAddressPool(const std::vector<session::AddressRange>& ranges, Ipv4Address exclude);

  std::optional<Ipv4Address> allocate(PoolPart part = PoolPart::kWhole);
  /// Takes a specific pool address; false if taken. Addresses outside the pools are not tracked
  /// here (contains() is false for them).
  bool reserve(Ipv4Address a);
  void release(Ipv4Address a);

  [[nodiscard]] bool contains(Ipv4Address a) const { return index_of(a).has_value(); }
  [[nodiscard]] std::size_t capacity() const { return addresses_.size(); }
  [[nodiscard]] std::size_t in_use() const { return used_[0].load(std::memory_order_relaxed); }

 private:
  std::optional<std::size_t> index_of(Ipv4Address a) const;
  bool take(std::size_t i);

  std::vector<std::uint32_t> addresses_;
  SharedArray<std::atomic<std::uint64_t>> bits_;
  SharedArray<std::atomic<std::uint64_t>> hint_;  ///< next word to try, spreads workers apart
  SharedArray<std::atomic<std::uint64_t>> used_;
};

}  // namespace pppoe::dataplane
