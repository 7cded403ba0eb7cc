#include "master/config.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "common/join.hpp"
#include "common/lines.hpp"
#include "common/log.hpp"
#include "master/config_values.hpp"
#include "session/secrets.hpp"

namespace pppoe::master {

std::expected<unsigned, std::string> number(const std::string& v, unsigned min, unsigned max) {
  unsigned n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || p != v.data() + v.size() || n < min || n > max)
    return std::unexpected(fmt::format("expected a number from {} to {}, found '{}'", min, max, v));
  return n;
}

std::expected<bool, std::string> boolean(const std::string& v) {
  if (v == "yes" || v == "on" || v == "true" || v == "1") return true;
  if (v == "no" || v == "off" || v == "false" || v == "0") return false;
  return std::unexpected(fmt::format("expected yes or no, found '{}'", v));
}

namespace {

std::expected<Ipv4Address, std::string> address(const std::string& v) {
  auto a = Ipv4Address::parse(v);
  if (!a) return std::unexpected(fmt::format("expected an IPv4 address, found '{}'", v));
  return *a;
}

/// "ADDRESS[:PORT]".
std::expected<SocketEndpoint, std::string> endpoint(const std::string& v, std::uint16_t default_port) {
  std::string host = v;
  SocketEndpoint e{{}, default_port};
  if (auto colon = host.find(':'); colon != std::string::npos) {
    auto p = number(host.substr(colon + 1), 1, 65535);
    if (!p) return std::unexpected(fmt::format("port {}", p.error()));
    e.port = static_cast<std::uint16_t>(*p);
    host.resize(colon);
  }
  auto a = address(host);
  if (!a) return std::unexpected(a.error());
  e.address = *a;
  return e;
}

/// "l2tp-tunnel NAME KEY VALUE...": one property of a tunnel profile per line; the secret is
/// never repeated in an error.
std::expected<void, std::string> l2tp_tunnel(L2tpConfig& c, const std::vector<std::string>& v) {
  constexpr const char* kUsage =
      "'l2tp-tunnel' expects NAME followed by one of: lns ADDRESS[:PORT]..., secret SECRET, hostname NAME, "
      "source ADDRESS[:PORT], hold-down SECONDS, hello SECONDS, timeout SECONDS";
  if (v.size() < 3) return std::unexpected(kUsage);
  L2tpTunnelProfile* t = nullptr;
  for (auto& x : c.tunnels)
    if (x.name == v[0]) t = &x;
  if (t == nullptr) {
    c.tunnels.push_back({});
    t = &c.tunnels.back();
    t->name = v[0];
  }
  const std::string& key = v[1];
  auto single = [&]() -> std::expected<std::string, std::string> {
    if (v.size() != 3) return std::unexpected(fmt::format("'l2tp-tunnel {} {}' expects one value", v[0], key));
    return v[2];
  };
  if (key == "lns") {
    t->lns.clear();
    for (std::size_t i = 2; i < v.size(); ++i)
      for (const auto& item : session::split_commas(v[i])) {
        auto e = endpoint(item, 1701);
        if (!e) return std::unexpected(fmt::format("'l2tp-tunnel {} lns' expects ADDRESS[:PORT] values: {}", v[0], e.error()));
        t->lns.push_back(*e);
      }
    return {};
  }
  if (key == "secret") {
    if (v.size() != 3 || v[2].empty() || v[2].size() > 128)
      return std::unexpected(fmt::format("'l2tp-tunnel {} secret' expects one secret of 1 to 128 characters", v[0]));
    t->secret = v[2];
    return {};
  }
  if (key == "hostname") {
    auto h = single();
    if (!h) return std::unexpected(h.error());
    t->host_name = *h;
    return {};
  }
  if (key == "source") {
    auto s = single();
    if (!s) return std::unexpected(s.error());
    auto e = endpoint(*s, 1701);
    if (!e) return std::unexpected(fmt::format("'l2tp-tunnel {} source' expects ADDRESS[:PORT]: {}", v[0], e.error()));
    t->source = *e;
    return {};
  }
  if (key == "hold-down" || key == "hello" || key == "timeout") {
    auto s = single();
    if (!s) return std::unexpected(s.error());
    auto n = number(*s, key == "hello" ? 0 : 1, key == "timeout" ? 60 : 86400);
    if (!n) return std::unexpected(fmt::format("'l2tp-tunnel {} {}': {}", v[0], key, n.error()));
    (key == "hello" ? t->hello_interval : key == "timeout" ? t->connect_timeout : t->hold_down) = *n;
    return {};
  }
  return std::unexpected(fmt::format("{}; found '{}'", kUsage, key));
}

/// "l2tp-lac NAME KEY VALUE": one property of a LAC the LNS accepts; the secret is never
/// repeated in an error.
std::expected<void, std::string> l2tp_lac(L2tpConfig& c, const std::vector<std::string>& v) {
  constexpr const char* kUsage =
      "'l2tp-lac' expects NAME followed by one of: host HOSTNAME, address ADDRESS, secret SECRET, hello SECONDS";
  if (v.size() != 3) return std::unexpected(kUsage);
  L2tpLacPeer* p = nullptr;
  for (auto& x : c.lacs)
    if (x.name == v[0]) p = &x;
  if (p == nullptr) {
    c.lacs.push_back({});
    p = &c.lacs.back();
    p->name = v[0];
  }
  const std::string& key = v[1];
  if (key == "host") {
    p->host_name = v[2];
    return {};
  }
  if (key == "address") {
    auto a = address(v[2]);
    if (!a) return std::unexpected(fmt::format("'l2tp-lac {} address' expects an IPv4 address: {}", v[0], a.error()));
    p->address = *a;
    return {};
  }
  if (key == "secret") {
    if (v[2].empty() || v[2].size() > 128)
      return std::unexpected(fmt::format("'l2tp-lac {} secret' expects one secret of 1 to 128 characters", v[0]));
    p->secret = v[2];
    return {};
  }
  if (key == "hello") {
    auto n = number(v[2], 0, 86400);
    if (!n) return std::unexpected(fmt::format("'l2tp-lac {} hello': {}", v[0], n.error()));
    p->hello_interval = *n;
    return {};
  }
  return std::unexpected(fmt::format("{}; found '{}'", kUsage, key));
}

/// "ADDRESS[:PORT] SECRET [priority=N]"; errors never repeat the secret.
std::expected<RadiusServer, std::string> radius_server(const std::string& name, const std::vector<std::string>& v,
                                                       std::uint16_t default_port) {
  std::string usage = fmt::format("'{}' expects ADDRESS[:PORT] SECRET [priority=N]", name);
  if (v.size() < 2 || v.size() > 3) return std::unexpected(usage);
  RadiusServer s;
  auto e = endpoint(v[0], default_port);
  if (!e) return std::unexpected(fmt::format("{}: {}", usage, e.error()));
  s.address = e->address;
  s.port = e->port;
  s.secret = v[1];
  if (s.secret.empty() || s.secret.size() > 128) return std::unexpected(fmt::format("{}: the secret must have 1 to 128 characters", usage));
  if (v.size() == 3) {
    if (!v[2].starts_with("priority=")) return std::unexpected(usage);
    auto p = number(v[2].substr(9), 1, 100);
    if (!p) return std::unexpected(fmt::format("{}: priority {}", usage, p.error()));
    s.priority = *p;
  }
  return s;
}

}  // namespace

std::expected<void, std::string> apply_setting(Config& c, const std::string& name,
                                               const std::vector<std::string>& v) {
  auto one = [&]() -> std::expected<std::string, std::string> {
    if (v.size() != 1) return std::unexpected(fmt::format("'{}' expects exactly one value", name));
    return v[0];
  };
  auto set_unsigned = [&](unsigned& field, unsigned min, unsigned max) -> std::expected<void, std::string> {
    auto s = one();
    if (!s) return std::unexpected(s.error());
    auto n = number(*s, min, max);
    if (!n) return std::unexpected(n.error());
    field = *n;
    return {};
  };
  auto set_bool = [&](bool& field) -> std::expected<void, std::string> {
    auto s = one();
    if (!s) return std::unexpected(s.error());
    auto b = boolean(*s);
    if (!b) return std::unexpected(b.error());
    field = *b;
    return {};
  };
  auto set_address = [&](Ipv4Address& field) -> std::expected<void, std::string> {
    auto s = one();
    if (!s) return std::unexpected(s.error());
    auto a = address(*s);
    if (!a) return std::unexpected(a.error());
    field = *a;
    return {};
  };
  // Range values may be split over several fields or joined by commas.
  auto ranges = [](auto first, auto last) {
    std::string joined;
    for (auto it = first; it != last; ++it) append_joined(joined, ",", *it);
    return session::parse_ranges(joined);
  };
  auto set_string = [&](std::string& field) -> std::expected<void, std::string> {
    auto s = one();
    if (!s) return std::unexpected(s.error());
    field = *s;
    return {};
  };

  if (name == "interface") return set_string(c.interface);
  if (name == "ac-name") return set_string(c.ac_name);
  if (name == "service-name") {
    if (v.empty()) return std::unexpected("'service-name' expects one or more names");
    c.service_names.insert(c.service_names.end(), v.begin(), v.end());
    return {};
  }
  if (name == "accept-empty-service") return set_bool(c.accept_empty_service);
  if (name == "nonstandard-ethertypes") return set_bool(c.nonstandard_ethertypes);
  if (name == "local-ip") return set_address(c.local_ip);
  if (name == "pool") {
    if (v.empty()) return std::unexpected("'pool' expects FIRST-LAST, ADDRESS/LEN or ADDRESS values");
    auto r = ranges(v.begin(), v.end());
    if (!r) return std::unexpected(r.error());
    c.pool = *r;
    return {};
  }
  if (name == "dns" || name == "nbns") {
    if (v.empty() || v.size() > 2) return std::unexpected(fmt::format("'{}' expects one or two IPv4 addresses", name));
    std::vector<std::string> parts;
    for (const auto& x : v)
      for (auto& item : session::split_commas(x)) parts.push_back(std::move(item));
    if (parts.size() > 2) return std::unexpected(fmt::format("'{}' expects one or two IPv4 addresses", name));
    Ipv4Address first, second;
    auto a = address(parts[0]);
    if (!a) return std::unexpected(a.error());
    first = *a;
    if (parts.size() == 2) {
      auto b = address(parts[1]);
      if (!b) return std::unexpected(b.error());
      second = *b;
    }
    if (name == "dns") {
      c.name_servers.dns1 = first;
      c.name_servers.dns2 = second;
    } else {
      c.name_servers.nbns1 = first;
      c.name_servers.nbns2 = second;
    }
    return {};
  }
  if (name == "secrets") return set_string(c.secrets_file);
  if (name == "auth") {
    if (v.empty()) return std::unexpected("'auth' expects one or more of pap, chap, mschapv2");
    std::vector<ppp::AuthMethod> methods;
    for (const auto& x : v) {
      auto m = ppp::parse_auth_method(x);
      if (!m) return std::unexpected(fmt::format("expected pap, chap or mschapv2, found '{}'", x));
      methods.push_back(*m);
    }
    c.auth = methods;
    return {};
  }
  if (name == "mru") {
    unsigned n = 0;
    auto r = set_unsigned(n, 576, 1492);
    if (r) c.mru = static_cast<std::uint16_t>(n);
    return r;
  }
  if (name == "max-payload") {
    unsigned n = 0;
    auto r = set_unsigned(n, 0, 9000);
    if (r) c.max_payload = static_cast<std::uint16_t>(n);
    return r;
  }
  if (name == "lcp-echo-interval") return set_unsigned(c.lcp_echo_interval, 0, 3600);
  if (name == "lcp-echo-failure") return set_unsigned(c.lcp_echo_failure, 1, 100);
  if (name == "restart-timer") return set_unsigned(c.restart_timer, 1, 60);
  if (name == "max-configure") return set_unsigned(c.max_configure, 1, 100);
  if (name == "ppp-control-rate") return set_unsigned(c.ppp_control_rate, 0, 100000);
  if (name == "auth-timeout") return set_unsigned(c.auth_timeout, 1, 600);
  if (name == "idle-timeout") return set_unsigned(c.idle_timeout, 0, 86400 * 30);
  if (name == "session-timeout") return set_unsigned(c.session_timeout, 0, 86400 * 365);
  if (name == "ipv6") return set_bool(c.ipv6);
  if (auto r = apply_ipv6_setting(c.ipv6_service, name, v)) return *r;
  if (auto r = apply_policy_setting(c.policy, name, v)) return *r;
  if (name == "tun") return set_string(c.tun_name);
  if (name == "tun-configure") return set_bool(c.tun_configure);
  if (name == "tun-io-uring") return set_bool(c.tun_io_uring);
  if (name == "fast-path") return set_bool(c.fast_path);
  if (name == "control-socket") return set_string(c.control_socket);
  if (name == "state-file") return set_string(c.state_file);
  if (name == "state-max-age") return set_unsigned(c.state_max_age, 1, 86400);
  auto& sb = c.standby;
  if (name == "standby-listen" || name == "standby-peer") {
    auto s = one();
    if (!s) return std::unexpected(s.error());
    auto e = endpoint(*s, 7070);
    if (!e) return std::unexpected(e.error());
    (name == "standby-listen" ? sb.listen : sb.peer) = *e;
    return {};
  }
  if (name == "standby-key") {
    if (v.size() != 1 || v[0].size() < 16)
      return std::unexpected("'standby-key' expects one secret of at least 16 characters (the same on both boxes)");
    sb.key = v[0];
    return {};
  }
  if (name == "standby-vrrp") {
    if (v.size() != 2 || v[0].empty() || v[0][0] != '/')
      return std::unexpected("'standby-vrrp' expects FIFO NAME: keepalived's vrrp_notify_fifo (an absolute path) and the "
                             "vrrp_instance or vrrp_sync_group to follow");
    sb.vrrp_fifo = v[0];
    sb.vrrp_name = v[1];
    return {};
  }
  if (name == "standby-ready-file") return set_string(sb.ready_file);
  if (name == "standby-side") {
    if (v.size() != 1 || (v[0] != "a" && v[0] != "b"))
      return std::unexpected("'standby-side' expects a or b (different on the two boxes)");
    sb.side = v[0][0];
    return {};
  }
  if (name == "standby-sync-interval") return set_unsigned(sb.sync_interval_ms, 100, 60000);
  if (name == "standby-stale-after") return set_unsigned(sb.stale_after, 1, 3600);
  if (name == "padt-unknown-rate") return set_unsigned(c.padt_unknown_rate, 0, 100000);
  if (name == "cookie-rotate") return set_unsigned(c.cookie_rotate, 10, 86400);
  if (name == "max-sessions") return set_unsigned(c.max_sessions, 1, 65534);
  if (name == "debug-commands") return set_bool(c.debug_commands);
  if (name == "drop-capabilities") return set_bool(c.drop_capabilities);
  if (name == "failures-kept") return set_unsigned(c.failures_kept, 0, 100000);
  if (name == "log-syslog") return set_bool(c.log_syslog);
  if (name == "log-level") {
    if (v.size() != 1) return std::unexpected("'log-level' expects one of debug, info, warn, error");
    static constexpr std::pair<const char*, log::Level> kLevels[] = {
        {"debug", log::Level::kDebug}, {"info", log::Level::kInfo}, {"warn", log::Level::kWarn}, {"error", log::Level::kError}};
    for (const auto& [word, level] : kLevels)
      if (v[0] == word) {
        c.log_level = level;
        return {};
      }
    return std::unexpected(fmt::format("'log-level' expects one of debug, info, warn, error, found '{}'", v[0]));
  }
  if (name == "remote-control") return set_unsigned(c.remote_control_port, 0, 65535);
  if (name == "metrics-listen") {
    if (v.size() != 1) return std::unexpected("'metrics-listen' expects ADDRESS:PORT (e.g. 127.0.0.1:9469)");
    auto e = endpoint(v[0], 0);
    if (!e || e->port == 0) return std::unexpected(fmt::format("'metrics-listen' expects ADDRESS:PORT, found '{}'", v[0]));
    c.metrics_listen = *e;
    return {};
  }
  if (name == "remote-secret") return set_string(c.remote_secret);
  auto& l = c.limits;
  if (name == "padi-limit") return set_unsigned(l.padi_rate, 0, 1000000);
  if (name == "padi-limit-per-mac") return set_unsigned(l.padi_rate_per_mac, 0, 1000000);
  if (name == "max-starting") return set_unsigned(l.max_starting, 0, 65534);
  if (name == "max-sessions-per-mac") return set_unsigned(l.max_sessions_per_mac, 0, 65534);
  if (name == "pado-delay") return set_unsigned(l.pado_delay_ms, 0, 10000);
  if (name == "pado-delay-per-1000") return set_unsigned(l.pado_delay_per_1000, 0, 10000);
  if (name == "pado-stop-sessions") return set_unsigned(l.pado_stop_sessions, 0, 65534);
  if (name == "pado-delay-cpu") return set_unsigned(l.pado_delay_cpu_ms, 0, 10000);
  if (name == "pado-stop-cpu") return set_unsigned(l.pado_stop_cpu, 0, 100);
  if (name == "framed-pool") {
    if (v.size() < 2) return std::unexpected("'framed-pool' expects NAME and FIRST-LAST, ADDRESS/LEN or ADDRESS values");
    auto r = ranges(v.begin() + 1, v.end());
    if (!r) return std::unexpected(r.error());
    for (const auto& p : c.named_pools)
      if (p.name == v[0]) return std::unexpected(fmt::format("framed-pool '{}' defined twice", v[0]));
    c.named_pools.push_back({v[0], *r});
    return {};
  }
  auto& rc = c.radius;
  if (name == "radius-auth-server" || name == "radius-acct-server") {
    bool auth = name == "radius-auth-server";
    auto s = radius_server(name, v, auth ? 1812 : 1813);
    if (!s) return std::unexpected(s.error());
    (auth ? rc.auth_servers : rc.acct_servers).push_back(*s);
    return {};
  }
  if (name == "l2tp-tunnel") return l2tp_tunnel(c.l2tp, v);
  if (name == "l2tp-radius") return set_bool(c.l2tp.radius_tunnels);
  if (name == "l2tp-listen") {
    if (v.empty()) return std::unexpected("'l2tp-listen' expects ADDRESS[:PORT] values (the LNS's tunnel endpoints)");
    for (const auto& item : v)
      for (const auto& part : session::split_commas(item)) {
        auto e = endpoint(part, 1701);
        if (!e) return std::unexpected(fmt::format("'l2tp-listen' expects ADDRESS[:PORT] values: {}", e.error()));
        c.l2tp.listen.push_back(*e);
      }
    return {};
  }
  if (name == "l2tp-lac") return l2tp_lac(c.l2tp, v);
  if (name == "l2tp-proxy-lcp") {
    if (v.size() == 1 && v[0] == "accept") c.l2tp.proxy_lcp = ProxyLcpPolicy::kAccept;
    else if (v.size() == 1 && v[0] == "renegotiate") c.l2tp.proxy_lcp = ProxyLcpPolicy::kRenegotiate;
    else return std::unexpected("'l2tp-proxy-lcp' expects 'accept' or 'renegotiate'");
    return {};
  }
  if (name == "l2tp-realm") {
    if (v.size() != 2 || v[0].empty()) return std::unexpected("'l2tp-realm' expects REALM TUNNEL (a name given to l2tp-tunnel)");
    for (const auto& [realm, tunnel] : c.l2tp.realms)
      if (realm == v[0]) return std::unexpected(fmt::format("l2tp-realm '{}' defined twice", v[0]));
    c.l2tp.realms.emplace_back(v[0], v[1]);
    return {};
  }
  if (name == "radius-timeout") return set_unsigned(rc.timeout, 1, 60);
  if (name == "radius-retries") return set_unsigned(rc.retries, 1, 10);
  if (name == "radius-dead-time") return set_unsigned(rc.dead_time, 0, 3600);
  if (name == "radius-max-outstanding") return set_unsigned(rc.max_outstanding, 1, 4096);
  if (name == "radius-require-message-authenticator") return set_bool(rc.require_message_authenticator);
  if (name == "radius-nas-identifier") return set_string(rc.nas_identifier);
  if (name == "radius-nas-ip-address") {
    Ipv4Address a;
    auto r = set_address(a);
    if (r) rc.nas_ip = a;
    return r;
  }
  if (name == "radius-nas-port-type") {
    auto s = one();
    if (!s) return std::unexpected(s.error());
    if (*s != "ethernet" && *s != "virtual") return std::unexpected(fmt::format("expected ethernet or virtual, found '{}'", *s));
    rc.nas_port_type_virtual = *s == "virtual";
    return {};
  }
  if (name == "radius-interim-interval") return set_unsigned(rc.interim_interval, 0, 86400);
  if (name == "radius-acct-spool") return set_string(rc.acct_spool);
  if (name == "radius-fallback-local") return set_bool(rc.fallback_local);
  if (name == "radius-dae-listen") {
    auto s = one();
    if (!s) return std::unexpected(s.error());
    auto e = endpoint(*s, 3799);  // RFC 5176 section 3
    if (!e) return std::unexpected(fmt::format("'radius-dae-listen' expects ADDRESS[:PORT]: {}", e.error()));
    rc.dae_address = e->address;
    rc.dae_port = e->port;
    return {};
  }
  if (name == "radius-dae-client") {
    if (v.size() != 2) return std::unexpected("'radius-dae-client' expects ADDRESS SECRET");
    auto a = address(v[0]);
    if (!a) return std::unexpected(a.error());
    if (v[1].empty() || v[1].size() > 128) return std::unexpected("'radius-dae-client': the secret must have 1 to 128 characters");
    rc.dae_clients.emplace_back(*a, v[1]);
    return {};
  }
  return std::unexpected(fmt::format("unknown setting '{}'", name));
}

std::expected<void, std::string> parse_config_text(Config& c, std::string_view text, std::string_view origin,
                                                   SettingLines* lines) {
  return for_each_line(text, [&](std::string_view line, unsigned line_no) -> std::expected<void, std::string> {
    auto fields = session::split_fields(line);
    if (!fields) return std::unexpected(fmt::format("{}:{}: {}", origin, line_no, fields.error()));
    if (fields->empty()) return {};
    std::vector<std::string> values(fields->begin() + 1, fields->end());
    if (auto r = apply_setting(c, (*fields)[0], values); !r)
      return std::unexpected(fmt::format("{}:{}: {}", origin, line_no, r.error()));
    if (lines != nullptr) (*lines)[(*fields)[0]].push_back(std::move(values));
    return {};
  });
}

std::expected<void, std::string> validate(const Config& c) {
  if (c.interface.empty()) return std::unexpected("no interface given (argument IFACE or setting 'interface')");
  if (c.local_ip.is_zero()) return std::unexpected("local-ip must not be 0.0.0.0");
  if (c.pool.empty()) return std::unexpected("no address pool configured");
  if (c.remote_control_port != 0 && c.remote_secret.size() < 8)
    return std::unexpected("remote-control needs a remote-secret of at least 8 characters");
  if (!c.radius.acct_servers.empty() && c.radius.auth_servers.empty())
    return std::unexpected("radius-acct-server needs a radius-auth-server (accounting follows RADIUS authentication)");
  if (c.radius.dae_port != 0 && c.radius.dae_clients.empty())
    return std::unexpected("radius-dae-listen needs at least one radius-dae-client");
  for (const auto& p : c.named_pools)
    for (const auto& r : p.ranges)
      for (const auto& q : c.pool)
        if (!(r.last.value < q.first.value || q.last.value < r.first.value))
          return std::unexpected(fmt::format("framed-pool '{}' overlaps the default pool", p.name));
  for (const auto& [realm, tunnel] : c.l2tp.realms)
    if (c.l2tp.profile(tunnel) == nullptr)
      return std::unexpected(fmt::format("l2tp-realm '{}' names tunnel '{}', which no l2tp-tunnel line defines", realm, tunnel));
  for (const auto& t : c.l2tp.tunnels)
    if (t.lns.empty()) return std::unexpected(fmt::format("l2tp-tunnel '{}' has no 'lns ADDRESS[:PORT]'", t.name));
  if (!c.l2tp.lacs.empty() && c.l2tp.listen.empty())
    return std::unexpected("l2tp-lac needs l2tp-listen (the LNS's address)");
  // A LAC source and an LNS endpoint must be different sockets: the kernel would give one the
  // other's datagrams (a wildcard address overlaps every address on its port).
  auto overlap = [](const SocketEndpoint& a, const SocketEndpoint& b) {
    return a.port == b.port && (a.address == b.address || a.address.is_zero() || b.address.is_zero());
  };
  for (const auto& l : c.l2tp.listen) {
    for (const auto& t : c.l2tp.tunnels)
      if (c.l2tp.lac() && overlap(l, t.source))
        return std::unexpected(fmt::format("l2tp-listen {} overlaps the source {} of l2tp-tunnel '{}': give one another address or port",
                                           l.to_string(), t.source.to_string(), t.name));
    if (c.l2tp.radius_tunnels && overlap(l, L2tpConfig::kDefaultSource))
      return std::unexpected(fmt::format("l2tp-listen {} overlaps the source of RADIUS tunnels ({}): use another port",
                                         l.to_string(), L2tpConfig::kDefaultSource.to_string()));
  }
  if (c.max_payload != 0 && c.max_payload < 1492)
    return std::unexpected("max-payload must be 0 (off) or at least 1492 (RFC 4638)");
  if (auto r = validate(c.ipv6_service); !r) return r;
  if (!c.ipv6 && !c.ipv6_service.pools.empty()) return std::unexpected("ipv6-pool needs IPv6 (remove 'ipv6 no')");
  const auto& sb = c.standby;
  bool any_standby = sb.peer.port != 0 || sb.listen.port != 0 || !sb.key.empty() || !sb.vrrp_fifo.empty() || sb.side != 0;
  if (any_standby) {
    std::string missing;
    if (sb.peer.port == 0) append_joined(missing, ", ", "standby-peer");
    if (sb.listen.port == 0) append_joined(missing, ", ", "standby-listen");
    if (sb.key.empty()) append_joined(missing, ", ", "standby-key");
    if (sb.vrrp_fifo.empty()) append_joined(missing, ", ", "standby-vrrp");
    if (sb.side == 0) append_joined(missing, ", ", "standby-side");
    if (!missing.empty()) return std::unexpected(fmt::format("a standby pair also needs {}", missing));
    if (sb.peer.address.is_zero()) return std::unexpected("standby-peer needs the peer's address, not 0.0.0.0");
  }
  return {};
}

const L2tpTunnelProfile* L2tpConfig::profile_for_user(std::string_view user) const {
  auto at = user.rfind('@');
  if (at == std::string_view::npos) return nullptr;
  std::string_view realm = user.substr(at + 1);
  for (const auto& [r, tunnel] : realms)
    if (r.size() == realm.size() &&
        std::equal(r.begin(), r.end(), realm.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return profile(tunnel);
  return nullptr;
}

const L2tpLacPeer* L2tpConfig::lac_peer(Ipv4Address from, std::string_view host_name) const {
  for (const auto& p : lacs)
    if ((p.host_name.empty() || p.host_name == host_name) && (!p.address || *p.address == from)) return &p;
  return nullptr;
}

}  // namespace pppoe::master
