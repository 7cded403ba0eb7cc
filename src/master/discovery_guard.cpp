#include "master/discovery_guard.hpp"

#include <algorithm>

namespace pppoe::master {

using dataplane::Drop;

PadiVerdict DiscoveryGuard::on_padi(const MacAddress& mac, std::size_t sessions, unsigned cpu_percent, TimePoint now) {
  PadiVerdict v;
  if ((limits_.pado_stop_sessions != 0 && sessions >= limits_.pado_stop_sessions) ||
      (limits_.pado_stop_cpu != 0 && cpu_percent >= limits_.pado_stop_cpu)) {
    v.drop = Drop::kPadoSuppressed;  // leave this client to a less loaded access concentrator
    return v;
  }
  auto second = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (second != window_) {
    window_ = second;
    in_window_ = 0;
    per_mac_.clear();
  }
  if (limits_.padi_rate != 0 && in_window_ >= limits_.padi_rate) {
    v.drop = Drop::kPadiRateLimited;
    return v;
  }
  if (limits_.padi_rate_per_mac != 0) {
    auto it = per_mac_.find(mac.as_u64());
    if (it == per_mac_.end()) {
      if (per_mac_.size() < kMaxTracked) per_mac_.emplace(mac.as_u64(), 1);
    } else if (it->second >= limits_.padi_rate_per_mac) {
      v.drop = Drop::kPadiMacRateLimited;
      return v;
    } else {
      ++it->second;
    }
  }
  ++in_window_;
  // In microseconds, so that one session more is a later answer: N ms per 1,000 sessions is
  // N us per session (accel-ppp's steps of whole thousands spread a few hundred subscribers
  // over several ACs at random).
  std::uint64_t us = std::uint64_t{limits_.pado_delay_ms} * 1000 + std::uint64_t{limits_.pado_delay_per_1000} * sessions +
                     std::uint64_t{limits_.pado_delay_cpu_ms} * 10 * std::min(cpu_percent, 100u);
  v.delay = std::chrono::duration_cast<Duration>(microseconds(us));
  return v;
}

std::optional<Drop> DiscoveryGuard::on_padr(std::size_t starting, std::size_t of_mac) const {
  // Back-pressure, not loss: a refused PADR gets no PADS and the client simply retries.
  if (limits_.max_starting != 0 && starting >= limits_.max_starting) return Drop::kMaxStarting;
  if (limits_.max_sessions_per_mac != 0 && of_mac >= limits_.max_sessions_per_mac) return Drop::kMacSessionLimit;
  return std::nullopt;
}

}  // namespace pppoe::master
