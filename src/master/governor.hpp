// The auto-scaling governor (handbook 30.6.4, 30.6.10.2) as a pure decision function: time and
// CPU usage are passed in, decisions come out, so every timeline of the handbook is a unit test.
//
//        cpu > cpu_threshold                 cpu < cpu_low_threshold
//   (every scale_up_interval s)          (every scale_down_interval s)
//               |                                    |
//               v                                    v
//   +---------------------------+        +------------------------+
//   | SCALE UP                  |        | SCALE DOWN             |
//   | 1. a DRAINING worker goes |        | the ACTIVE worker with |
//   |    back to ACTIVE         |        | fewest sessions goes   |
//   |    ("change of heart")    |        | DRAINING (not below    |
//   | 2. a new worker (if below |        | min_workers)           |
//   |    max_workers)           |        +------------------------+
//   +---------------------------+        drained (0 sessions) or drain_timeout: removed
#pragma once

#include <cstdint>
#include <string>

namespace pppoe::master {

struct GovernorSettings {
  bool enabled = false;
  unsigned mode = 1;  ///< 0 manual, 1 auto
  unsigned min_workers = 1;
  unsigned max_workers = 0;  ///< 0: the number of CPUs
  unsigned cpu_threshold = 80;
  unsigned cpu_low_threshold = 30;
  unsigned scale_up_interval = 5;
  unsigned scale_down_interval = 60;
  unsigned drain_timeout = 30;
  unsigned drain_migrate = 0;  ///< 1: a drain moves the worker's sessions live to ACTIVE workers at once
  unsigned sess_per_worker = 500;  ///< target density (30.6.10.3); informational
};

struct GovernorInput {
  std::int64_t now = 0;  ///< seconds
  unsigned cpu_usage = 0;  ///< percent, see CpuSampler
  unsigned current = 0;    ///< workers alive
  unsigned active = 0;
  unsigned draining = 0;
  unsigned max_workers = 0;  ///< resolved (never 0)
};

struct GovernorDecision {
  bool cancel_drain = false;  ///< return one DRAINING worker to ACTIVE
  bool add_worker = false;
  bool drain_worker = false;
  [[nodiscard]] bool any() const { return cancel_drain || add_worker || drain_worker; }
};

class Governor {
 public:
  explicit Governor(std::int64_t start) : last_up_(start), last_down_(start) {}

  GovernorDecision evaluate(const GovernorSettings& s, const GovernorInput& in);

  /// "none", "scale_up", "scale_down" and the reason ("cpu_high", "cpu_low", "below_min").
  [[nodiscard]] const std::string& last_decision() const { return last_decision_; }
  [[nodiscard]] const std::string& last_reason() const { return last_reason_; }

 private:
  std::int64_t last_up_;
  std::int64_t last_down_;
  std::string last_decision_ = "none";
  std::string last_reason_ = "none";
};

}  // namespace pppoe::master
