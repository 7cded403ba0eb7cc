#include "loadtest/diagnose.hpp"

#include "ctl/session_pages.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "ctl/control_socket.hpp"
#include "ctl/remote_control.hpp"

namespace pppoe::loadtest {

unsigned Snapshot::active_workers() const {
  return static_cast<unsigned>(std::count_if(workers.begin(), workers.end(), [](const WorkerView& w) { return w.state == "ACTIVE"; }));
}

std::uint64_t Snapshot::sessions_on(const std::string& state) const {
  std::uint64_t n = 0;
  for (const auto& w : workers)
    if (w.state == state) n += w.sessions;
  return n;
}

std::expected<Snapshot, FetchError> take_snapshot(const Endpoint& where, bool with_sessions, int timeout_ms) {
  auto call = [&](const ctl::Json& req) -> std::expected<ctl::Json, FetchError> {
    auto res = where.host.empty() ? ctl::request(where.control_socket, req, timeout_ms)
                                  : ctl::remote_request(where.host, where.port, where.secret, req, timeout_ms);
    if (!res) return std::unexpected(FetchError{res.error() == "timeout" ? 4 : 3, res.error()});
    if (!res->value("ok", false)) return std::unexpected(FetchError{3, res->value("error", "request refused")});
    return *res;
  };
  auto summary = call({{"cmd", "show"}, {"what", "summary"}});
  if (!summary) return std::unexpected(summary.error());
  auto sysctl = call({{"cmd", "sysctl"}, {"name", "net.graph.pppoe_lb"}});
  if (!sysctl) return std::unexpected(sysctl.error());
  Snapshot s;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  s.host = host;
  s.time_unix = std::time(nullptr);
  try {
    const auto& j = *summary;
    for (const auto& w : j.at("workers")) {
      WorkerView v;
      v.id = w.at("id").get<unsigned>();
      v.state = w.at("state").get<std::string>();
      v.sessions = w.at("sessions").get<std::uint64_t>();
      v.bytes_in = w.at("bytes_in").get<std::uint64_t>();
      v.bytes_out = w.at("bytes_out").get<std::uint64_t>();
      v.uptime = w.at("uptime").get<std::uint64_t>();
      v.session_frames = w.at("session_frames").get<std::uint64_t>();
      v.foreign_frames = w.at("foreign_frames").get<std::uint64_t>();
      v.cpu = w.at("cpu").get<unsigned>();
      s.total_frames += v.session_frames;
      s.workers.push_back(v);
    }
    s.sessions_total = j.at("sessions").at("total").get<std::uint64_t>();
    s.sessions_up = j.at("sessions").at("up").get<std::uint64_t>();
    s.sessions_ipv6 = j.at("sessions").value("ipv6", std::uint64_t{0});  // older pppoed: none
    s.worker_crashes = j.at("worker_crashes").get<std::uint64_t>();
    if (j.contains("standby") && j.at("standby").is_object()) {
      const auto& sb = j.at("standby");
      s.standby = Snapshot::StandbyView{sb.at("role").get<std::string>(), sb.at("ready").get<bool>(),
                                        sb.value("not_ready_why", std::string()), sb.at("held_sessions").get<std::uint64_t>()};
    }
    for (const auto& kv : sysctl->at("values")) {
      auto name = kv.at(0).get<std::string>();
      auto value = kv.at(1).get<std::string>();
      if (name == "net.graph.pppoe_lb.governor.enabled") s.governor_enabled = value == "1";
      if (name == "net.graph.pppoe_lb.governor.cpu_usage") s.cpu_usage = static_cast<unsigned>(std::stoul(value));
      if (name == "net.graph.pppoe_lb.governor.last_decision") s.last_decision = value;
      if (name == "net.graph.pppoe_lb.governor.last_reason") s.last_reason = value;
      if (name == "net.graph.pppoe_lb.stats.total_errors") s.total_errors = std::stoull(value);
    }
    if (with_sessions) {
      auto sessions = ctl::for_each_session_page(call, ctl::Json::object(), [&s](const ctl::Json& page) {
        for (const auto& x : page)
          s.sessions.push_back({x.at("session_id").get<unsigned>(), x.at("worker").get<int>(),
                                x.at("dispatch_worker").get<int>(), x.value("migrations", 0u)});
        return true;
      });
      if (!sessions) return std::unexpected(sessions.error());
    }
  } catch (const std::exception& e) {
    return std::unexpected(FetchError{5, fmt::format("unexpected answer from pppoed: {}", e.what())});
  }
  return s;
}

const char* band(unsigned score) {
  if (score >= 90) return "pass";
  if (score >= 70) return "warn";
  if (score >= 50) return "fail";
  return "critical";
}

Balance balance(const Snapshot& s, unsigned threshold_pct) {
  Balance b;
  b.threshold_pct = threshold_pct;
  double expected = s.workers.empty() ? 0 : static_cast<double>(s.sessions_total) / static_cast<double>(s.workers.size());
  for (const auto& w : s.workers) {
    BalanceRow r{w.id, w.state, w.sessions, expected, 0};
    if (expected > 0) r.deviation_pct = static_cast<int>(std::lround((static_cast<double>(w.sessions) - expected) / expected * 100));
    if (w.state == "ACTIVE") b.imbalance_pct = std::max(b.imbalance_pct, static_cast<unsigned>(std::abs(r.deviation_pct)));
    b.rows.push_back(r);
  }
  for (const auto& r : b.rows) {
    if (r.state != "ACTIVE") b.recommendations.push_back(fmt::format("Worker {} is in {} state", r.worker, r.state));
    else if (static_cast<unsigned>(std::abs(r.deviation_pct)) > threshold_pct)
      b.recommendations.push_back(fmt::format("Investigate Worker {} ({:+d}% from the expected share)", r.worker, r.deviation_pct));
  }
  if (!b.ok()) b.recommendations.push_back("Check worker states: pppoectl sysctl net.graph.pppoe_lb.workers");
  return b;
}

Affinity affinity(const Snapshot& s) {
  Affinity a;
  for (const auto& x : s.sessions) {
    AffinityRow r{x.id, x.worker, x.dispatch_worker, x.migrations};
    (r.ok() ? a.passed : a.failed)++;
    if (r.ok() && r.migrations > 0) ++a.moved;
    a.rows.push_back(r);
  }
  for (const auto& w : s.workers) a.foreign_frames += w.foreign_frames;
  return a;
}

Health health(const Snapshot& s, unsigned error_threshold_pct) {
  Health h;
  auto live = static_cast<double>(s.workers.size());
  unsigned availability = s.workers.empty() ? 0 : static_cast<unsigned>(std::lround(100 * live / (live + static_cast<double>(s.worker_crashes))));
  h.components.push_back({"Worker Availability", availability,
                          s.worker_crashes > 0 ? fmt::format("{} worker crash(es)", s.worker_crashes) : ""});
  Balance b = balance(s, 20);
  unsigned distribution = b.imbalance_pct >= 100 ? 0 : 100 - b.imbalance_pct;
  h.components.push_back({"Load Distribution", distribution, fmt::format("max deviation: {}%", b.imbalance_pct)});
  double error_pct = s.total_frames + s.total_errors == 0
                         ? 0
                         : 100.0 * static_cast<double>(s.total_errors) / static_cast<double>(s.total_frames + s.total_errors);
  double t = std::max(1u, error_threshold_pct);
  unsigned errors = static_cast<unsigned>(std::lround(100 * (1 - std::min(1.0, error_pct / t))));
  h.components.push_back({"Error Rate", errors, fmt::format("{:.1f}% of frames dropped", error_pct)});
  Affinity a = affinity(s);
  unsigned aff = a.failed >= 100 ? 0 : 100 - a.failed;
  h.components.push_back({"Session Affinity", aff, fmt::format("{} drift detected", a.failed)});
  h.score = static_cast<unsigned>(std::lround(0.2 * availability + 0.4 * distribution + 0.2 * errors + 0.2 * aff));
  h.status = band(h.score);
  if (s.workers.empty()) {
    h.warnings.push_back("No workers running");
    h.recommendations.push_back("Start workers: pppoectl msg setworkers N");
  }
  if (s.worker_crashes > 0) {
    h.warnings.push_back(fmt::format("{} worker crash(es) since pppoed started", s.worker_crashes));
    h.recommendations.push_back("Check the pppoed log for the crashed workers");
  }
  if (b.imbalance_pct > 20) {
    const BalanceRow* worst = nullptr;
    for (const auto& r : b.rows)
      if (r.state == "ACTIVE" && (!worst || std::abs(r.deviation_pct) > std::abs(worst->deviation_pct))) worst = &r;
    if (worst) {
      h.warnings.push_back(fmt::format("Load distribution uneven (Worker {} has {}% {} than average)", worst->worker,
                                       std::abs(worst->deviation_pct), worst->deviation_pct > 0 ? "more" : "less"));
      h.recommendations.push_back(fmt::format("Investigate Worker {} for potential issues", worst->worker));
    }
  }
  if (error_pct > 0.5 * t) {
    h.warnings.push_back(fmt::format("{:.1f}% of frames dropped (threshold {}%)", error_pct, error_threshold_pct));
    h.recommendations.push_back("Look at the drop reasons: pppoectl sysctl net.graph.pppoe_lb.stats");
  }
  if (s.standby && !s.standby->ready) {
    h.warnings.push_back(fmt::format("Standby {} not ready: {} (keepalived will not make it MASTER)", s.standby->role,
                                     s.standby->not_ready_why));
    h.recommendations.push_back("Check the sync link and the standby settings on both boxes: pppoectl show standby");
  }
  if (a.failed > 0) {
    h.warnings.push_back(fmt::format("{} session affinity drift detected", a.failed));
    h.recommendations.push_back("Check for sessions that moved between workers unexpectedly");
  }
  return h;
}

}  // namespace pppoe::loadtest
