// Discovery policy against floods and start-up storms (accel-ppp's padi-limit, max-starting,
// max-sessions-per-mac and pado-delay): decides, before any answer or state, whether a PADI
// gets a PADO (now, later, or never) and whether a PADR may create a session. Pure: time and
// load come in as arguments, so tests drive it directly.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "common/clock.hpp"
#include "common/mac.hpp"
#include "dataplane/drop_counters.hpp"

namespace pppoe::master {

/// Every field is a sysctl (net.graph.pppoe_lb.limits.*) and a config setting; 0 = off.
struct DiscoveryLimits {
  unsigned padi_rate = 0;             ///< PADIs answered per second, all clients together
  unsigned padi_rate_per_mac = 0;     ///< PADIs answered per second from one MAC
  unsigned max_starting = 0;          ///< sessions still negotiating (PADS sent, IPCP not up)
  unsigned max_sessions_per_mac = 0;  ///< sessions of one client MAC
  unsigned pado_delay_ms = 0;         ///< PADO delay at any load
  unsigned pado_delay_per_1000 = 0;   ///< extra PADO delay (ms) per 1,000 sessions, counted per
                                      ///< session: the least loaded of several ACs on a segment
                                      ///< answers first, even when they differ by one session
  unsigned pado_delay_cpu_ms = 0;     ///< extra PADO delay (ms) at 100 % CPU of the workers, in
                                      ///< proportion to their average load
  unsigned pado_stop_sessions = 0;    ///< no PADO at or above this many sessions
  unsigned pado_stop_cpu = 0;         ///< no PADO at or above this CPU load of the workers (%)
};

/// What the guard decided about a PADI: answer after `delay` (zero: now), or drop for `reason`.
struct PadiVerdict {
  std::optional<dataplane::Drop> drop;
  Duration delay{};
};

class DiscoveryGuard {
 public:
  explicit DiscoveryGuard(const DiscoveryLimits& limits) : limits_(limits) {}

  /// `sessions` on this AC now, `cpu_percent` the workers' average load (CpuSampler).
  PadiVerdict on_padi(const MacAddress& mac, std::size_t sessions, unsigned cpu_percent, TimePoint now);
  /// Whether a PADR may create a session; `starting` sessions are negotiating, `of_mac` belong
  /// to this client already.
  std::optional<dataplane::Drop> on_padr(std::size_t starting, std::size_t of_mac) const;

 private:
  const DiscoveryLimits& limits_;
  std::int64_t window_ = -1;  ///< the current one-second window (fixed windows: cheap, bounded)
  unsigned in_window_ = 0;
  /// PADIs per MAC in the current window. Cleared every window, and never larger than
  /// kMaxTracked: a flood of random MACs cannot grow it (the global rate limits those).
  std::unordered_map<std::uint64_t, unsigned> per_mac_;
  static constexpr std::size_t kMaxTracked = 65536;
};

}  // namespace pppoe::master
