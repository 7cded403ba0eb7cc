#include "loadtest/boxes.hpp"

#include <algorithm>
#include <cmath>

namespace pppoe::loadtest {

bool BoxReport::serving() const {
  if (!snapshot) return false;
  return !snapshot->standby || snapshot->standby->role == "MASTER";
}

double BoxReport::share_pct(std::uint64_t group_sessions) const {
  if (!snapshot || group_sessions == 0) return 0;
  return 100.0 * static_cast<double>(snapshot->sessions_total) / static_cast<double>(group_sessions);
}

BoxesReport compare_boxes(std::vector<BoxReport> boxes) {
  BoxesReport r;
  r.boxes = std::move(boxes);
  std::uint64_t serving_sessions = 0;
  for (const auto& b : r.boxes) {
    if (!b.snapshot) {
      r.lowest_health = 0;
      continue;
    }
    const Snapshot& s = *b.snapshot;
    ++r.reachable;
    r.sessions += s.sessions_total;
    r.up += s.sessions_up;
    r.ipv6 += s.sessions_ipv6;
    r.workers += s.active_workers();
    r.crashes += static_cast<unsigned>(s.worker_crashes);
    r.errors += s.total_errors;
    r.lowest_health = std::min(r.lowest_health, b.health.score);
    if (b.serving()) {
      ++r.serving;
      serving_sessions += s.sessions_total;
    }
  }
  if (r.serving > 0 && serving_sessions > 0) {
    double mean = static_cast<double>(serving_sessions) / r.serving;
    double worst = 0;
    for (const auto& b : r.boxes)
      if (b.serving()) worst = std::max(worst, std::abs(static_cast<double>(b.snapshot->sessions_total) - mean) / mean);
    r.imbalance_pct = static_cast<unsigned>(std::lround(100 * worst));
  }
  return r;
}

int BoxesReport::exit_code(std::optional<unsigned> balance_threshold_pct) const {
  for (const auto& b : boxes)
    if (!b.snapshot) return b.error.exit_code;
  if (lowest_health < 70) return 1;
  if (balance_threshold_pct && imbalance_pct > *balance_threshold_pct) return 1;
  return 0;
}

}  // namespace pppoe::loadtest
