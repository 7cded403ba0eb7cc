#include "master/governor.hpp"

#include "common/log.hpp"

namespace pppoe::master {

GovernorDecision Governor::evaluate(const GovernorSettings& s, const GovernorInput& in) {
  GovernorDecision d;
  if (!s.enabled || s.mode == 0) return d;
  auto decide = [&](const char* decision, const char* reason) {
    last_decision_ = decision;
    last_reason_ = reason;
    log::info("governor: {} (reason: {})", decision == std::string("scale_up") ? "scale up" : "scale down", reason);
  };
  if (in.active + in.draining < s.min_workers && in.current < in.max_workers) {
    d.add_worker = true;
    decide("scale_up", "below_min");
    return d;
  }
  if (in.cpu_usage > s.cpu_threshold) {
    if (in.now - last_up_ < static_cast<std::int64_t>(s.scale_up_interval)) return d;
    // Change of heart (30.6.10.2): a worker on its way out returns before a new one is made.
    d.cancel_drain = in.draining > 0;
    d.add_worker = in.current < in.max_workers;
    if (!d.any()) return d;  // at max_workers with nothing draining: nothing to do
    last_up_ = in.now;
    decide("scale_up", "cpu_high");
    return d;
  }
  if (in.cpu_usage < s.cpu_low_threshold) {
    if (in.now - last_down_ < static_cast<std::int64_t>(s.scale_down_interval)) return d;
    if (in.active <= s.min_workers) return d;
    d.drain_worker = true;
    last_down_ = in.now;
    decide("scale_down", "cpu_low");
  }
  return d;
}

}  // namespace pppoe::master
