#include "master/config_reload.hpp"

#include <algorithm>
#include <set>

namespace pppoe::master {

namespace {

using Apply = void (*)(Config&, const Config&);

struct LiveSetting {
  std::string_view name;
  Apply apply;
};

// Each entry copies the fields its setting fills in (config.cpp, apply_setting).
constexpr LiveSetting kLive[] = {
    {"service-name", [](Config& r, const Config& n) { r.service_names = n.service_names; }},
    {"accept-empty-service", [](Config& r, const Config& n) { r.accept_empty_service = n.accept_empty_service; }},
    // IPCP offers them to each new session (RFC 1877).
    {"dns", [](Config& r, const Config& n) { r.name_servers = n.name_servers; }},
    {"nbns", [](Config& r, const Config& n) { r.name_servers = n.name_servers; }},
    {"secrets", [](Config& r, const Config& n) { r.secrets_file = n.secrets_file; }},
    {"auth", [](Config& r, const Config& n) { r.auth = n.auth; }},
    {"lcp-echo-interval", [](Config& r, const Config& n) { r.lcp_echo_interval = n.lcp_echo_interval; }},
    {"lcp-echo-failure", [](Config& r, const Config& n) { r.lcp_echo_failure = n.lcp_echo_failure; }},
    {"restart-timer", [](Config& r, const Config& n) { r.restart_timer = n.restart_timer; }},
    {"max-configure", [](Config& r, const Config& n) { r.max_configure = n.max_configure; }},
    {"ppp-control-rate", [](Config& r, const Config& n) { r.ppp_control_rate = n.ppp_control_rate; }},
    {"auth-timeout", [](Config& r, const Config& n) { r.auth_timeout = n.auth_timeout; }},
    {"idle-timeout", [](Config& r, const Config& n) { r.idle_timeout = n.idle_timeout; }},
    {"session-timeout", [](Config& r, const Config& n) { r.session_timeout = n.session_timeout; }},
    {"state-max-age", [](Config& r, const Config& n) { r.state_max_age = n.state_max_age; }},
    {"padt-unknown-rate", [](Config& r, const Config& n) { r.padt_unknown_rate = n.padt_unknown_rate; }},
    {"max-sessions", [](Config& r, const Config& n) { r.max_sessions = n.max_sessions; }},
    {"log-level", [](Config& r, const Config& n) { r.log_level = n.log_level; }},
    {"log-syslog", [](Config& r, const Config& n) { r.log_syslog = n.log_syslog; }},
    // Discovery protection: read on every PADI (each is also a sysctl).
    {"padi-limit", [](Config& r, const Config& n) { r.limits.padi_rate = n.limits.padi_rate; }},
    {"padi-limit-per-mac", [](Config& r, const Config& n) { r.limits.padi_rate_per_mac = n.limits.padi_rate_per_mac; }},
    {"max-starting", [](Config& r, const Config& n) { r.limits.max_starting = n.limits.max_starting; }},
    {"max-sessions-per-mac", [](Config& r, const Config& n) { r.limits.max_sessions_per_mac = n.limits.max_sessions_per_mac; }},
    {"pado-delay", [](Config& r, const Config& n) { r.limits.pado_delay_ms = n.limits.pado_delay_ms; }},
    {"pado-delay-per-1000", [](Config& r, const Config& n) { r.limits.pado_delay_per_1000 = n.limits.pado_delay_per_1000; }},
    {"pado-stop-sessions", [](Config& r, const Config& n) { r.limits.pado_stop_sessions = n.limits.pado_stop_sessions; }},
    {"pado-delay-cpu", [](Config& r, const Config& n) { r.limits.pado_delay_cpu_ms = n.limits.pado_delay_cpu_ms; }},
    {"pado-stop-cpu", [](Config& r, const Config& n) { r.limits.pado_stop_cpu = n.limits.pado_stop_cpu; }},
    // RADIUS: the clients are rebuilt (radius::Aaa::reconfigure); requests in flight finish
    // with the servers they went to.
    {"radius-auth-server", [](Config& r, const Config& n) { r.radius.auth_servers = n.radius.auth_servers; }},
    {"radius-acct-server", [](Config& r, const Config& n) { r.radius.acct_servers = n.radius.acct_servers; }},
    {"radius-timeout", [](Config& r, const Config& n) { r.radius.timeout = n.radius.timeout; }},
    {"radius-retries", [](Config& r, const Config& n) { r.radius.retries = n.radius.retries; }},
    {"radius-dead-time", [](Config& r, const Config& n) { r.radius.dead_time = n.radius.dead_time; }},
    {"radius-max-outstanding", [](Config& r, const Config& n) { r.radius.max_outstanding = n.radius.max_outstanding; }},
    {"radius-require-message-authenticator",
     [](Config& r, const Config& n) { r.radius.require_message_authenticator = n.radius.require_message_authenticator; }},
    {"radius-nas-identifier", [](Config& r, const Config& n) { r.radius.nas_identifier = n.radius.nas_identifier; }},
    {"radius-nas-port-type", [](Config& r, const Config& n) { r.radius.nas_port_type_virtual = n.radius.nas_port_type_virtual; }},
    {"radius-interim-interval", [](Config& r, const Config& n) { r.radius.interim_interval = n.radius.interim_interval; }},
    {"radius-fallback-local", [](Config& r, const Config& n) { r.radius.fallback_local = n.radius.fallback_local; }},
};

const LiveSetting* live_setting(std::string_view name) {
  for (const auto& s : kLive)
    if (s.name == name) return &s;
  return nullptr;
}

bool is_radius(std::string_view name) { return name.starts_with("radius-"); }
bool is_pool(std::string_view name) { return name == "pool" || name == "framed-pool"; }

}  // namespace

bool is_live_setting(std::string_view name) { return live_setting(name) != nullptr; }

ReloadReport apply_live(Config& running, SettingLines& running_lines, const Config& next, const SettingLines& next_lines,
                        const PoolChange& pools) {
  std::set<std::string> names;
  for (const auto& [name, _] : running_lines) names.insert(name);
  for (const auto& [name, _] : next_lines) names.insert(name);
  static const std::vector<std::vector<std::string>> kUnset;
  auto lines_of = [](const SettingLines& lines, const std::string& name) -> const auto& {
    auto it = lines.find(name);
    return it == lines.end() ? kUnset : it->second;
  };
  ReloadReport report;
  auto update_lines = [&](const std::string& name, const std::vector<std::vector<std::string>>& then) {
    if (then.empty()) running_lines.erase(name);
    else running_lines[name] = then;
    report.applied.push_back(name);
  };
  // The pools change together (the default and the named ones must not overlap) or not at all.
  std::vector<std::string> pool_names;
  for (const auto& name : names)
    if (is_pool(name) && lines_of(running_lines, name) != lines_of(next_lines, name)) pool_names.push_back(name);
  if (!pool_names.empty()) {
    std::optional<std::string> why = pools ? pools(next) : std::optional<std::string>("the pools are fixed in this process");
    if (why) {
      report.need_restart.insert(report.need_restart.end(), pool_names.begin(), pool_names.end());
      report.why.push_back(*why);
    } else {
      running.pool = next.pool;
      running.named_pools = next.named_pools;
      for (const auto& name : pool_names) update_lines(name, lines_of(next_lines, name));
      report.pools_changed = true;
    }
  }
  for (const auto& name : names) {
    const auto& now = lines_of(running_lines, name);
    const auto& then = lines_of(next_lines, name);
    if (now == then || is_pool(name)) continue;
    const LiveSetting* live = live_setting(name);
    // Turning RADIUS authentication or accounting on or off changes who answers for every
    // session (and Accounting-On/Off): a restart. Other server changes are live.
    if (name == "radius-auth-server" && running.radius.auth_servers.empty() != next.radius.auth_servers.empty())
      live = nullptr;
    if (name == "radius-acct-server" && running.radius.acct_servers.empty() != next.radius.acct_servers.empty())
      live = nullptr;
    if (live == nullptr) {
      report.need_restart.push_back(name);
      continue;
    }
    live->apply(running, next);
    update_lines(name, then);
    report.radius_changed = report.radius_changed || is_radius(name);
  }
  std::sort(report.applied.begin(), report.applied.end());
  std::sort(report.need_restart.begin(), report.need_restart.end());
  return report;
}

}  // namespace pppoe::master
