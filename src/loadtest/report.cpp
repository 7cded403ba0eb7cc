#include "loadtest/report.hpp"

#include <cmath>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace pppoe::loadtest {

std::string format_console(const LoadReport& r, const LoadOptions& o) {
  std::string s;
  s += "PPPoE Session Creation Report\n";
  s += "=============================\n";
  s += fmt::format("Interface: {}\n", o.interface);
  s += fmt::format("Sessions:  {} attempted, {} established, {} failed\n", r.attempted, r.established, r.failed());
  for (const auto& [phase, n] : r.failed_by_phase) s += fmt::format("  failed in {}: {}\n", phase, n);
  if (!r.retried_by_phase.empty()) {
    unsigned total = 0;
    std::string phases;
    for (const auto& [phase, n] : r.retried_by_phase) {
      total += n;
      phases += fmt::format("{}{}: {}", phases.empty() ? "" : ", ", phase, n);
    }
    s += fmt::format("Retried:   {} failed attempts dialled again ({}); {} sessions up after a retry\n", total, phases,
                     r.up_after_retry);
  }
  s += fmt::format("Setup:     p50 {:.1f} ms, p95 {:.1f} ms, max {:.1f} ms\n", r.setup_p50_ms, r.setup_p95_ms,
                   r.setup_max_ms);
  s += fmt::format("Rate:      {:.1f} sessions/s ({:.2f} s wall time)\n", r.setup_rate, r.setup_wall_s);
  s += fmt::format("IPv6CP:    {} sessions opened; {} pings {} sent, {} received, {} lost\n", r.ipv6_up,
                   o.target6 ? "global" : "link-local", r.pings6_sent, r.pings6_received, r.pings6_lost());
  if (r.ipv6_slaac > 0 || r.ipv6_failed > 0)
    s += fmt::format("SLAAC:     {} sessions got a /64 (Router Advertisement p50 {:.1f} ms, max {:.1f} ms after IPv6CP); "
                     "{} without\n", r.ipv6_slaac, r.ra_p50_ms, r.ra_max_ms, r.ipv6_failed);
  if (o.pd || o.ia_na)
    s += fmt::format("DHCPv6:    {} delegated prefixes, {} IA_NA addresses (Reply p50 {:.1f} ms, max {:.1f} ms after IPv6CP)\n",
                     r.ipv6_pd, r.ipv6_na, r.dhcpv6_p50_ms, r.dhcpv6_max_ms);
  s += fmt::format("Traffic:   {} sent, {} received, {} lost, {} corrupted; {}/{} sessions passed traffic\n",
                   r.pings_sent, r.pings_received, r.pings_lost(), r.pings_corrupted, r.sessions_with_traffic,
                   r.established);
  if (r.closed_by_server > 0)
    s += fmt::format("Closed by server while held: {} ({} reconnected)\n", r.closed_by_server, r.reconnected);
  if (r.hold_sent > 0)
    s += fmt::format("Hold pings: {} sent, {} received; {} lost on sessions never reset; largest gap {:.1f} ms\n",
                     r.hold_sent, r.hold_received, r.hold_lost_stable, r.hold_largest_gap_ms);
  if (r.hold_sent > 0 || r.flapped > 0 || r.reauthenticated > 0)
    s += fmt::format("While held: {} sessions flapped, {} re-authenticated\n", r.flapped, r.reauthenticated);
  if (r.flood_sent > 0) s += fmt::format("Flood: {} sent, {} received\n", r.flood_sent, r.flood_received);
  s += fmt::format("Result:    {}\n", r.success() ? "PASS" : "FAIL");
  return s;
}

std::string format_report(const LoadReport& r, const LoadOptions& o, Format f) {
  switch (f) {
    case Format::kConsole: return format_console(r, o);
    case Format::kJson: return format_json(r, o);
    case Format::kJsonl: return nlohmann::json::parse(format_json(r, o)).dump() + "\n";
    case Format::kCsv:
      return fmt::format(
          "attempted,established,failed,setup_p50_ms,setup_p95_ms,setup_max_ms,setup_rate,pings_sent,pings_received,pings_lost\n"
          "{},{},{},{:.1f},{:.1f},{:.1f},{:.1f},{},{},{}\n",
          r.attempted, r.established, r.failed(), r.setup_p50_ms, r.setup_p95_ms, r.setup_max_ms, r.setup_rate,
          r.pings_sent, r.pings_received, r.pings_lost());
    case Format::kTap:
      return fmt::format("1..3\n{} 1 - {}/{} sessions established\n{} 2 - {} of {} pings lost\n{} 3 - {} of {} IPv6 pings lost\n",
                         r.established == r.attempted ? "ok" : "not ok", r.established, r.attempted,
                         r.pings_lost() == 0 && r.pings_corrupted == 0 ? "ok" : "not ok", r.pings_lost(), r.pings_sent,
                         r.pings6_lost() == 0 ? "ok" : "not ok", r.pings6_lost(), r.pings6_sent);
  }
  return "";
}

/// Per session of the hold traffic: what each subscriber saw.
nlohmann::json held_json(const LoadReport& r) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& h : r.held)
    list.push_back({{"session_id", h.session_id}, {"mac", h.mac}, {"largest_gap_ms", std::round(h.largest_gap_ms * 10) / 10},
                    {"sent", h.sent}, {"lost", h.lost}, {"flapped", h.flapped}, {"reauthenticated", h.reauthenticated}});
  return list;
}

std::string format_json(const LoadReport& r, const LoadOptions& o) {
  nlohmann::json failed = nlohmann::json::object();
  for (const auto& [phase, n] : r.failed_by_phase) failed[phase] = n;
  nlohmann::json retried = nlohmann::json::object();
  for (const auto& [phase, n] : r.retried_by_phase) retried[phase] = n;
  nlohmann::json j = {{"type", "create_report"},
                      {"interface", o.interface},
                      {"attempted", r.attempted},
                      {"established", r.established},
                      {"failed", r.failed()},
                      {"failed_by_phase", failed},
                      {"retried_by_phase", retried},
                      {"up_after_retry", r.up_after_retry},
                      {"setup_ms", {{"p50", r.setup_p50_ms}, {"p95", r.setup_p95_ms}, {"max", r.setup_max_ms}}},
                      {"setup_rate", r.setup_rate},
                      {"setup_wall_s", r.setup_wall_s},
                      {"discovery_retransmits", r.discovery_retransmits},
                      {"rx_dropped", r.rx_dropped},
                      {"ipv6_up", r.ipv6_up},
                      {"ipv6_slaac", r.ipv6_slaac},
                      {"ipv6_failed", r.ipv6_failed},
                      {"ipv6_pd", r.ipv6_pd},
                      {"ipv6_na", r.ipv6_na},
                      {"dhcpv6_ms", {{"p50", std::round(r.dhcpv6_p50_ms * 10) / 10}, {"max", std::round(r.dhcpv6_max_ms * 10) / 10}}},
                      {"ra_ms", {{"p50", std::round(r.ra_p50_ms * 10) / 10}, {"max", std::round(r.ra_max_ms * 10) / 10}}},
                      {"traffic6", {{"sent", r.pings6_sent}, {"received", r.pings6_received}, {"lost", r.pings6_lost()}}},
                      {"traffic", {{"sent", r.pings_sent}, {"received", r.pings_received}, {"lost", r.pings_lost()},
                                   {"corrupted", r.pings_corrupted}, {"sessions_ok", r.sessions_with_traffic}}},
                      {"closed_by_server", r.closed_by_server},
                      {"reconnected", r.reconnected},
                      {"hold", {{"sent", r.hold_sent}, {"received", r.hold_received}, {"lost_stable", r.hold_lost_stable},
                                {"largest_gap_ms", std::round(r.hold_largest_gap_ms * 10) / 10},
                                {"rtt_ms", {{"samples", r.hold_rtt_samples}, {"p50", std::round(r.hold_rtt_p50_ms * 1000) / 1000},
                                            {"p99", std::round(r.hold_rtt_p99_ms * 1000) / 1000}}}}},
                      {"flapped", r.flapped},
                      {"reauthenticated", r.reauthenticated},
                      {"held_sessions", held_json(r)},
                      {"flood", {{"sent", r.flood_sent}, {"received", r.flood_received}}},
                      {"status", r.success() ? "pass" : "fail"}};
  return j.dump(2) + "\n";
}

}  // namespace pppoe::loadtest
