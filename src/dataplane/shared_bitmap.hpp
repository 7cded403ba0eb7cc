// A bitmap of N slots in shared memory that any process takes from and gives back to without
// locks (compare-and-swap on 64-bit words): the allocator behind the IPv4 address pools and the
// IPv6 prefix pools, so that workers assign addresses and prefixes without asking the master.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "dataplane/shared_memory.hpp"

namespace pppoe::dataplane {

/// Which slots allocate() may hand out: all, or one half (the standby pair's MASTER while its
/// peer is unconfirmed: side a the lower, side b the upper half of each pool, so that two
/// MASTERs of a split brain never hand out the same address or prefix).
enum class PoolPart : std::uint8_t { kWhole = 0, kLower = 1, kUpper = 2 };

class SharedBitmap {
 public:
  explicit SharedBitmap(std::size_t slots);

  /// A free slot of `part`, now taken; nullopt when that part is full.
  std::optional<std::size_t> allocate(PoolPart part = PoolPart::kWhole);
  /// Takes slot `i`; false if it was taken (or out of range).
  bool take(std::size_t i);
  void release(std::size_t i);

  [[nodiscard]] std::size_t size() const { return slots_; }
  [[nodiscard]] std::size_t in_use() const { return used_[0].load(std::memory_order_relaxed); }

 private:
  std::size_t slots_;
  SharedArray<std::atomic<std::uint64_t>> bits_;
  SharedArray<std::atomic<std::uint64_t>> hint_;  ///< next word to try, spreads workers apart
  SharedArray<std::atomic<std::uint64_t>> used_;
};

}  // namespace pppoe::dataplane
