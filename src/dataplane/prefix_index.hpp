// Longest-prefix match from an IPv6 destination to the session it belongs to: every session's
// /64 (its WAN link, from the Router Advertisement) and delegated prefix (DHCPv6-PD), in shared
// memory. The master writes it; the worker that reads a downstream packet from the TUN looks
// the destination up without locks and without allocating.
//
// One exact-match hash (SharedIndex) holds every prefix, keyed by its upper 64 bits; the
// lengths in use are a 64-bit mask. A lookup tries each length in use, longest first: as many
// hash probes as distinct lengths (usually two: 64 and the delegation length), O(prefix length)
// at worst.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>

#include "common/ipv6.hpp"
#include "dataplane/shared_index.hpp"
#include "dataplane/shared_memory.hpp"

namespace pppoe::dataplane {

class SharedPrefixIndex {
 public:
  /// The default holds two prefixes for each of the 65,536 sessions at half load (4 MiB; the
  /// pages are touched, and counted, as the entries spread over them).
  explicit SharedPrefixIndex(unsigned capacity_log2 = 18) : index_(capacity_log2), lengths_(1) {}

  // Writer side (the master only).
  /// False when the prefix is empty or ::/n, the table is full, or a prefix with the same upper
  /// bits is indexed already (of any length: two sessions never share a prefix).
  bool insert(Ipv6Prefix prefix, std::uint16_t session_id);
  /// Removes the prefix if `session_id` owns it.
  bool erase(Ipv6Prefix prefix, std::uint16_t session_id);

  // Reader side (any process).
  [[nodiscard]] std::optional<std::uint16_t> find(const Ipv6Bytes& destination) const { return find_upper(upper_64(destination)); }
  /// The same by the destination's upper 64 bits (an IPv4 address shifted up: the Framed-Route index).
  [[nodiscard]] std::optional<std::uint16_t> find_upper(std::uint64_t upper) const;
  /// Whether any prefix is indexed: one load, so that misses of sessions without routes stay cheap.
  [[nodiscard]] bool any() const { return lengths_[0].load(std::memory_order_relaxed) != 0; }
  [[nodiscard]] std::optional<std::uint16_t> owner(Ipv6Prefix prefix) const;
  [[nodiscard]] std::size_t size() const { return index_.size(); }

 private:
  SharedIndex index_;
  SharedArray<std::atomic<std::uint64_t>> lengths_;  ///< bit L-1: some prefix of length L is indexed
  std::array<std::uint32_t, 65> per_length_{};       ///< the writer's counts behind `lengths_`
};

}  // namespace pppoe::dataplane
