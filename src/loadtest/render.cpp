#include "loadtest/render.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include <nlohmann/json.hpp>

namespace pppoe::loadtest {
namespace {

using Json = nlohmann::json;

std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  bool in_escape = false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0x1b) in_escape = true;
    if (in_escape) {
      if (c == 'm') in_escape = false;
      continue;
    }
    if ((c & 0xc0) != 0x80) ++w;  // count UTF-8 lead bytes only
  }
  return w;
}

std::string pad(const std::string& s, std::size_t width) { return s + std::string(width - std::min(width, display_width(s)), ' '); }

std::string state_name(const std::string& s) { return s; }

}  // namespace

std::optional<Format> parse_format(std::string_view s) {
  if (s == "console") return Format::kConsole;
  if (s == "json") return Format::kJson;
  if (s == "jsonl") return Format::kJsonl;
  if (s == "csv") return Format::kCsv;
  if (s == "tap") return Format::kTap;
  return std::nullopt;
}

std::string Style::ok() const { return fancy ? "\x1b[32m✓\x1b[0m" : "OK"; }
std::string Style::warn() const { return fancy ? "\x1b[33m⚠\x1b[0m" : "WARN"; }
std::string Style::fail() const { return fancy ? "\x1b[31m✗\x1b[0m" : "FAIL"; }

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const Style& style) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = display_width(header[i]);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], display_width(r[i]));
  const char* h = style.fancy ? "─" : "-";
  auto line = [&](const char* l, const char* m, const char* r) {
    std::string s = l;
    for (std::size_t i = 0; i < width.size(); ++i) {
      for (std::size_t k = 0; k < width[i] + 2; ++k) s += h;
      s += i + 1 < width.size() ? m : r;
    }
    return s + "\n";
  };
  auto row = [&](const std::vector<std::string>& cells) {
    const char* v = style.fancy ? "│" : "|";
    std::string s = v;
    for (std::size_t i = 0; i < width.size(); ++i) {
      // Appended piece by piece: `" " + std::string&&` trips g++ 12's -Wrestrict at -O3 (a
      // false positive in its inlined insert(0, ...)), which broke Release builds (issue 19).
      s += ' ';
      s += pad(i < cells.size() ? cells[i] : "", width[i]);
      s += ' ';
      s += v;
    }
    return s + "\n";
  };
  std::string out = style.fancy ? line("┌", "┬", "┐") : line("+", "+", "+");
  out += row(header);
  out += style.fancy ? line("├", "┼", "┤") : line("+", "+", "+");
  for (const auto& r : rows) out += row(r);
  out += style.fancy ? line("└", "┴", "┘") : line("+", "+", "+");
  return out;
}

std::string human_bytes(std::uint64_t b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : (v < 10 ? fmt::format("{:.1f} {}", v, units[u]) : fmt::format("{:.0f} {}", v, units[u]));
}

std::string human_uptime(std::uint64_t s) {
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m", s / 60);
  if (s < 86400) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

std::string iso_time(std::int64_t t) {
  std::time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

std::string worker_lines_jsonl(const Snapshot& s) {
  std::string out;
  for (const auto& w : s.workers)
    out += Json{{"type", "worker_status"}, {"id", w.id}, {"state", w.state}, {"sessions", w.sessions},
                {"bytes_in", w.bytes_in}, {"bytes_out", w.bytes_out}, {"uptime", w.uptime},
                {"timestamp", iso_time(s.time_unix)}}.dump() + "\n";
  return out;
}

std::string workers_csv(const Snapshot& s) {
  std::string out = "worker_id,state,sessions,bytes_in,bytes_out\n";
  for (const auto& w : s.workers) out += fmt::format("{},{},{},{},{}\n", w.id, w.state, w.sessions, w.bytes_in, w.bytes_out);
  return out;
}

Json workers_json(const Snapshot& s) {
  Json a = Json::array();
  for (const auto& w : s.workers)
    a.push_back({{"id", w.id}, {"state", w.state}, {"sessions", w.sessions}, {"bytes_in", w.bytes_in},
                 {"bytes_out", w.bytes_out}, {"uptime", w.uptime}, {"cpu", w.cpu}});
  return a;
}

struct Tap {
  std::vector<std::string> lines;
  void check(bool ok, const std::string& what) {
    lines.push_back(fmt::format("{} {} - {}", ok ? "ok" : "not ok", lines.size() + 1, what));
  }
  std::string str() const {
    std::string out = fmt::format("1..{}\n", lines.size());
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
};

void worker_taps(Tap& t, const Snapshot& s) {
  for (const auto& w : s.workers) t.check(w.state == "ACTIVE" || w.state == "DRAINING", fmt::format("Worker {} is {}", w.id, w.state));
}

std::string mark(const Style& st, unsigned score) { return score >= 90 ? st.ok() : score >= 70 ? st.warn() : st.fail(); }

}  // namespace

std::string render_diagnose(const Snapshot& s, const Health& h, Format f, const Style& st) {
  switch (f) {
    case Format::kJson:
      return Json{{"type", "diagnostic_report"}, {"timestamp", iso_time(s.time_unix)}, {"host", s.host},
                  {"workers", s.workers.size()}, {"sessions", s.sessions_total},
                  {"active_sessions", s.sessions_total - s.sessions_on("DRAINING")},
                  {"draining_sessions", s.sessions_on("DRAINING")}, {"ipv6_sessions", s.sessions_ipv6},
                  {"governor_enabled", s.governor_enabled},
                  {"cpu_usage", s.cpu_usage}, {"last_decision", s.last_decision}, {"health_score", h.score},
                  {"status", h.status}, {"worker_status", workers_json(s)}}.dump(2) + "\n";
    case Format::kJsonl:
      return worker_lines_jsonl(s) + Json{{"type", "health_score"}, {"score", h.score}, {"status", h.status},
                                          {"timestamp", iso_time(s.time_unix)}}.dump() + "\n";
    case Format::kCsv: return workers_csv(s);
    case Format::kTap: {
      Tap t;
      worker_taps(t, s);
      t.check(h.score >= 70, "Health score >= 70");
      return t.str();
    }
    case Format::kConsole: break;
  }
  std::string out = "PPPoE Load Balancer Diagnostic Report\n=====================================\n";
  std::tm tm{};
  std::time_t tt = s.time_unix;
  gmtime_r(&tt, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
  out += fmt::format("Host: {}\nTime: {}\nWorkers: {}\n", s.host, when, s.workers.size());
  for (const auto& w : s.workers)
    out += fmt::format("  Worker {}: {} ({} sessions, {} uptime)\n", w.id, state_name(w.state), w.sessions, human_uptime(w.uptime));
  out += fmt::format("Sessions: {} total\n  Active: {}\n  Draining: {}\n  IPv6: {}\n", s.sessions_total,
                     s.sessions_total - s.sessions_on("DRAINING"), s.sessions_on("DRAINING"), s.sessions_ipv6);
  std::string decision = s.last_decision;
  if (decision != "none" && !decision.empty()) decision += fmt::format(" (reason: {})", s.last_reason);
  out += fmt::format("Governor: {}\nCPU: {}%\nLast Decision: {}\n", s.governor_enabled ? "Enabled" : "Disabled", s.cpu_usage,
                     decision.empty() ? "none" : decision);
  out += fmt::format("Health Score: {}/100 {}\n", h.score, mark(st, h.score));
  return out;
}

std::string render_health(const Snapshot& s, const Health& h, Format f, const Style& st) {
  switch (f) {
    case Format::kJson: {
      Json c = Json::array();
      for (const auto& x : h.components) c.push_back({{"name", x.name}, {"score", x.score}, {"detail", x.detail}});
      return Json{{"type", "health_score"}, {"timestamp", iso_time(s.time_unix)}, {"score", h.score}, {"status", h.status},
                  {"components", c}, {"warnings", h.warnings}, {"recommendations", h.recommendations}}.dump(2) + "\n";
    }
    case Format::kJsonl: {
      std::string out;
      for (const auto& x : h.components)
        out += Json{{"type", "health_component"}, {"name", x.name}, {"score", x.score}, {"detail", x.detail},
                    {"timestamp", iso_time(s.time_unix)}}.dump() + "\n";
      return out + Json{{"type", "health_score"}, {"score", h.score}, {"status", h.status}, {"timestamp", iso_time(s.time_unix)}}.dump() + "\n";
    }
    case Format::kCsv: {
      std::string out = "component,score,detail\n";
      for (const auto& x : h.components) out += fmt::format("{},{},\"{}\"\n", x.name, x.score, x.detail);
      return out + fmt::format("Health Score,{},{}\n", h.score, h.status);
    }
    case Format::kTap: {
      Tap t;
      for (const auto& x : h.components) t.check(x.score >= 70, fmt::format("{} {}/100", x.name, x.score));
      t.check(h.score >= 70, "Health score >= 70");
      return t.str();
    }
    case Format::kConsole: break;
  }
  std::string out = fmt::format("=== PPPoE Load Balancer Health Score: {}/100 ===\nComponent Scores:\n", h.score);
  for (const auto& x : h.components)
    out += fmt::format("  {} {}: {}/100{}\n", mark(st, x.score), x.name, x.score, x.detail.empty() ? "" : " (" + x.detail + ")");
  if (!h.warnings.empty()) {
    out += "Warnings:\n";
    for (const auto& w : h.warnings) out += "  - " + w + "\n";
  }
  if (!h.recommendations.empty()) {
    out += "Recommendations:\n";
    for (const auto& r : h.recommendations) out += "  - " + r + "\n";
  }
  std::string status = h.status == "pass" ? "PASS" : h.status == "warn" ? "WARN" : h.status == "fail" ? "FAIL" : "CRITICAL";
  return out + fmt::format("Status: {}\n", status);
}

std::string render_balance(const Snapshot& s, const Balance& b, Format f, const Style& st) {
  switch (f) {
    case Format::kJson: {
      Json rows = Json::array();
      for (const auto& r : b.rows)
        rows.push_back({{"worker", r.worker}, {"state", r.state}, {"sessions", r.sessions}, {"expected", r.expected},
                        {"deviation_pct", r.deviation_pct}});
      return Json{{"type", "balance_check"}, {"timestamp", iso_time(s.time_unix)}, {"imbalance_pct", b.imbalance_pct},
                  {"threshold_pct", b.threshold_pct}, {"status", b.ok() ? "pass" : "warn"}, {"workers", rows},
                  {"recommendations", b.recommendations}}.dump(2) + "\n";
    }
    case Format::kJsonl: {
      std::string out;
      for (const auto& r : b.rows)
        out += Json{{"type", "worker_balance"}, {"id", r.worker}, {"state", r.state}, {"sessions", r.sessions},
                    {"expected", r.expected}, {"deviation_pct", r.deviation_pct}, {"timestamp", iso_time(s.time_unix)}}.dump() + "\n";
      return out + Json{{"type", "balance_check"}, {"imbalance_pct", b.imbalance_pct}, {"threshold_pct", b.threshold_pct},
                        {"status", b.ok() ? "pass" : "warn"}, {"timestamp", iso_time(s.time_unix)}}.dump() + "\n";
    }
    case Format::kCsv: {
      std::string out = "worker_id,state,sessions,expected,deviation_pct\n";
      for (const auto& r : b.rows) out += fmt::format("{},{},{},{:.0f},{}\n", r.worker, r.state, r.sessions, r.expected, r.deviation_pct);
      return out;
    }
    case Format::kTap: {
      Tap t;
      for (const auto& r : b.rows)
        t.check(r.state != "ACTIVE" || static_cast<unsigned>(std::abs(r.deviation_pct)) <= b.threshold_pct,
                fmt::format("Worker {} deviation {:+d}%", r.worker, r.deviation_pct));
      t.check(b.ok(), fmt::format("Imbalance {}% <= {}%", b.imbalance_pct, b.threshold_pct));
      return t.str();
    }
    case Format::kConsole: break;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : b.rows) {
    bool over = static_cast<unsigned>(std::abs(r.deviation_pct)) > b.threshold_pct;
    rows.push_back({std::to_string(r.worker), std::to_string(r.sessions), fmt::format("{:.0f}", r.expected),
                    fmt::format("{:+d}% {}", r.deviation_pct, over ? st.warn() : st.ok())});
  }
  std::string out = "=== Load Balance Check ===\n" + table({"Worker", "Sessions", "Expected", "Deviation"}, rows, st);
  out += fmt::format("Imbalance: {}% (threshold: {}%)\n", b.imbalance_pct, b.threshold_pct);
  out += b.ok() ? fmt::format("Status: {} PASS - Load distribution within threshold\n", st.ok())
                : fmt::format("Status: {} WARNING - Load distribution exceeds threshold\n", st.warn());
  if (!b.recommendations.empty()) {
    out += "Recommendations:\n";
    for (const auto& r : b.recommendations) out += "  - " + r + "\n";
  }
  return out;
}

std::string render_affinity(const Snapshot& s, const Affinity& a, Format f, const Style& st) {
  switch (f) {
    case Format::kJson: {
      Json rows = Json::array();
      for (const auto& r : a.rows)
        rows.push_back({{"session_id", r.session_id}, {"expected_worker", r.expected}, {"actual_worker", r.actual},
                        {"migrations", r.migrations}, {"status", r.ok() ? (r.migrations > 0 ? "moved" : "ok") : "drift"}});
      return Json{{"type", "affinity_check"}, {"timestamp", iso_time(s.time_unix)}, {"checked", a.rows.size()},
                  {"passed", a.passed}, {"failed", a.failed}, {"moved", a.moved}, {"foreign_frames", a.foreign_frames},
                  {"status", a.failed == 0 ? "pass" : "fail"}, {"sessions", rows}}.dump(2) + "\n";
    }
    case Format::kJsonl: {
      std::string out;
      for (const auto& r : a.rows)
        out += Json{{"type", "session_affinity"}, {"session_id", r.session_id}, {"expected_worker", r.expected},
                    {"actual_worker", r.actual}, {"status", r.ok() ? "ok" : "drift"}, {"timestamp", iso_time(s.time_unix)}}.dump() + "\n";
      return out + Json{{"type", "affinity_check"}, {"checked", a.rows.size()}, {"passed", a.passed}, {"failed", a.failed},
                        {"status", a.failed == 0 ? "pass" : "fail"}, {"timestamp", iso_time(s.time_unix)}}.dump() + "\n";
    }
    case Format::kCsv: {
      std::string out = "session_id,expected_worker,actual_worker,status\n";
      for (const auto& r : a.rows) out += fmt::format("{},{},{},{}\n", r.session_id, r.expected, r.actual, r.ok() ? "ok" : "drift");
      return out;
    }
    case Format::kTap: {
      Tap t;
      for (const auto& r : a.rows)
        t.check(r.ok(), fmt::format("Session 0x{:x} on worker {} (expected {})", r.session_id, r.actual, r.expected));
      if (a.rows.empty()) t.check(true, "No sessions to check");
      return t.str();
    }
    case Format::kConsole: break;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : a.rows)
    rows.push_back({fmt::format("0x{:x}", r.session_id), std::to_string(r.expected),
                    r.ok() ? std::to_string(r.actual) : fmt::format("{} {}", r.actual, st.warn()),
                    r.ok() ? st.ok() + (r.migrations > 0 ? " OK (moved)" : " OK") : st.fail() + " DRIFT"});
  std::string out = "=== Affinity Check ===\n" + table({"Session ID", "Expected Worker", "Actual Worker", "Status"}, rows, st);
  out += fmt::format("Total: {} sessions checked\n  {} Passed: {}\n  {} Failed: {}{}\n", a.rows.size(), st.ok(), a.passed,
                     st.fail(), a.failed, a.failed > 0 ? " (session drift detected)" : "");
  if (a.moved > 0)
    out += fmt::format("  {} of the passed sessions were migrated between workers on purpose (msg migrate, a migrating "
                       "drain): intended, where they are now is where their frames go\n",
                       a.moved);
  if (a.foreign_frames > 0) out += fmt::format("Workers received {} frames of sessions that are not theirs\n", a.foreign_frames);
  if (a.failed > 0)
    out += "Session drift may indicate:\n  - Worker was removed while session was active\n  - Hash algorithm rebalancing\n"
           "  - Race condition in session routing\n";
  return out;
}

std::string render_workers(const Snapshot& s, Format f, const Style& st) {
  switch (f) {
    case Format::kJson:
      return Json{{"type", "worker_status"}, {"timestamp", iso_time(s.time_unix)}, {"workers", workers_json(s)}}.dump(2) + "\n";
    case Format::kJsonl: return worker_lines_jsonl(s);
    case Format::kCsv: return workers_csv(s);
    case Format::kTap: {
      Tap t;
      worker_taps(t, s);
      if (s.workers.empty()) t.check(false, "No workers");
      return t.str();
    }
    case Format::kConsole: break;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& w : s.workers)
    rows.push_back({std::to_string(w.id), w.state, std::to_string(w.sessions), human_bytes(w.bytes_in),
                    human_bytes(w.bytes_out), human_uptime(w.uptime)});
  return "=== Worker Status ===\n" + table({"Worker", "State", "Sessions", "Bytes In", "Bytes Out", "Uptime"}, rows, st) +
         "Worker States:\n  0 = ACTIVE (accepting new sessions)\n  1 = DRAINING (completing existing sessions)\n"
         "  2 = PENDING_REMOVAL (ready for removal)\n";
}

std::string render_monitor(const std::deque<Snapshot>& history, unsigned sample, Format f, const Style& st, bool first) {
  const Snapshot& now = history.back();
  auto ago = [&](std::int64_t seconds) -> const Snapshot* {
    const Snapshot* best = nullptr;
    for (const auto& s : history)
      if (s.time_unix <= now.time_unix - seconds) best = &s;
    return best;
  };
  auto avg = [](const Snapshot& s) { return s.workers.empty() ? 0 : s.sessions_total / s.workers.size(); };
  switch (f) {
    case Format::kJson:
    case Format::kJsonl: {
      Json j{{"type", "monitor_sample"}, {"sample", sample}, {"timestamp", iso_time(now.time_unix)},
             {"sessions", now.sessions_total}, {"workers", now.workers.size()}, {"active_workers", now.active_workers()},
             {"sessions_per_worker", avg(now)}, {"cpu_usage", now.cpu_usage}};
      return (f == Format::kJson ? j.dump(2) : j.dump()) + "\n";
    }
    case Format::kCsv:
      return (first ? "timestamp,sessions,workers,active_workers,sessions_per_worker,cpu_usage\n" : std::string()) +
             fmt::format("{},{},{},{},{},{}\n", iso_time(now.time_unix), now.sessions_total, now.workers.size(),
                         now.active_workers(), avg(now), now.cpu_usage);
    case Format::kTap:
      return fmt::format("ok {} - {} sessions on {} workers, cpu {}%\n", sample, now.sessions_total, now.workers.size(), now.cpu_usage);
    case Format::kConsole: break;
  }
  std::vector<const Snapshot*> cols = {&now, ago(5), ago(30), ago(300)};
  auto cell = [&](const Snapshot* s, auto value) { return s ? value(*s) : std::string("-"); };
  std::vector<std::vector<std::string>> rows;
  auto add = [&](const char* name, auto value) {
    std::vector<std::string> r{name};
    for (const auto* c : cols) r.push_back(cell(c, value));
    rows.push_back(r);
  };
  add("Total Sessions", [](const Snapshot& s) { return std::to_string(s.sessions_total); });
  add("Active Workers", [](const Snapshot& s) { return std::to_string(s.active_workers()); });
  add("Sessions/Worker (avg)", [&](const Snapshot& s) { return std::to_string(avg(s)); });
  add("CPU Usage (avg)", [](const Snapshot& s) { return fmt::format("{}%", s.cpu_usage); });
  std::string out = fmt::format("[{}] sample {}\n", iso_time(now.time_unix), sample) +
                    table({"Metric", "Now", "5s ago", "30s ago", "5m ago"}, rows, st);
  const Snapshot& oldest = history.front();
  std::string changes;
  std::string up = st.fancy ? "↑" : "+", down = st.fancy ? "↓" : "-";
  if (oldest.active_workers() != now.active_workers())
    changes += fmt::format("  {} Workers: {} -> {}{}\n", now.active_workers() > oldest.active_workers() ? up : down,
                           oldest.active_workers(), now.active_workers(),
                           now.last_decision == "scale_up" ? " (governor scaled up)" : now.last_decision == "scale_down" ? " (governor scaled down)" : "");
  if (oldest.sessions_total != now.sessions_total) {
    auto d = static_cast<long long>(now.sessions_total) - static_cast<long long>(oldest.sessions_total);
    changes += fmt::format("  {} Sessions: {} -> {} ({:+d} in {})\n", d > 0 ? up : down, oldest.sessions_total,
                           now.sessions_total, d, human_uptime(static_cast<std::uint64_t>(now.time_unix - oldest.time_unix)));
  }
  if (!changes.empty()) out += "Changes detected:\n" + changes;
  return out;
}

std::string render_boxes(const BoxesReport& r, std::optional<unsigned> balance_threshold, Format f, const Style& st) {
  auto role = [](const BoxReport& b) {
    return b.snapshot && b.snapshot->standby ? b.snapshot->standby->role : std::string("-");
  };
  auto box_json = [&](const BoxReport& b) {
    if (!b.snapshot) return Json{{"box", b.name}, {"reachable", false}, {"error", b.error.text}};
    const Snapshot& s = *b.snapshot;
    return Json{{"box", b.name}, {"reachable", true}, {"sessions", s.sessions_total}, {"sessions_up", s.sessions_up},
                {"ipv6_sessions", s.sessions_ipv6}, {"share_pct", std::round(b.share_pct(r.sessions) * 10) / 10},
                {"workers", s.active_workers()}, {"cpu_usage", s.cpu_usage}, {"worker_crashes", s.worker_crashes},
                {"errors", s.total_errors}, {"health_score", b.health.score}, {"status", b.health.status},
                {"standby_role", role(b)}, {"serving", b.serving()}};
  };
  Json total{{"boxes", r.boxes.size()}, {"reachable", r.reachable}, {"serving", r.serving}, {"sessions", r.sessions},
             {"sessions_up", r.up}, {"ipv6_sessions", r.ipv6}, {"workers", r.workers}, {"worker_crashes", r.crashes},
             {"errors", r.errors}, {"lowest_health", r.lowest_health}, {"imbalance_pct", r.imbalance_pct}};
  if (balance_threshold) total["balance_threshold_pct"] = *balance_threshold;
  bool spread_ok = !balance_threshold || r.imbalance_pct <= *balance_threshold;
  switch (f) {
    case Format::kJson: {
      Json boxes = Json::array();
      for (const auto& b : r.boxes) boxes.push_back(box_json(b));
      return Json{{"type", "boxes_report"}, {"timestamp", iso_time(std::time(nullptr))}, {"boxes", boxes}, {"total", total}}.dump(2) + "\n";
    }
    case Format::kJsonl: {
      std::string out;
      for (const auto& b : r.boxes) {
        Json j = box_json(b);
        j["type"] = "box";
        out += j.dump() + "\n";
      }
      total["type"] = "boxes_total";
      return out + total.dump() + "\n";
    }
    case Format::kCsv: {
      std::string out = "box,reachable,sessions,sessions_up,share_pct,workers,cpu_usage,errors,health_score,standby_role\n";
      for (const auto& b : r.boxes) {
        if (!b.snapshot) {
          out += fmt::format("{},0,,,,,,,,\n", b.name);
          continue;
        }
        const Snapshot& s = *b.snapshot;
        out += fmt::format("{},1,{},{},{:.1f},{},{},{},{},{}\n", b.name, s.sessions_total, s.sessions_up,
                           b.share_pct(r.sessions), s.active_workers(), s.cpu_usage, s.total_errors, b.health.score, role(b));
      }
      return out;
    }
    case Format::kTap: {
      Tap t;
      for (const auto& b : r.boxes) {
        t.check(b.snapshot.has_value(), fmt::format("{} answers{}", b.name, b.snapshot ? "" : ": " + b.error.text));
        if (b.snapshot) t.check(b.health.score >= 70, fmt::format("{} health {}/100 >= 70", b.name, b.health.score));
      }
      if (balance_threshold) t.check(spread_ok, fmt::format("Spread over the boxes {}% <= {}%", r.imbalance_pct, *balance_threshold));
      return t.str();
    }
    case Format::kConsole: break;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : r.boxes) {
    if (!b.snapshot) {
      rows.push_back({b.name, "-", "-", "-", "-", "-", "-", st.fail() + " " + b.error.text, "-"});
      continue;
    }
    const Snapshot& s = *b.snapshot;
    rows.push_back({b.name, std::to_string(s.sessions_total), std::to_string(s.sessions_up),
                    b.serving() ? fmt::format("{:.1f}%", b.share_pct(r.sessions)) : "-", std::to_string(s.active_workers()),
                    fmt::format("{}%", s.cpu_usage), std::to_string(s.total_errors),
                    fmt::format("{}/100 {}", b.health.score, mark(st, b.health.score)), role(b)});
  }
  rows.push_back({fmt::format("total ({}/{} answered)", r.reachable, r.boxes.size()), std::to_string(r.sessions),
                  std::to_string(r.up), r.sessions > 0 ? "100%" : "-", std::to_string(r.workers), "", std::to_string(r.errors),
                  fmt::format("lowest {}", r.lowest_health), ""});
  std::string out = "PPPoE Access Concentrators Side by Side\n=======================================\n";
  out += table({"Box", "Sessions", "Up", "Share", "Workers", "CPU", "Errors", "Health", "Standby"}, rows, st);
  out += fmt::format("Spread: {}% largest deviation from the mean of the {} serving boxes", r.imbalance_pct, r.serving);
  if (balance_threshold) out += fmt::format(" (threshold {}%) {}", *balance_threshold, spread_ok ? st.ok() : st.fail());
  return out + "\n";
}

}  // namespace pppoe::loadtest
