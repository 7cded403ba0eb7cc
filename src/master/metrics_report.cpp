// Server: what `metrics-listen` serves (operator guide "Metrics"). Every figure is a total the
// master already keeps or a sum over at most kMaxWorkers slots: the cost of a scrape does not
// grow with the sessions. Names follow Prometheus' conventions: `pppoed_` prefix, `_total`
// counters, seconds and bytes.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>

#include "master/server.hpp"
#include "metrics/exposition.hpp"

namespace pppoe::master {

namespace {

using metrics::Type;

struct ProcessFigures {
  double cpu_seconds = 0;
  double resident_bytes = 0;
};

/// /proc/PID/stat (utime, stime) and /proc/PID/statm (resident pages); zeros if gone.
ProcessFigures process_figures(pid_t pid) {
  ProcessFigures f;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses: fields count from the last ')'.
  if (auto close = text.rfind(')'); close != std::string::npos) {
    unsigned long long utime = 0, stime = 0;
    if (std::sscanf(text.c_str() + close + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) == 2)
      f.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  unsigned long long size = 0, resident = 0;
  if (statm >> size >> resident) f.resident_bytes = static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  return f;
}

}  // namespace

std::string Server::render_metrics(metrics::Format format) {
  using W = dataplane::WorkerSlot;
  metrics::Exposition m(format);
  auto one = [&m](std::string_view name, Type type, std::string_view help, double value) {
    m.family(name, type, help);
    m.sample(value);
  };

  m.family("pppoed_build", Type::kInfo, "Version of this pppoed.");
  m.sample({{"version", PPPOE_VERSION}}, 1);
  one("pppoed_start_time_seconds", Type::kGauge, "When pppoed started, Unix time.", static_cast<double>(started_unix_));
  one("pppoed_reloads", Type::kCounter, "Configuration reloads applied (SIGHUP, pppoectl reload).", reload_.generation);
  one("pppoed_reload_last_time_seconds", Type::kGauge, "When the configuration was last reloaded, Unix time (0: never).",
      static_cast<double>(reload_.last_unix));

  // Sessions now.
  const auto up = static_cast<double>(pool_.up_count());
  m.family("pppoed_sessions", Type::kGauge, "Sessions by state: up (IPCP open) or negotiating.");
  m.sample({{"state", "up"}}, up);
  m.sample({{"state", "negotiating"}}, static_cast<double>(pool_.session_count()) - up);
  one("pppoed_sessions_ipv6", Type::kGauge, "Sessions whose IPv6CP is open.", static_cast<double>(shared_.ipv6.size()));
  one("pppoed_sessions_limit", Type::kGauge, "max-sessions.", config_.max_sessions);
  if (fast_path_)  // the kernel's session map: sessions whose IPv4 the kernel forwards
    one("pppoed_fast_path_sessions", Type::kGauge, "Sessions on the kernel fast path (entries in its session map).",
        static_cast<double>(fast_path_->session_entries()));

  // Session totals.
  one("pppoed_sessions_started", Type::kCounter, "Sessions created (PADS sent or L2TP call).",
      static_cast<double>(retired_.started + slot_total(&W::sessions_started)));
  one("pppoed_sessions_established", Type::kCounter, "Sessions that came up.",
      static_cast<double>(retired_.up + slot_total(&W::sessions_up)));
  m.family("pppoed_sessions_ended", Type::kCounter, "Sessions ended, by cause.");
  for (std::size_t i = 0; i < session::kEndReasons; ++i) {
    std::uint64_t n = retired_.ended_by_reason[i];
    for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
      if (pool_.alive(s)) n += shared_.workers[s].ended_by_reason[i].load(std::memory_order_relaxed);
    m.sample({{"cause", session::to_string(static_cast<session::EndReason>(i))}}, static_cast<double>(n));
  }
  one("pppoed_sessions_pool_exhausted", Type::kCounter, "Sessions refused an address: the pool was empty.",
      static_cast<double>(retired_.pool_exhausted + slot_total(&W::pool_exhausted)));
  one("pppoed_sessions_adopted", Type::kCounter, "Sessions a worker continued from a record (crash, migration).",
      static_cast<double>(pool_.adopted_sessions));
  one("pppoed_sessions_migrated", Type::kCounter, "Sessions moved live between workers.",
      static_cast<double>(pool_.migrated_sessions));

  // Authentication, by method and result.
  m.family("pppoed_authentications", Type::kCounter,
           "Authentication answers by method and result (accepted, rejected, no_answer: no RADIUS server answered).");
  static constexpr const char* kOutcomes[] = {"accepted", "rejected", "no_answer"};
  for (std::size_t method = 1; method < dataplane::kAuthMethods; ++method)
    for (std::size_t o = 0; o < std::size(kOutcomes); ++o) {
      std::uint64_t n = retired_.auth[method][o];
      for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
        if (pool_.alive(s)) n += shared_.workers[s].auth[method][o].load(std::memory_order_relaxed);
      m.sample({{"method", ppp::to_string(static_cast<ppp::AuthMethod>(method))}, {"result", kOutcomes[o]}},
               static_cast<double>(n));
    }

  // Discovery.
  const auto& d = discovery_.counters();
  m.family("pppoed_discovery_packets", Type::kCounter, "PPPoE discovery packets by code and direction.");
  const std::pair<const char*, std::uint64_t> rx[] = {{"PADI", d.padi_rx}, {"PADR", d.padr_rx}, {"PADT", d.padt_rx}};
  for (const auto& [code, n] : rx) m.sample({{"code", code}, {"direction", "rx"}}, static_cast<double>(n));
  const std::pair<const char*, std::uint64_t> tx[] = {
      {"PADO", d.pado_tx}, {"PADS", d.pads_tx}, {"PADT", retired_.padt_sent + slot_total(&W::padt_sent) + pool_.padt_unknown_sent}};
  for (const auto& [code, n] : tx) m.sample({{"code", code}, {"direction", "tx"}}, static_cast<double>(n));
  m.family("pppoed_discovery_errors", Type::kCounter, "PADS with an error tag, and repeated PADRs answered again.");
  m.sample({{"kind", "service_name_error"}}, static_cast<double>(d.service_name_errors));
  m.sample({{"kind", "ac_system_error"}}, static_cast<double>(d.ac_system_errors));
  m.sample({{"kind", "generic_error"}}, static_cast<double>(d.generic_errors));
  m.sample({{"kind", "pads_repeated"}}, static_cast<double>(d.pads_repeated));

  // Every dropped frame, by reason (master and workers).
  m.family("pppoed_drops", Type::kCounter, "Frames and packets dropped, by reason.");
  for (std::size_t i = 0; i < static_cast<std::size_t>(dataplane::Drop::kCount); ++i) {
    auto reason = static_cast<dataplane::Drop>(i);
    m.sample({{"reason", dataplane::to_string(reason)}}, static_cast<double>(drop_total(reason)));
  }

  // Traffic, all workers.
  m.family("pppoed_traffic_packets", Type::kCounter, "Subscriber IP packets by direction (upstream: from subscribers).");
  m.sample({{"direction", "upstream"}}, static_cast<double>(retired_.packets_in + slot_total(&W::packets_in)));
  m.sample({{"direction", "downstream"}}, static_cast<double>(retired_.packets_out + slot_total(&W::packets_out)));
  m.family("pppoed_traffic_bytes", Type::kCounter, "Subscriber IP bytes by direction.");
  m.sample({{"direction", "upstream"}}, static_cast<double>(retired_.bytes_in + slot_total(&W::bytes_in)));
  m.sample({{"direction", "downstream"}}, static_cast<double>(retired_.bytes_out + slot_total(&W::bytes_out)));
  one("pppoed_tcp_mss_clamped", Type::kCounter, "TCP SYNs whose MSS was lowered.",
      static_cast<double>(retired_.mss_clamped + slot_total(&W::mss_clamped)));
  one("pppoed_shaped_packets", Type::kCounter, "Downstream packets a shaper held back, then sent.",
      static_cast<double>(retired_.shaped_packets + slot_total(&W::shaped_packets)));

  // Workers and the governor.
  m.family("pppoed_workers", Type::kGauge, "Worker processes by state.");
  for (auto st : {dataplane::WorkerState::kActive, dataplane::WorkerState::kDraining, dataplane::WorkerState::kPendingRemoval})
    m.sample({{"state", dataplane::to_string(st)}}, pool_.count_in(st));
  one("pppoed_worker_crashes", Type::kCounter, "Workers that died without being asked to.", static_cast<double>(pool_.crashes));
  one("pppoed_governor_enabled", Type::kGauge, "1 when the auto-scaling governor is on.", governor_settings_.enabled ? 1 : 0);
  one("pppoed_governor_max_workers", Type::kGauge, "The most workers the governor may run.", resolved_max_workers());
  m.family("pppoed_governor_decisions", Type::kCounter, "The governor's decisions carried out.");
  m.sample({{"decision", "scale_up"}}, static_cast<double>(governor_counts_.scale_up));
  m.sample({{"decision", "scale_down"}}, static_cast<double>(governor_counts_.scale_down));
  m.sample({{"decision", "cancel_drain"}}, static_cast<double>(governor_counts_.cancel_drain));
  one("pppoed_governor_cpu_ratio", Type::kGauge, "The workers' CPU use the governor last saw (0..1 per worker).",
      cpu_.usage() / 100.0);

  // Per worker: at most kMaxWorkers series per family, whatever the session count.
  std::vector<std::pair<std::string, unsigned>> alive;
  for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
    if (pool_.alive(s)) alive.emplace_back(std::to_string(s), s);
  auto per_worker = [&](std::string_view name, Type type, std::string_view help, auto value) {
    m.family(name, type, help);
    for (const auto& [label, s] : alive) m.sample({{"worker", label}}, static_cast<double>(value(s)));
  };
  per_worker("pppoed_worker_sessions", Type::kGauge, "Sessions each worker holds.", [&](unsigned s) { return pool_.assigned(s); });
  m.family("pppoed_worker_packets", Type::kCounter, "Subscriber IP packets per worker and direction.");
  for (const auto& [label, s] : alive) {
    m.sample({{"worker", label}, {"direction", "upstream"}}, static_cast<double>(shared_.workers[s].packets_in.load()));
    m.sample({{"worker", label}, {"direction", "downstream"}}, static_cast<double>(shared_.workers[s].packets_out.load()));
  }
  m.family("pppoed_worker_bytes", Type::kCounter, "Subscriber IP bytes per worker and direction.");
  for (const auto& [label, s] : alive) {
    m.sample({{"worker", label}, {"direction", "upstream"}}, static_cast<double>(shared_.workers[s].bytes_in.load()));
    m.sample({{"worker", label}, {"direction", "downstream"}}, static_cast<double>(shared_.workers[s].bytes_out.load()));
  }
  per_worker("pppoed_worker_drops", Type::kCounter, "Frames and packets each worker dropped (all reasons).", [&](unsigned s) {
    std::uint64_t n = 0;
    for (const auto& a : shared_.workers[s].drops) n += a.load(std::memory_order_relaxed);
    return n;
  });
  per_worker("pppoed_worker_cpu_ratio", Type::kGauge, "Each worker's CPU use over the last second (0..1).",
             [&](unsigned s) { return cpu_.usage_of(pool_.pid(s)) / 100.0; });

  // Address pools.
  m.family("pppoed_pool_addresses", Type::kGauge, "IPv4 pool addresses by pool and state.");
  for (const auto& [name, p] : shared_.pool.pools()) {
    std::string label = name.empty() ? "default" : name;
    m.sample({{"pool", label}, {"state", "used"}}, static_cast<double>(p->in_use()));
    m.sample({{"pool", label}, {"state", "free"}}, static_cast<double>(p->capacity() - p->in_use()));
  }
  if (shared_.ipv6_pool.capacity() + shared_.delegate_pool.capacity() > 0) {
    m.family("pppoed_ipv6_prefixes", Type::kGauge, "IPv6 prefixes by kind (slaac: the sessions' /64s; delegated) and state.");
    for (const auto& [kind, pool] : {std::pair<const char*, const dataplane::SharedPrefixPools*>{"slaac", &shared_.ipv6_pool},
                                     {"delegated", &shared_.delegate_pool}}) {
      m.sample({{"kind", kind}, {"state", "used"}}, static_cast<double>(pool->in_use()));
      m.sample({{"kind", kind}, {"state", "free"}}, static_cast<double>(pool->capacity() - pool->in_use()));
    }
    one("pppoed_ipv6_prefixes_held", Type::kGauge, "Prefixes kept for users whose session ended (ipv6-prefix-hold).",
        static_cast<double>(shared_.held_prefixes.size()));
  }

  // RADIUS.
  if (config_.radius.enabled()) {
    m.family("pppoed_radius_events", Type::kCounter, "RADIUS events of every process (requests, answers, failovers, spool).");
    for (std::size_t i = 0; i < static_cast<std::size_t>(radius::AaaCounter::kCount); ++i) {
      auto c = static_cast<radius::AaaCounter>(i);
      m.sample({{"event", radius::to_string(c)}}, static_cast<double>(aaa_total(c)));
    }
    std::uint64_t auth_out = 0, acct_out = aaa_ ? aaa_->in_flight(true) : 0;
    for (const auto& [label, s] : alive) {
      auth_out += shared_.workers[s].radius_in_flight_auth.load(std::memory_order_relaxed);
      acct_out += shared_.workers[s].radius_in_flight_acct.load(std::memory_order_relaxed);
    }
    m.family("pppoed_radius_outstanding", Type::kGauge, "RADIUS requests sent and not answered yet, or waiting to be sent.");
    m.sample({{"kind", "auth"}}, static_cast<double>(auth_out));
    m.sample({{"kind", "acct"}}, static_cast<double>(acct_out));
    one("pppoed_radius_spooled_records", Type::kGauge, "Accounting records waiting in the spool.",
        aaa_ ? static_cast<double>(aaa_->spooled()) : 0.0);
    render_radius_servers(m);
  }

  // The processes.
  m.family("pppoed_process_cpu_seconds", Type::kCounter, "CPU time of the master and of each worker.");
  std::vector<std::pair<std::string, ProcessFigures>> procs{{"master", process_figures(::getpid())}};
  for (const auto& [label, s] : alive) procs.emplace_back("worker" + label, process_figures(pool_.pid(s)));
  for (const auto& [name, f] : procs) m.sample({{"process", name}}, f.cpu_seconds);
  m.family("pppoed_process_resident_memory_bytes", Type::kGauge, "Resident memory of the master and of each worker.");
  for (const auto& [name, f] : procs) m.sample({{"process", name}}, f.resident_bytes);
  one("pppoed_metrics_scrapes", Type::kCounter, "Scrapes of this endpoint answered.",
      static_cast<double>(metrics_ ? metrics_->scrapes() + 1 : 0));
  one("pppoed_metrics_render_seconds", Type::kGauge, "How long the master took to render the previous scrape.",
      metrics_ ? std::chrono::duration<double>(metrics_->last_render()).count() : 0.0);
  return m.finish();
}

namespace {

/// The servers of one kind as the workers publish them: in priority order, at most
/// kPublishedRadiusServers.
std::vector<const RadiusServer*> published_servers(const std::vector<RadiusServer>& list) {
  std::vector<const RadiusServer*> out;
  for (const auto& s : list) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->priority < b->priority; });
  if (out.size() > dataplane::kPublishedRadiusServers) out.resize(dataplane::kPublishedRadiusServers);
  return out;
}

radius::ServerStats read_counters(const dataplane::RadiusServerCounters& c) {
  radius::ServerStats st;
  st.requests = c.requests.load(), st.retransmits = c.retransmits.load(), st.timeouts = c.timeouts.load();
  st.responses = c.responses.load(), st.latency_sum_us = c.latency_sum_us.load();
  for (std::size_t b = 0; b < st.latency.size(); ++b) st.latency[b] = c.latency[b].load();
  return st;
}

void add_stats(radius::ServerStats& to, const radius::ServerStats& s) {
  to.requests += s.requests, to.retransmits += s.retransmits, to.timeouts += s.timeouts, to.responses += s.responses;
  to.latency_sum_us += s.latency_sum_us;
  for (std::size_t b = 0; b < to.latency.size(); ++b) to.latency[b] += s.latency[b];
}

std::string server_label(const RadiusServer& s) { return fmt::format("{}:{}", s.address.to_string(), s.port); }

}  // namespace

void Server::retire_radius_servers(unsigned slot) {
  for (int kind = 0; kind < 2; ++kind) {
    auto list = published_servers(kind == 0 ? config_.radius.auth_servers : config_.radius.acct_servers);
    for (std::size_t i = 0; i < list.size(); ++i)
      add_stats(retired_radius_[{kind, server_label(*list[i])}],
                read_counters(shared_.workers[slot].radius_servers[static_cast<std::size_t>(kind) *
                                                                       dataplane::kPublishedRadiusServers + i]));
  }
}

void Server::render_radius_servers(metrics::Exposition& m) const {
  // Figures per server as every process sees it (and as workers that are gone saw it), summed;
  // servers in priority order, as the workers publish them.
  struct Sum {
    std::string kind, server;
    radius::ServerStats stats;
    std::uint64_t outstanding = 0;  ///< now, in the live processes
  };
  std::vector<Sum> sums;
  for (int kind = 0; kind < 2; ++kind) {
    auto list = published_servers(kind == 0 ? config_.radius.auth_servers : config_.radius.acct_servers);
    for (std::size_t i = 0; i < list.size(); ++i) {
      Sum sum{kind == 0 ? "auth" : "acct", server_label(*list[i]), {}};
      for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s) {
        if (!pool_.alive(s)) continue;
        const auto& c =
            shared_.workers[s].radius_servers[static_cast<std::size_t>(kind) * dataplane::kPublishedRadiusServers + i];
        add_stats(sum.stats, read_counters(c));
        sum.outstanding += c.outstanding.load(std::memory_order_relaxed);
      }
      if (auto it = retired_radius_.find({kind, sum.server}); it != retired_radius_.end()) add_stats(sum.stats, it->second);
      // The master's own accounting (On/Off, spool replay, crashed workers' Stops).
      if (kind == 1 && aaa_ && aaa_->acct_client() != nullptr && i < aaa_->acct_client()->server_count()) {
        add_stats(sum.stats, aaa_->acct_client()->server_stats(i));
        sum.outstanding += aaa_->acct_client()->server_in_flight(i);
      }
      sums.push_back(std::move(sum));
    }
  }
  auto family = [&](std::string_view name, std::string_view help, std::uint64_t radius::ServerStats::*field) {
    m.family(name, metrics::Type::kCounter, help);
    for (const auto& s : sums) m.sample({{"kind", s.kind}, {"server", s.server}}, static_cast<double>(s.stats.*field));
  };
  using St = radius::ServerStats;
  family("pppoed_radius_server_requests", "Requests sent to each RADIUS server (first transmissions).", &St::requests);
  family("pppoed_radius_server_retransmits", "Retransmissions to each RADIUS server.", &St::retransmits);
  family("pppoed_radius_server_timeouts", "Requests a RADIUS server let run out of tries.", &St::timeouts);
  family("pppoed_radius_server_responses", "Verified responses from each RADIUS server.", &St::responses);
  m.family("pppoed_radius_server_outstanding", metrics::Type::kGauge, "Requests sent to each RADIUS server and not answered yet.");
  for (const auto& s : sums) m.sample({{"kind", s.kind}, {"server", s.server}}, static_cast<double>(s.outstanding));
  m.family("pppoed_radius_server_latency_seconds", metrics::Type::kHistogram,
           "Time from the first transmission to a RADIUS server to its verified response.");
  std::array<double, radius::ServerStats::kLatencyBoundsMs.size()> bounds{};
  for (std::size_t b = 0; b < bounds.size(); ++b) bounds[b] = radius::ServerStats::kLatencyBoundsMs[b] / 1000.0;
  for (const auto& s : sums)
    m.histogram({{"kind", s.kind}, {"server", s.server}}, s.stats.latency.data(), bounds.data(), bounds.size(),
                static_cast<double>(s.stats.latency_sum_us) / 1e6);
}

}  // namespace pppoe::master
