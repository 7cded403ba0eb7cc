// A bitmap of slots in shared memory that any process takes from and gives back to without
// locks (compare-and-swap on 64-bit words): the allocator behind the IPv4 address pools and the
// IPv6 prefix pools, so that workers assign addresses and prefixes without asking the master.
//
// The shared words are sized once, before the workers are forked, for the most slots the pool
// may ever have (its capacity); how many of them are in use is each process's own count, which
// only grows (a reload that adds addresses to a pool: every process learns of them from the
// same configuration, and a slot's meaning never changes).
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
  /// `slots` usable now, room for `capacity` (at least `slots`).
  explicit SharedBitmap(std::size_t slots, std::size_t capacity = 0);

  /// A free slot of `part`, now taken; nullopt when that part is full.
  std::optional<std::size_t> allocate(PoolPart part = PoolPart::kWhole);
  /// Takes slot `i`; false if it was taken (or out of range).
  bool take(std::size_t i);
  void release(std::size_t i);
  /// Makes slots [size(), slots) usable in this process; false (nothing changes) beyond the
  /// capacity or below the current size.
  bool grow(std::size_t slots);

  [[nodiscard]] std::size_t size() const { return slots_; }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  [[nodiscard]] std::size_t in_use() const { return used_[0].load(std::memory_order_relaxed); }

 private:
  std::size_t slots_;     ///< this process's view: slots [0, slots_) exist
  std::size_t capacity_;  ///< fixed at construction, the same in every process
  SharedArray<std::atomic<std::uint64_t>> bits_;
  SharedArray<std::atomic<std::uint64_t>> hint_;  ///< next word to try, spreads workers apart
  SharedArray<std::atomic<std::uint64_t>> used_;
};

}  // namespace pppoe::dataplane
