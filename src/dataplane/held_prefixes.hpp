// The prefixes of ended sessions, kept for their user for ipv6-prefix-hold seconds (operator
// guide "IPv6"): a subscriber who reconnects in that time gets the same /64 and delegated
// prefix back, because CPEs and the LANs behind them hate renumbering.
//
// In shared memory: the master holds entries when sessions end and expires them (giving the
// prefixes back to their pools); a worker claims its user's entry when IPv6CP opens. The claim
// is a compare-and-swap on the entry's state, so two sessions of one user never both get it,
// and an entry the master is expiring at the same moment is either claimed or expired, never
// both. The pool bits stay taken while an entry is held or claimed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "common/ipv6.hpp"
#include "dataplane/shared_index.hpp"
#include "dataplane/shared_memory.hpp"

namespace pppoe::dataplane {

class HeldPrefixes {
 public:
  struct Held {
    Ipv6Prefix wan, delegated;
  };
  explicit HeldPrefixes(std::size_t capacity = 16384);

  /// The user's key (FNV-1a 64 of the name, never 0).
  static std::uint64_t key_of(std::string_view user);

  // Master side.
  /// Keeps `h` for the user until `expires_ms`; false when full or the user holds an entry
  /// already (the caller then gives the prefixes back itself).
  bool hold(std::uint64_t user, const Held& h, std::int64_t expires_ms);
  /// Drops entries that were claimed, and those past their time after giving their prefixes to
  /// `release`. Call it every second or so.
  void expire(std::int64_t now_ms, const std::function<void(const Held&)>& release);
  [[nodiscard]] std::size_t size() const { return used_.size(); }

  // Worker side.
  /// Takes the user's entry, if there is one and nobody took or expired it first.
  std::optional<Held> claim(std::uint64_t user);

 private:
  enum State : std::uint32_t { kFree = 0, kHeld = 1, kClaimed = 2 };
  struct Slot {
    std::atomic<std::uint32_t> state;
    std::uint64_t user;
    std::uint64_t wan, delegated;
    std::uint8_t wan_len, delegated_len;
    std::int64_t expires_ms;
  };
  void free_slot(std::uint32_t i);

  SharedIndex index_;  ///< user key -> slot
  SharedArray<Slot> slots_;
  std::vector<std::uint32_t> free_, used_;  ///< the master's bookkeeping
};

}  // namespace pppoe::dataplane
