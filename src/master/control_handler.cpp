// Requests of the control socket (ctl/control_socket.hpp), answered from live state: sessions,
// the sysctl tree of handbook 30.6 (net.graph.pppoe_lb.*), and the seed's ngctl messages
// (showworkers, showgovernor, addworker, setworkers N, showstats).
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <unistd.h>
#include <fstream>
#include <filesystem>
#include <cstring>
#include <ctime>

#include "master/server.hpp"
#include "master/session_query.hpp"
#include "session/ppp_link.hpp"

namespace pppoe::master {
namespace {

using dataplane::WorkerState;
constexpr const char* kRoot = "net.graph.pppoe_lb";

ctl::Json record_json(const dataplane::SessionRecord& r, const dataplane::SessionTraffic& down) {
  ctl::Json vlans = ctl::Json::array();
  for (std::uint8_t i = 0; i < r.vlans.count; ++i) vlans.push_back(r.vlans.tags[i].vid());
  return {{"session_id", r.session_id},
          {"state", dataplane::to_string(r.state)},
          {"worker", r.worker},
          {"migrations", r.migrations},
          {"mac", r.client_mac.to_string()},
          {"vlans", vlans},
          {"ip", r.ipv4 != 0 ? Ipv4Address{r.ipv4}.to_string() : ""},
          {"ipv6_prefix", r.ipv6_prefix_len != 0 ? Ipv6Prefix{r.ipv6_prefix, r.ipv6_prefix_len}.to_string() : ""},
          {"delegated_prefix",
           r.delegated_prefix_len != 0 ? Ipv6Prefix{r.delegated_prefix, r.delegated_prefix_len}.to_string() : ""},
          {"user", std::string(r.user)},
          {"auth", std::string(r.auth)},
          {"peer_mru", r.peer_mru},
          {"rx_packets", r.rx_packets},
          {"rx_bytes", r.rx_bytes},
          {"tx_packets", down.packets.load()},
          {"tx_bytes", down.bytes.load()},
          {"created_unix_ms", r.created_unix_ms},
          {"up_unix_ms", r.up_unix_ms},
          {"fast_path", {{"state", dataplane::to_string(r.fast_path)}}}};
}

/// The session's rate limits and what they cost it (operator guide "Service policy").
ctl::Json policy_json(const dataplane::SessionRecord& r, const dataplane::PolicyState& p, const ServicePolicy& config) {
  auto dir = [](std::uint32_t kbps, std::uint32_t burst) -> ctl::Json {
    if (kbps == 0) return nullptr;
    return {{"kbps", kbps}, {"rate", policy::to_string(kbps)}, {"burst_octets", burst}};
  };
  bool any = r.rate_down_kbps != 0 || r.rate_up_kbps != 0;
  auto n = [any](const std::atomic<std::uint64_t>& a) { return any ? a.load(std::memory_order_relaxed) : 0; };
  const policy::FilterList* filter = r.filter_id != 0 ? config.filter(r.filter_id) : nullptr;
  ctl::Json routes = ctl::Json::array();
  for (std::size_t i = 0; i < policy::kMaxRoutes4; ++i)
    if (r.route4_len[i] != 0) routes.push_back(policy::Route4{r.route4[i], r.route4_len[i]}.to_string());
  if (r.route6_len != 0) routes.push_back(Ipv6Prefix{r.route6, r.route6_len}.to_string());
  return {{"filter", filter != nullptr ? ctl::Json(filter->name) : ctl::Json(nullptr)},
          {"routes", routes},
          {"down", dir(r.rate_down_kbps, r.rate_down_burst)},
          {"up", dir(r.rate_up_kbps, r.rate_up_burst)},
          {"down_shaped_packets", n(p.down_delayed_packets)},
          {"down_dropped_packets", n(p.down_dropped_packets)},
          {"down_dropped_bytes", n(p.down_dropped_bytes)},
          {"up_policed_packets", n(p.up_dropped_packets)},
          {"up_policed_bytes", n(p.up_dropped_bytes)}};
}

ctl::Json error(std::string text) { return {{"ok", false}, {"error", std::move(text)}}; }

std::string human_uptime(std::int64_t s) {
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m", s / 60);
  if (s < 86400) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

}  // namespace

std::uint64_t Server::drop_total(dataplane::Drop d) const {
  auto i = static_cast<std::size_t>(d);
  std::uint64_t t = drops_.get(d) + retired_.drops[i];
  for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
    if (pool_.alive(s)) t += shared_.workers[s].drops[i].load();
  return t;
}

std::uint64_t Server::slot_total(std::atomic<std::uint64_t> dataplane::WorkerSlot::*field) const {
  std::uint64_t t = 0;
  for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
    if (pool_.alive(s)) t += (shared_.workers[s].*field).load();
  return t;
}

unsigned Server::load_imbalance_pct() const {
  // The largest deviation of an ACTIVE worker's session count from the ACTIVE mean, in percent.
  std::vector<double> counts;
  for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
    if (pool_.alive(s) && shared_.workers[s].state.load() == static_cast<std::uint32_t>(WorkerState::kActive))
      counts.push_back(static_cast<double>(pool_.assigned(s)));
  if (counts.empty()) return 0;
  double mean = 0;
  for (double c : counts) mean += c;
  mean /= static_cast<double>(counts.size());
  if (mean == 0) return 0;
  double worst = 0;
  for (double c : counts) worst = std::max(worst, std::abs(c - mean) / mean);
  return static_cast<unsigned>(std::lround(worst * 100));
}

SysctlTree Server::sysctl_tree() {
  SysctlTree t;
  auto& g = governor_settings_;
  auto num = [](auto v) { return std::to_string(v); };
  auto rw = [&](const std::string& leaf, unsigned& field, long long min, long long max,
                std::function<std::expected<void, std::string>(long long)> check = nullptr) {
    t.add_rw(fmt::format("{}.governor.{}", kRoot, leaf), [&field] { return std::to_string(field); },
             [&field, check](long long v) -> std::expected<void, std::string> {
               if (check)
                 if (auto r = check(v); !r) return r;
               field = static_cast<unsigned>(v);
               return {};
             },
             min, max);
  };
  t.add_rw(fmt::format("{}.governor.enabled", kRoot), [&g] { return g.enabled ? "1" : "0"; },
           [&g, this](long long v) -> std::expected<void, std::string> {
             g.enabled = v != 0;
             pool_.replace_crashed = g.enabled;
             log::info("governor {}", g.enabled ? "enabled" : "disabled");
             return {};
           },
           0, 1);
  rw("mode", g.mode, 0, 1);
  rw("min_workers", g.min_workers, 1, dataplane::kMaxWorkers, [&g](long long v) -> std::expected<void, std::string> {
    if (g.max_workers != 0 && v > g.max_workers) return std::unexpected(fmt::format("must not exceed max_workers ({})", g.max_workers));
    return {};
  });
  rw("max_workers", g.max_workers, 0, dataplane::kMaxWorkers, [&g](long long v) -> std::expected<void, std::string> {
    if (v != 0 && v < g.min_workers) return std::unexpected(fmt::format("must not be below min_workers ({})", g.min_workers));
    return {};
  });
  rw("cpu_threshold", g.cpu_threshold, 1, 100, [&g](long long v) -> std::expected<void, std::string> {
    if (v <= g.cpu_low_threshold) return std::unexpected(fmt::format("must be above cpu_low_threshold ({})", g.cpu_low_threshold));
    return {};
  });
  rw("cpu_low_threshold", g.cpu_low_threshold, 0, 99, [&g](long long v) -> std::expected<void, std::string> {
    if (v >= g.cpu_threshold) return std::unexpected(fmt::format("must be below cpu_threshold ({})", g.cpu_threshold));
    return {};
  });
  rw("scale_up_interval", g.scale_up_interval, 1, 3600);
  rw("scale_down_interval", g.scale_down_interval, 1, 86400);
  rw("drain_timeout", g.drain_timeout, 1, 86400);
  rw("drain_migrate", g.drain_migrate, 0, 1);
  rw("sess_per_worker", g.sess_per_worker, 1, 65535);
  t.add_rw(fmt::format("{}.governor.desired_workers", kRoot), [this] { return std::to_string(desired_workers_); },
           [this](long long v) { return set_worker_count(static_cast<unsigned>(v), "desired_workers"); }, 1,
           dataplane::kMaxWorkers);
  // Discovery protection (limits.*, 0 = off); read by the discovery guard on every frame.
  auto limit = [&](const std::string& leaf, unsigned& field, long long max) {
    t.add_rw(fmt::format("{}.limits.{}", kRoot, leaf), [&field] { return std::to_string(field); },
             [&field](long long v) -> std::expected<void, std::string> {
               field = static_cast<unsigned>(v);
               return {};
             },
             0, max);
  };
  auto& l = config_.limits;
  limit("padi_rate", l.padi_rate, 1000000);
  limit("padi_rate_per_mac", l.padi_rate_per_mac, 1000000);
  limit("max_starting", l.max_starting, 65534);
  limit("max_sessions_per_mac", l.max_sessions_per_mac, 65534);
  limit("pado_delay_ms", l.pado_delay_ms, 10000);
  limit("pado_delay_per_1000", l.pado_delay_per_1000, 10000);
  limit("pado_stop_sessions", l.pado_stop_sessions, 65534);
  limit("pado_delay_cpu_ms", l.pado_delay_cpu_ms, 10000);
  limit("pado_stop_cpu", l.pado_stop_cpu, 100);
  limit("max_sessions", config_.max_sessions, 65534);
  // Read by the workers on every control frame, so it lives in shared memory, not the config.
  t.add_rw(fmt::format("{}.limits.ppp_control_rate", kRoot),
           [this] { return std::to_string(shared_.settings().ppp_control_rate.load(std::memory_order_relaxed)); },
           [this](long long v) -> std::expected<void, std::string> {
             shared_.settings().ppp_control_rate.store(static_cast<std::uint32_t>(v), std::memory_order_relaxed);
             return {};
           },
           0, 100000);
  auto ro = [&](const std::string& leaf, std::function<std::string()> get) {
    t.add_ro(fmt::format("{}.{}", kRoot, leaf), std::move(get));
  };
  ro("governor.current_workers", [this, num] { return num(pool_.current_workers()); });
  ro("governor.active_workers", [this, num] { return num(pool_.count_in(WorkerState::kActive)); });
  ro("governor.draining_workers", [this, num] { return num(pool_.count_in(WorkerState::kDraining)); });
  ro("governor.pending_removals", [this, num] { return num(pool_.count_in(WorkerState::kPendingRemoval)); });
  ro("governor.total_sessions", [this, num] { return num(pool_.session_count()); });
  ro("governor.cpu_usage", [this, num] { return num(cpu_.usage()); });
  ro("governor.avg_sessions_worker", [this, num] {
    unsigned n = pool_.current_workers();
    return num(n == 0 ? 0 : (pool_.session_count() + n / 2) / n);
  });
  ro("governor.last_decision", [this] { return governor_.last_decision(); });
  ro("governor.last_reason", [this] { return governor_.last_reason(); });
  t.add_rw(fmt::format("{}.algorithm", kRoot), [this] { return std::to_string(static_cast<int>(pool_.algorithm)); },
           [this](long long v) -> std::expected<void, std::string> {
             pool_.algorithm = static_cast<Algorithm>(v);
             log::info("worker selection: {}", to_string(pool_.algorithm));
             return {};
           },
           0, 2);
  for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s) {
    if (!pool_.alive(s)) continue;
    std::string base = fmt::format("{}.workers.{}", kRoot, s);
    auto& w = shared_.workers[s];
    t.add_rw(base + ".state", [&w] { return std::to_string(w.state.load()); },
             [this, s](long long v) -> std::expected<void, std::string> {
               // 30.6.10.3: state=0 cancels a drain; state=1 starts one.
               bool ok = v == 0 ? pool_.cancel_drain(s) : drain_worker(s);
               if (!ok)
                 return std::unexpected(v == 0 ? "worker is not DRAINING" : "worker is not ACTIVE");
               return {};
             },
             0, 1);
    t.add_ro(base + ".sessions", [this, s] { return std::to_string(pool_.assigned(s)); });
    t.add_ro(base + ".bytes_in", [&w] { return std::to_string(w.bytes_in.load()); });
    t.add_ro(base + ".bytes_out", [&w] { return std::to_string(w.bytes_out.load()); });
    t.add_ro(base + ".uptime", [&w] { return std::to_string(std::time(nullptr) - w.started_unix.load()); });
    t.add_ro(base + ".pid", [&w] { return std::to_string(w.pid.load()); });
    t.add_ro(base + ".cpu", [this, s] { return std::to_string(cpu_.usage_of(pool_.pid(s))); });
    t.add_ro(base + ".session_frames", [&w] { return std::to_string(w.session_frames.load()); });
    t.add_ro(base + ".foreign_frames", [&w] { return std::to_string(w.foreign_frames.load()); });
    t.add_ro(base + ".downstream_for_others", [&w] { return std::to_string(w.downstream_for_others.load()); });
  }
  ro("health.load_imbalance_pct", [this, num] { return num(load_imbalance_pct()); });
  ro("stats.total_errors", [this, num] {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(dataplane::Drop::kCount); ++i)
      total += drop_total(static_cast<dataplane::Drop>(i));
    return num(total);
  });
  for (std::size_t i = 0; i < static_cast<std::size_t>(dataplane::Drop::kCount); ++i) {
    auto d = static_cast<dataplane::Drop>(i);
    ro(fmt::format("stats.{}", dataplane::to_string(d)), [this, d, num] { return num(drop_total(d)); });
  }
  ro("stats.worker_crashes", [this, num] { return num(pool_.crashes); });
  ro("stats.sessions_adopted", [this, num] { return num(pool_.adopted_sessions); });
  ro("stats.sessions_migrated", [this, num] { return num(pool_.migrated_sessions); });
  if (config_.radius.enabled()) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(radius::AaaCounter::kCount); ++i) {
      auto c = static_cast<radius::AaaCounter>(i);
      ro(fmt::format("stats.radius.{}", radius::to_string(c)), [this, c, num] { return num(aaa_total(c)); });
    }
    if (dae_) {
      ro("stats.radius.disconnect_requests", [this, num] { return num(dae_->counters().disconnect_requests); });
      ro("stats.radius.coa_requests", [this, num] { return num(dae_->counters().coa_requests); });
    }
  }
  return t;
}

std::string Server::show_workers() const {
  std::string s = "Worker Status:\n";
  for (unsigned i = 0; i < dataplane::kMaxWorkers; ++i) {
    if (!pool_.alive(i)) continue;
    const auto& w = shared_.workers[i];
    s += fmt::format("Worker {}: {} ({} sessions, {} uptime)\n", i,
                     dataplane::to_string(static_cast<WorkerState>(w.state.load())), pool_.assigned(i),
                     human_uptime(std::time(nullptr) - w.started_unix.load()));
  }
  return s;
}

std::string Server::show_governor() const {
  const auto& g = governor_settings_;
  std::string decision = governor_.last_decision();
  if (decision != "none") decision += fmt::format(" (reason: {})", governor_.last_reason());
  return fmt::format(
      "Governor Status:\nEnabled: {}\nMode: {}\nMin Workers: {}\nMax Workers: {}\nCurrent Workers: {}\n"
      "Active Workers: {}\nDraining Workers: {}\nPending Removals: {}\nLast Decision: {}\n",
      g.enabled ? "Yes" : "No", g.mode == 1 ? "Auto" : "Manual", g.min_workers, resolved_max_workers(),
      pool_.current_workers(), pool_.count_in(WorkerState::kActive), pool_.count_in(WorkerState::kDraining),
      pool_.count_in(WorkerState::kPendingRemoval), decision);
}

std::string Server::show_stats() const {
  std::string s = fmt::format("{:<7} {:<16} {:>8} {:>6} {:>14} {:>14} {:>12} {:>8} {:>7}\n", "Worker", "State",
                              "Sessions", "CPU%", "Bytes In", "Bytes Out", "Frames", "Foreign", "Errors");
  for (unsigned i = 0; i < dataplane::kMaxWorkers; ++i) {
    if (!pool_.alive(i)) continue;
    const auto& w = shared_.workers[i];
    std::uint64_t errors = 0;
    for (const auto& d : w.drops) errors += d.load();
    s += fmt::format("{:<7} {:<16} {:>8} {:>6} {:>14} {:>14} {:>12} {:>8} {:>7}\n", i,
                     dataplane::to_string(static_cast<WorkerState>(w.state.load())), pool_.assigned(i),
                     cpu_.usage_of(pool_.pid(i)), w.bytes_in.load(), w.bytes_out.load(), w.session_frames.load(),
                     w.foreign_frames.load(), errors);
  }
  s += fmt::format("Total: {} sessions on {} workers, cpu_usage {}%, load imbalance {}%, worker crashes {}\n",
                   pool_.session_count(), pool_.current_workers(), cpu_.usage(), load_imbalance_pct(), pool_.crashes);
  return s;
}

ctl::Json Server::summary() {
  const auto& d = discovery_.counters();
  ctl::Json drops = ctl::Json::object();
  for (std::size_t i = 0; i < static_cast<std::size_t>(dataplane::Drop::kCount); ++i) {
    auto reason = static_cast<dataplane::Drop>(i);
    drops[dataplane::to_string(reason)] = drop_total(reason);
  }
  ctl::Json ended = ctl::Json::object();
  for (std::size_t i = 0; i < retired_.ended_by_reason.size(); ++i) {
    std::uint64_t n = retired_.ended_by_reason[i];
    for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
      if (pool_.alive(s)) n += shared_.workers[s].ended_by_reason[i].load();
    if (n != 0 && i < session::kEndReasons)
      ended[session::to_string(static_cast<session::EndReason>(i))] = n;
  }
  const std::size_t up = pool_.up_count();
  ctl::Json workers = ctl::Json::array();
  for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s) {
    if (!pool_.alive(s)) continue;
    const auto& w = shared_.workers[s];
    workers.push_back({{"id", s},
                       {"state", dataplane::to_string(static_cast<WorkerState>(w.state.load()))},
                       {"pid", w.pid.load()},
                       {"sessions", pool_.assigned(s)},
                       {"bytes_in", w.bytes_in.load()},
                       {"bytes_out", w.bytes_out.load()},
                       {"session_frames", w.session_frames.load()},
                       {"foreign_frames", w.foreign_frames.load()},
                       {"downstream_for_others", w.downstream_for_others.load()},
                       {"cpu", cpu_.usage_of(pool_.pid(s))},
                       {"uptime", std::time(nullptr) - w.started_unix.load()}});
  }
  using W = dataplane::WorkerSlot;
  const auto& sc = socket_.counters();
  return {{"ok", true},
          {"interface", config_.interface},
          {"ac_name", config_.ac_name},
          {"uptime", std::time(nullptr) - started_unix_},
          {"reload", {{"generation", reload_.generation}, {"last_unix", reload_.last_unix},
                      {"workers_pending", reload_.waiting}, {"workers_failed", reload_.failed}}},
          {"sessions", {{"total", pool_.session_count()}, {"up", up}, {"negotiating", pool_.session_count() - up},
                        {"ipv6", shared_.ipv6.size()}}},  // IPv6CP opened (indexed by interface identifier)
          {"pool", {{"capacity", shared_.pool.capacity()}, {"in_use", shared_.pool.in_use()}}},
          {"ipv6_pool", {{"capacity", shared_.ipv6_pool.capacity()}, {"in_use", shared_.ipv6_pool.in_use()},
                         {"indexed_prefixes", shared_.prefixes.size()},
                         {"held_for_users", shared_.held_prefixes.size()}}},
          {"delegate_pool", {{"capacity", shared_.delegate_pool.capacity()}, {"in_use", shared_.delegate_pool.in_use()}}},
          {"discovery", {{"padi_rx", d.padi_rx}, {"pado_tx", d.pado_tx}, {"padr_rx", d.padr_rx}, {"pads_tx", d.pads_tx},
                         {"padt_rx", d.padt_rx}, {"padt_tx", retired_.padt_sent + slot_total(&W::padt_sent)},
                         {"padt_unknown_tx", pool_.padt_unknown_sent}, {"pads_repeated", d.pads_repeated},
                         {"service_name_errors", d.service_name_errors}, {"ac_system_errors", d.ac_system_errors},
                         {"invalid", d.invalid}}},
          {"sessions_total", {{"created", retired_.started + slot_total(&W::sessions_started)},
                              {"up", retired_.up + slot_total(&W::sessions_up)},
                              {"ended", retired_.ended + slot_total(&W::sessions_ended)},
                              {"auth_failures", retired_.auth_failures + slot_total(&W::auth_failures)},
                              {"pool_exhausted", retired_.pool_exhausted + slot_total(&W::pool_exhausted)},
                              {"ended_by_reason", ended}}},
          {"traffic", {{"upstream_packets", retired_.packets_in + slot_total(&W::packets_in)},
                       {"upstream_bytes", retired_.bytes_in + slot_total(&W::bytes_in)},
                       {"downstream_packets", retired_.packets_out + slot_total(&W::packets_out)},
                       {"downstream_bytes", retired_.bytes_out + slot_total(&W::bytes_out)},
                       {"mss_clamped", retired_.mss_clamped + slot_total(&W::mss_clamped)},
                       {"shaped_packets", retired_.shaped_packets + slot_total(&W::shaped_packets)}}},
          {"io", {{"master_rx_frames", sc.rx_frames}, {"master_tx_frames", sc.tx_frames}}},
          {"workers", workers},
          {"worker_crashes", pool_.crashes},
          {"standby", standby_ ? ctl::Json{{"role", sync::to_string(standby_->role())},
                                           {"ready", standby_->ready()},
                                           {"not_ready_why", standby_->not_ready_why()},
                                           {"held_sessions", standby_->held()}}
                               : ctl::Json(nullptr)},
          {"fast_path", fast_path_ ? ctl::Json{{"kernel_sessions", fast_path_->session_entries()},
                                               {"kernel_addresses", fast_path_->address_entries()},
                                               {"kernel_prefixes6", fast_path_->prefix6_entries()}}
                                   : ctl::Json(nullptr)},
          {"sessions_adopted", pool_.adopted_sessions},
          {"sessions_migrated", pool_.migrated_sessions},
          {"drops", drops},
          {"filters", filters_json()}};
}

ctl::Json Server::filters_json() const {
  ctl::Json lists = ctl::Json::array();
  for (std::size_t i = 0; i < config_.policy.filters.size(); ++i) {
    const auto& f = config_.policy.filters[i];
    ctl::Json rules = ctl::Json::array();
    for (std::size_t k = 0; k < f.rules.size(); ++k)
      rules.push_back({{"rule", f.rules[k].text}, {"packets", shared_.filter_hits[i * policy::kMaxFilterRules + k].load()}});
    lists.push_back({{"name", f.name}, {"rules", rules}});
  }
  return lists;
}

ctl::Json Server::handle(const ctl::Json& req) {
  std::string cmd = ctl::text_field(req, "cmd");
  std::string what = ctl::text_field(req, "what");
  auto session_id = [&]() -> std::optional<std::uint16_t> {
    if (!req.contains("id") || !req["id"].is_number_unsigned()) return std::nullopt;
    auto v = req["id"].get<std::uint64_t>();
    if (v == 0 || v > pppoe_proto::kMaxSessionId) return std::nullopt;
    return static_cast<std::uint16_t>(v);
  };
  if (cmd == "show" && what == "sessions") {
    // A page per request (session_query.hpp): 64,000 sessions never hold up discovery.
    auto page = parse_session_page(req);
    if (!page) return error(page.error());
    ctl::Json list = ctl::Json::array();
    const auto tunnels = l2tp_tunnels();
    std::uint32_t id = page->from;
    for (unsigned scanned = 0; id <= pppoe_proto::kMaxSessionId && list.size() < page->max &&
                               scanned < SessionPage::kMaxScan;
         ++id, ++scanned) {
      auto r = shared_.table.read(static_cast<std::uint16_t>(id));
      if (!r || !page->match.matches(*r)) continue;
      ctl::Json j = record_json(*r, shared_.downstream[id]);
      // Where the kernel actually sends this session's frames (-1: the master), for
      // pppoetest --check-affinity; `worker` is where the master assigned it.
      j["dispatch_worker"] = static_cast<int>(dispatch_.get(static_cast<std::uint16_t>(id))) - 1;
      if (r->l2tp_tunnel != 0) j["l2tp"] = l2tp_session_json(*r, tunnels);
      list.push_back(std::move(j));
    }
    // "next": where the following page starts; 0 when every ID has been looked at.
    return {{"ok", true}, {"sessions", list}, {"next", id <= pppoe_proto::kMaxSessionId ? id : 0}};
  }
  auto u16_field = [&](const char* name) -> std::optional<std::uint16_t> {
    if (!req.contains(name) || !req[name].is_number_unsigned()) return std::nullopt;
    auto v = req[name].get<std::uint64_t>();
    if (v == 0 || v > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(v);
  };
  if (cmd == "show" && what == "tunnels") return show_tunnels();
  if (cmd == "show" && what == "system") return show_system();
  if (cmd == "show" && what == "ac") return show_ac();
  if (cmd == "show" && what == "tunnel") {
    auto id = u16_field("id");
    if (!id) return error("expected a tunnel id from 1 to 65535");
    return show_tunnel(*id);
  }
  if (cmd == "show" && what == "session" && req.contains("tunnel")) {
    auto tunnel = u16_field("tunnel");
    auto id = u16_field("id");
    if (!tunnel || !id) return error("expected a session id and a tunnel id from 1 to 65535");
    return show_l2tp_session(*tunnel, *id);
  }
  if (cmd == "show" && what == "session") {
    auto id = session_id();
    if (!id) return error("expected a session id from 1 to 65534");
    auto r = shared_.table.read(*id);
    if (!r) return error("no such session");
    ctl::Json j = record_json(*r, shared_.downstream[*id]);
    j["phase"] = session::to_string(static_cast<session::Phase>(r->phase));
    j["lcp_state"] = ppp::to_string(static_cast<ppp::State>(r->lcp));
    j["ipcp_state"] = ppp::to_string(static_cast<ppp::State>(r->ipcp));
    j["ipv6cp_state"] = ppp::to_string(static_cast<ppp::State>(r->ipv6cp));
    j["peer_magic"] = r->peer_magic;
    j["echo_misses"] = r->echo_misses;
    j["ipv6_interface_id"] = fmt::format("{:016x}", r->ipv6_peer_id);
    if (r->duid_len != 0) {
      // The DHCPv6 binding (RFC 8415): the client's DUID (its first 20 octets), the IAIDs and the
      // lease times it was given when it last bound or renewed.
      std::string duid;
      for (std::size_t i = 0; i < std::min<std::size_t>(r->duid_len, sizeof r->duid); ++i)
        duid += fmt::format("{}{:02x}", i == 0 ? "" : ":", r->duid[i]);
      if (r->duid_len > sizeof r->duid) duid += "...";
      const auto& v6 = config_.ipv6_service;
      j["dhcpv6"] = {{"client_duid", duid}, {"pd_iaid", r->pd_iaid}, {"na_iaid", r->na_bound ? r->na_iaid : 0},
                     {"bound_unix_ms", r->dhcpv6_bound_unix_ms}, {"t1", v6.t1()}, {"t2", v6.t2()},
                     {"preferred_lifetime", v6.preferred_lifetime}, {"valid_lifetime", v6.valid_lifetime}};
    }
    j["policy"] = policy_json(*r, shared_.policy[*id], config_.policy);
    j["fast_path"] = fast_path_json(*id, *r);
    j["acct_session_id"] = std::string(r->acct_session_id, strnlen(r->acct_session_id, sizeof r->acct_session_id));
    j["session_timeout"] = r->session_timeout;
    j["idle_timeout"] = r->idle_timeout;
    if (r->l2tp_tunnel != 0) j["l2tp"] = l2tp_session_json(*r, l2tp_tunnels());
    return {{"ok", true}, {"session", j}};
  }
  if (cmd == "show" && (what == "summary" || what == "stats")) return summary();
  if (cmd == "show" && what == "radius") return show_radius();
  if (cmd == "show" && what == "standby") {
    if (!standby_) return {{"ok", false}, {"error", "no standby pair configured (standby-peer)"}};
    return standby_->show(Clock::now());
  }
  if (cmd == "show" && what == "resources") {
    // What a leak would show: everything here returns to its idle value when no session exists
    // (bench/soak.sh checks it after hours of churn and faults).
    std::size_t table_used = 0, dispatch_to_workers = 0;
    for (std::uint32_t id = 1; id <= pppoe_proto::kMaxSessionId; ++id) {
      if (shared_.table.read(static_cast<std::uint16_t>(id))) ++table_used;
      if (dispatch_.get(static_cast<std::uint16_t>(id)) != dataplane::SessionDispatchMap::kMasterOwner) ++dispatch_to_workers;
    }
    ctl::Json procs = ctl::Json::array();
    auto describe = [&](pid_t pid, const std::string& role) {
      std::size_t fds = 0;
      std::error_code ec;
      for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(fmt::format("/proc/{}/fd", pid), ec)) ++fds;
      // RssAnon is the process's own memory (a leak shows there); RssShmem grows as the shared
      // session table's pages are touched, which is use, not a leak.
      long rss_kib = 0, anon_kib = 0, shmem_kib = 0;
      std::ifstream status(fmt::format("/proc/{}/status", pid));
      for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmRSS:")) rss_kib = std::strtol(line.c_str() + 6, nullptr, 10);
        if (line.starts_with("RssAnon:")) anon_kib = std::strtol(line.c_str() + 8, nullptr, 10);
        if (line.starts_with("RssShmem:")) shmem_kib = std::strtol(line.c_str() + 9, nullptr, 10);
      }
      procs.push_back({{"role", role}, {"pid", pid}, {"fds", fds}, {"rss_kib", rss_kib}, {"rss_anon_kib", anon_kib},
                       {"rss_shmem_kib", shmem_kib}});
    };
    describe(::getpid(), "master");
    for (unsigned i = 0; i < dataplane::kMaxWorkers; ++i)
      if (pool_.alive(i)) describe(pool_.pid(i), fmt::format("worker {}", i));
    return {{"ok", true},
            {"sessions", pool_.session_count()},
            {"free_session_ids", pool_.free_session_ids()},
            {"session_table_used", table_used},
            {"dispatch_entries_to_workers", dispatch_to_workers},
            {"pool_in_use", shared_.pool.in_use()},
            {"ipv4_index", shared_.ipv4.size()},
            {"ipv6_index", shared_.ipv6.size()},
            {"processes", procs}};
  }
  if (cmd == "set" && what == "rate") {
    // pppoectl set session ID rate DOWN[/UP]: "0" (or "none") for no limit that way.
    auto id = session_id();
    if (!id) return error("expected a session id from 1 to 65534");
    auto r = shared_.table.read(*id);
    if (!r || r->state != dataplane::SessionState::kUp) return error("no such session up");
    std::string text = ctl::text_field(req, "rate");
    // kbit/s per direction, 0 for none; nullopt when the text is no rate.
    auto one = [](std::string_view t) -> std::optional<std::uint32_t> {
      if (t == "0" || t == "none") return 0u;
      return policy::parse_kbps(t, 1000);
    };
    auto slash = text.find('/');
    auto down = one(std::string_view(text).substr(0, slash));
    auto up = one(slash == std::string::npos ? std::string_view(text) : std::string_view(text).substr(slash + 1));
    if (text.empty() || !down || !up) return error("expected DOWN[/UP]: kbit/s or with k, M, G (8k..4000G), 0 for none");
    auto rate_of = [](std::uint32_t kbps) {
      return kbps == 0 ? std::nullopt : std::optional<policy::Rate>(policy::Rate{kbps, 0});
    };
    policy::RateLimit rate = config_.policy.with_bursts(policy::RateLimit{rate_of(*down), rate_of(*up)});
    worker::Message m;
    m.type = worker::MessageType::kChangeRate;
    m.session_id = *id;
    m.reason = 3;
    if (rate.down) std::tie(m.rate_down_kbps, m.rate_down_burst) = std::pair{rate.down->kbps, rate.down->burst};
    if (rate.up) std::tie(m.rate_up_kbps, m.rate_up_burst) = std::pair{rate.up->kbps, rate.up->burst};
    if (!pool_.send_to_owner(*id, m)) return error("no such session");
    return {{"ok", true}, {"rate", policy::to_string(rate)}};
  }
  if (cmd == "reload") return reload("pppoectl");
  if (cmd == "debug" && (what == "user" || what == "mac" || what == "list")) return set_debug(req);
  if (cmd == "show" && what == "failures") {
    std::string mac = ctl::text_field(req, "mac");
    if (!mac.empty()) {
      auto parsed = MacAddress::parse(mac);
      if (!parsed) return error(fmt::format("'{}' is not a MAC address", mac));
      mac = parsed->to_string();
    }
    return {{"ok", true},
            {"kept", config_.failures_kept},
            {"recorded", failures_.recorded()},
            {"failures", failures_.to_json(ctl::text_field(req, "user"), mac, config_.failures_kept)}};
  }
  if (cmd == "disconnect" || cmd == "kill") {
    auto reason = static_cast<std::uint8_t>(session::EndReason::kAdminReset);
    if (req.contains("user")) {
      std::string user = ctl::text_field(req, "user");
      unsigned n = 0;
      for (std::uint32_t id = 1; id <= pppoe_proto::kMaxSessionId; ++id)
        if (auto r = shared_.table.read(static_cast<std::uint16_t>(id)); r && user == r->user)
          if (pool_.disconnect(static_cast<std::uint16_t>(id), reason)) ++n;
      if (n == 0) return error(fmt::format("no session of user '{}'", user));
      return {{"ok", true}, {"disconnected", n}};
    }
    auto id = session_id();
    if (!id) return error("expected a session id from 1 to 65534");
    if (!pool_.disconnect(*id, reason)) return error("no such session");
    socket_.flush();
    return {{"ok", true}, {"disconnected", 1}};
  }
  if (cmd == "sysctl") {
    SysctlTree tree = sysctl_tree();
    std::string name = ctl::text_field(req, "name");
    if (name.empty()) name = kRoot;
    if (req.contains("value")) {
      if (auto r = tree.write(name, ctl::text_field(req, "value")); !r) return error(r.error());
      tree = sysctl_tree();
    }
    auto values = tree.read(name);
    if (!values) return error(values.error());
    ctl::Json list = ctl::Json::array();
    for (const auto& [n, v] : *values) list.push_back({n, v});
    return {{"ok", true}, {"values", list}};
  }
  if (cmd == "msg") {
    std::string name = ctl::text_field(req, "name");
    if (name == "showworkers") return {{"ok", true}, {"text", show_workers()}};
    if (name == "showgovernor") return {{"ok", true}, {"text", show_governor()}};
    if (name == "showstats") return {{"ok", true}, {"text", show_stats()}};
    if (name == "addworker") {
      auto r = pool_.add_worker("addworker");
      if (!r) return error(r.error());
      desired_workers_ = pool_.count_in(WorkerState::kActive);
      return {{"ok", true}, {"text", fmt::format("created worker {} (now {} workers)\n", *r, pool_.current_workers())}};
    }
    if (name == "setworkers") {
      std::string arg = ctl::text_field(req, "arg");
      unsigned n = 0;
      auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
      if (ec != std::errc{} || p != arg.data() + arg.size())
        return error(fmt::format("setworkers: expected a worker count, found '{}'", arg));
      if (auto r = set_worker_count(n, "setworkers"); !r) return error(r.error());
      return {{"ok", true}, {"text", fmt::format("workers: {} active, {} draining\n", pool_.count_in(WorkerState::kActive),
                                                 pool_.count_in(WorkerState::kDraining))}};
    }
    if (name == "migrate") {
      // Live migration (issue 15): the worker drains, and its sessions move to the ACTIVE
      // workers now instead of waiting for their end or the drain timeout.
      std::string arg = ctl::text_field(req, "arg");
      unsigned w = 0;
      auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), w);
      if (ec != std::errc{} || p != arg.data() + arg.size() || w >= dataplane::kMaxWorkers || !pool_.alive(w))
        return error(fmt::format("migrate: expected the number of a running worker, found '{}'", arg));
      auto st = static_cast<WorkerState>(shared_.workers[w].state.load());
      if (st == WorkerState::kActive) {
        if (pool_.count_in(WorkerState::kActive) < 2) return error("migrate: no other ACTIVE worker to take the sessions");
        (void)pool_.drain(w);
      } else if (st != WorkerState::kDraining) {
        return error(fmt::format("migrate: worker {} is {}", w, dataplane::to_string(st)));
      }
      std::size_t n = pool_.migrate(w);
      return {{"ok", true}, {"text", fmt::format("worker {}: DRAINING, {} sessions migrating\n", w, n)}};
    }
    return error(fmt::format("unknown message '{}'; expected showworkers, showgovernor, addworker, setworkers N, migrate N, showstats", name));
  }
  if (cmd == "debug" && what == "redispatch") {
    if (!config_.debug_commands) return error("debug commands are off (set 'debug-commands yes' in the config)");
    auto id = session_id();
    if (!id || !req.contains("worker") || !req["worker"].is_number_unsigned())
      return error("expected a session id and a worker");
    auto to = req["worker"].get<unsigned>();
    if (to >= dataplane::kMaxWorkers || !pool_.alive(to)) return error("no such worker");
    dispatch_.set(*id, to + 1);
    log::warn("debug: session {} re-dispatched to worker {} (affinity deliberately broken)", *id, to);
    return {{"ok", true}};
  }
  return error("unknown request; expected show, disconnect, kill, sysctl, msg or debug");
}

}  // namespace pppoe::master
