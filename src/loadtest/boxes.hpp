// pppoetest -m diagnose against several access concentrators at once (`-h A,B,C`, `-h` or `-s`
// repeated): the boxes that share one subscriber network (docs/scaling.md "Several boxes")
// side by side, each with its sessions, load and health, and the group's total and spread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loadtest/diagnose.hpp"

namespace pppoe::loadtest {

struct BoxReport {
  std::string name;  ///< the endpoint as the operator gave it: HOST[:PORT] or a socket path
  std::optional<Snapshot> snapshot;
  FetchError error;  ///< why there is no snapshot
  Health health;
  /// Whether this box should carry a share of the subscribers: reachable, and, in a standby
  /// pair, the MASTER (the BACKUP holds sessions only in its records; FAULT serves none).
  [[nodiscard]] bool serving() const;
  [[nodiscard]] double share_pct(std::uint64_t group_sessions) const;
};

struct BoxesReport {
  std::vector<BoxReport> boxes;
  std::uint64_t sessions = 0, up = 0, ipv6 = 0;
  unsigned reachable = 0, serving = 0;
  unsigned workers = 0, crashes = 0;
  std::uint64_t errors = 0;
  unsigned lowest_health = 100;
  /// The largest |deviation| of a serving box's sessions from the serving boxes' mean, in %
  /// (0 without sessions): the spread PADO delay is meant to keep small.
  unsigned imbalance_pct = 0;
  /// 0 all answered and healthy (and, with a threshold, spread within it); 1 a box below 70 or
  /// the spread over the threshold; 3/4 a box did not answer (connection / timeout).
  [[nodiscard]] int exit_code(std::optional<unsigned> balance_threshold_pct) const;
};

/// Totals and spread over the boxes, in the order given.
BoxesReport compare_boxes(std::vector<BoxReport> boxes);

}  // namespace pppoe::loadtest
