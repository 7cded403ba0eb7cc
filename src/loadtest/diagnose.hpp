// pppoetest's read-only modes (handbook 30.6.11.4-30.6.11.9): a snapshot of a running pppoed
// read over its control socket, and the checks computed from it. Nothing here creates a session.
//
// Health score (30.6.11.5), each component 0-100:
//   worker availability = 100 * live workers / (live workers + crashes seen), 0 without workers
//   load distribution   = 100 - load imbalance (largest |deviation| of an ACTIVE worker's
//                         sessions from the per-worker mean, in %), floored at 0
//   error rate          = 100 * (1 - min(1, error% / error_threshold)), where
//                         error% = 100 * dropped frames / (session frames + dropped frames)
//   session affinity    = 100 - sessions whose frames the kernel sends to another worker than
//                         the one they were assigned to, floored at 0
//   score = 0.2 availability + 0.4 distribution + 0.2 error rate + 0.2 affinity, rounded
// Bands: 90-100 PASS, 70-89 WARN, 50-69 FAIL, 0-49 CRITICAL.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace pppoe::loadtest {

struct WorkerView {
  unsigned id = 0;
  std::string state;
  std::uint64_t sessions = 0, bytes_in = 0, bytes_out = 0, uptime = 0;
  std::uint64_t session_frames = 0, foreign_frames = 0;
  unsigned cpu = 0;
};

struct SessionView {
  unsigned id = 0;
  int worker = 0;           ///< assigned by the master
  int dispatch_worker = 0;  ///< where the kernel sends its frames
  unsigned migrations = 0;  ///< times moved live between workers (intended: not a drift)
};

struct Snapshot {
  std::string host;
  std::int64_t time_unix = 0;
  std::vector<WorkerView> workers;
  std::uint64_t sessions_total = 0, sessions_up = 0;
  std::uint64_t sessions_ipv6 = 0;  ///< with IPv6CP opened
  bool governor_enabled = false;
  unsigned cpu_usage = 0;
  std::string last_decision, last_reason;
  std::uint64_t total_errors = 0, total_frames = 0, worker_crashes = 0;
  std::vector<SessionView> sessions;  ///< filled when asked for
  /// A standby pair's box (operator guide "High availability"): its role and readiness.
  struct StandbyView {
    std::string role;
    bool ready = true;
    std::string not_ready_why;
    std::uint64_t held_sessions = 0;
  };
  std::optional<StandbyView> standby;
  [[nodiscard]] unsigned active_workers() const;
  [[nodiscard]] std::uint64_t sessions_on(const std::string& state) const;
};

/// Why a snapshot could not be taken; `exit_code` is 3 (connection) or 4 (timeout).
struct FetchError {
  int exit_code = 3;
  std::string text;
};

/// Where pppoed answers: its local control socket, or its remote read-only port.
struct Endpoint {
  std::string control_socket = "/run/pppoed.sock";
  std::string host;  ///< empty: local
  std::uint16_t port = 9001;
  std::string secret;  ///< remote only; never printed
};

std::expected<Snapshot, FetchError> take_snapshot(const Endpoint& where, bool with_sessions, int timeout_ms = 5000);

struct Component {
  std::string name;
  unsigned score = 0;
  std::string detail;
};
struct Health {
  unsigned score = 0;
  std::string status;  ///< pass, warn, fail, critical
  std::vector<Component> components;
  std::vector<std::string> warnings, recommendations;
};
Health health(const Snapshot& s, unsigned error_threshold_pct);
const char* band(unsigned score);

struct BalanceRow {
  unsigned worker = 0;
  std::string state;
  std::uint64_t sessions = 0;
  double expected = 0;
  int deviation_pct = 0;
};
struct Balance {
  std::vector<BalanceRow> rows;
  unsigned imbalance_pct = 0;  ///< over ACTIVE workers (a DRAINING worker is expected to shrink)
  unsigned threshold_pct = 20;
  [[nodiscard]] bool ok() const { return imbalance_pct <= threshold_pct; }
  std::vector<std::string> recommendations;
};
Balance balance(const Snapshot& s, unsigned threshold_pct);

struct AffinityRow {
  unsigned session_id = 0;
  int expected = 0;
  int actual = 0;
  unsigned migrations = 0;  ///< the master moved it on purpose (msg migrate, a migrating drain)
  [[nodiscard]] bool ok() const { return expected == actual; }
};
struct Affinity {
  std::vector<AffinityRow> rows;
  unsigned passed = 0, failed = 0;
  unsigned moved = 0;  ///< sessions migrated between workers and consistent where they are now
  std::uint64_t foreign_frames = 0;  ///< frames workers received for sessions not theirs
};
Affinity affinity(const Snapshot& s);

}  // namespace pppoe::loadtest
