// A rate limit that several processes apply to one session at once, without locks: the
// Generic Cell Rate Algorithm in its virtual-scheduling form (ITU-T I.371; the token bucket
// seen from its other side). One 64-bit "theoretical arrival time" (TAT) in shared memory per
// session and direction; a packet of L octets at time t:
//
//   conforms when TAT - tau <= t     (tau: the burst, as the time the rate needs to send it)
//   and then moves TAT to max(TAT, t) + L / rate.
//
// A policer drops what does not conform. A shaper instead gives the packet a departure time,
// TAT - tau, and moves TAT on as if it had conformed; the packet waits in the worker's queue
// until then, or is dropped when that is more than `max_delay` away (the queue is full). The
// departure times of one session are reserved in order whichever worker reserves them, so the
// session's rate holds across workers. One compare-and-swap per packet, O(1), no allocation.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "policy/rate.hpp"

namespace pppoe::policy {

struct Admission {
  enum class Verdict : std::uint8_t { kSend, kDelay, kDrop };
  Verdict verdict = Verdict::kSend;
  std::int64_t depart_ns = 0;  ///< kDelay: when (same clock as `now_ns`)
};

/// Nanoseconds the rate needs for `octets`.
inline std::int64_t transmit_ns(std::uint64_t octets, std::uint32_t kbps) {
  return static_cast<std::int64_t>(octets * 8'000'000 / std::max<std::uint32_t>(kbps, 1));
}

/// `max_delay_ns` 0: a policer (kSend or kDrop); else a shaper (kSend, kDelay or kDrop).
inline Admission admit(std::atomic<std::int64_t>& tat, std::int64_t now_ns, std::uint32_t octets, const Rate& rate,
                       std::int64_t max_delay_ns) {
  const std::int64_t tau = transmit_ns(rate.burst, rate.kbps);
  const std::int64_t cost = transmit_ns(octets, rate.kbps);
  std::int64_t seen = tat.load(std::memory_order_relaxed);
  while (true) {
    const std::int64_t start = std::max(seen, now_ns);
    const std::int64_t depart = seen - tau;  // when this packet conforms
    Admission a;
    if (depart > now_ns) {
      if (max_delay_ns == 0 || depart - now_ns > max_delay_ns) return {Admission::Verdict::kDrop, 0};
      a = {Admission::Verdict::kDelay, depart};
    }
    // A shaped packet is sent at `depart`: its successor's TAT counts from there.
    const std::int64_t next = (a.verdict == Admission::Verdict::kDelay ? seen : start) + cost;
    if (tat.compare_exchange_weak(seen, next, std::memory_order_relaxed)) return a;
  }
}

}  // namespace pppoe::policy
