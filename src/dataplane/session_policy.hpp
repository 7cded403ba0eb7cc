// The run-time side of each session's rate limits, in shared memory: whoever forwards for
// the session (its owner upstream, any worker downstream) reserves its packets' times here
// (policy/gcra.hpp) and counts what the limits cost it. Indexed by PPPoE session ID; zeroed
// by the owner when it puts a limit in force, so a session starts with a full bucket.
#pragma once

#include <atomic>
#include <cstdint>

namespace pppoe::dataplane {

struct PolicyState {
  std::atomic<std::int64_t> down_tat_ns, up_tat_ns;  ///< theoretical arrival times (steady clock)
  std::atomic<std::uint64_t> down_dropped_packets, down_dropped_bytes;  ///< shaper queue full
  std::atomic<std::uint64_t> down_delayed_packets;                      ///< shaped: sent later
  std::atomic<std::uint64_t> up_dropped_packets, up_dropped_bytes;      ///< policed
  std::atomic<std::uint64_t> reserved;  // one cache line per session
};
static_assert(sizeof(PolicyState) == 64);

}  // namespace pppoe::dataplane
