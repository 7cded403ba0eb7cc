// A hash index in shared memory from a 64-bit key (an IPv4 address, or an IPv6 interface
// identifier) to a PPPoE session ID: how the worker that reads a downstream packet from the
// TUN finds the session, whoever owns it.
//
// One writer (the master) inserts and erases; any process reads without locks. Open addressing
// with linear probing and backward-shift deletion (no tombstones, so the table never fills with
// dead entries); a sequence counter lets readers retry if a write moved entries under them.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "dataplane/shared_memory.hpp"

namespace pppoe::dataplane {

class SharedIndex {
 public:
  /// `capacity_log2`: the table has 2^capacity_log2 slots; keep it under half full.
  explicit SharedIndex(unsigned capacity_log2 = 18);

  // Writer side (one process only).
  /// False if the key is present already or the table is full.
  bool insert(std::uint64_t key, std::uint32_t value);
  bool erase(std::uint64_t key);

  // Reader side (any process).
  [[nodiscard]] std::optional<std::uint16_t> find(std::uint64_t key) const {
    auto v = find_value(key);
    if (!v) return std::nullopt;
    return static_cast<std::uint16_t>(*v);
  }
  /// The whole 32-bit value (a session ID in the low 16 bits; SharedPrefixIndex keeps the
  /// prefix length above it).
  [[nodiscard]] std::optional<std::uint32_t> find_value(std::uint64_t key) const;
  [[nodiscard]] std::size_t size() const { return header_[0].count.load(std::memory_order_relaxed); }

  /// Keys are never 0 (the empty marker); IPv4 keys are tagged to keep them apart from IPv6 ones.
  static std::uint64_t ipv4_key(std::uint32_t address) { return (std::uint64_t{1} << 40) | address; }
  static std::uint64_t ipv6_key(std::uint64_t interface_id) { return interface_id == 0 ? 1 : interface_id; }

 private:
  struct Slot {
    std::atomic<std::uint64_t> key;
    std::atomic<std::uint32_t> value;
  };
  struct Header {
    std::atomic<std::uint64_t> seq;
    std::atomic<std::uint64_t> count;
  };
  std::size_t home(std::uint64_t key) const;

  std::size_t mask_;
  SharedArray<Slot> slots_;
  SharedArray<Header> header_;
};

}  // namespace pppoe::dataplane
