// pppoectl: the operator's CLI to a running pppoed over its control socket. The seed's
// `ngctl msg pppoe_lb:pppoed X` is `pppoectl msg X`, and `sysctl` is `pppoectl sysctl`.
//
//   pppoectl show summary | stats | sessions | session ID | radius | resources | standby
//   pppoectl show system | tunnels | tunnel id N | session id S in tunnel id T [stats]   (ProL2TP)
//   pppoectl show ac                                (proac_info -s)
//   pppoectl kill session ID | kill user NAME | disconnect ID
//   pppoectl sysctl [NAME[=VALUE] ...]        pppoectl -f FILE  (sysctl.conf lines)
//   pppoectl msg showworkers | showgovernor | addworker | setworkers N | migrate N | showstats
#include "cli.hpp"
#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "common/join.hpp"
#include "ctl/control_socket.hpp"
#include "ctl/session_list.hpp"
#include "ctl/session_pages.hpp"
#include "master/sysctl.hpp"

using pppoe::ctl::Json;

namespace {

/// "00:41:50" as ProL2TP prints durations.
std::string clock_time(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  return fmt::format("{:02}:{:02}:{:02}", seconds / 3600, (seconds % 3600) / 60, seconds % 60);
}

std::int64_t seconds_since(const Json& unix_ms) {
  return (static_cast<std::int64_t>(std::time(nullptr)) * 1000 - unix_ms.get<std::int64_t>()) / 1000;
}

std::string calendar(const Json& unix_ms) {
  std::time_t t = unix_ms.get<std::int64_t>() / 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%b %d %H:%M:%S %Y", &tm);
  return buf;
}

/// `prol2tp show tunnels` (spec/003): C = made by our configuration (a LAC), N = by the network.
void print_tunnels(const Json& res) {
  fmt::print("{:>12} {:>12} {:>11} {:>9} {}\n", "TunId", "Name", "State", "Time", "Peer");
  for (const auto& t : res["tunnels"]) {
    std::string state = t["state"].get<std::string>() == "established" ? "UP" : t["state"].get<std::string>();
    std::string peer = t["peer"].get<std::string>();
    fmt::print("{} {:>10} {:>12} {:>11} {:>9} {}\n", t["origin"].get<std::string>() == "net" ? "N" : "C",
               t["tunnel_id"].get<int>(), t["profile"].get<std::string>(), state,
               clock_time(seconds_since(t["state_since_unix_ms"])), peer.substr(0, peer.find(':')));
  }
}

/// `prol2tp show tunnel id N`.
void print_tunnel(const Json& t) {
  auto row = [](std::string_view name, const auto& value) { fmt::print("  {:<28}{}\n", std::string(name) + ":", value); };
  fmt::print("Tunnel {} from {} to {}\n", t["tunnel_id"].get<int>(), t["local"].get<std::string>(), t["peer"].get<std::string>());
  row("created at", calendar(t["created_unix_ms"]));
  row("origin", t["origin"].get<std::string>());
  row("tunnel mode", t["mode"].get<std::string>());
  row("version", t["version"].get<std::string>());
  row("encapsulation", t["encapsulation"].get<std::string>());
  std::string state = t["state"].get<std::string>();
  for (auto& ch : state) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  row("state", state);
  row("time since state change", clock_time(seconds_since(t["state_since_unix_ms"])));
  row("number of sessions", t["sessions"].get<int>());
  row("worker", t["worker"].get<int>());
  row("local tunnel id", t["tunnel_id"].get<int>());
  row("transport ns", t["ns"].get<int>());
  row("transport nr", t["nr"].get<int>());
  row("transport cwnd", t["cwnd"].get<int>());
  row("transport ssthres", t["ssthresh"].get<int>());
  row("transport tx window", t["tx_window"].get<int>());
  row("transport retransmits", t["retransmitted"].get<std::uint64_t>());
  row("tunnel profile name", t["profile"].get<std::string>());
  row("peer tunnel id", t["peer_tunnel_id"].get<int>());
  row("peer host name", t["peer_host_name"].get<std::string>());
  row("peer vendor name", t["peer_vendor_name"].get<std::string>());
}

/// `prol2tp show session id S in tunnel id T [stats]`.
void print_l2tp_session(const Json& s, bool stats) {
  auto row = [](std::string_view name, const auto& value) { fmt::print("  {:<28}{}\n", std::string(name) + ":", value); };
  fmt::print("Session {} on tunnel {}:\n", s["session_id"].get<int>(), s["tunnel_id"].get<int>());
  row("created at", calendar(s["created_unix_ms"]));
  row("state", s["state"].get<std::string>());
  row("origin", s["origin"].get<std::string>());
  row("time since state change", clock_time(seconds_since(s["up_unix_ms"])));
  row("pseudowire type", s["pseudowire"].get<std::string>());
  row("tunnel id", s["tunnel_id"].get<int>());
  row("session id", s["session_id"].get<int>());
  row("peer session id", s["peer_session_id"].get<int>());
  row("pppoe session id", s["pppoe_session_id"].get<int>());
  row("tunnel profile name", s["tunnel_profile"].get<std::string>());
  row("identifier", s["identifier"].get<std::string>());
  if (stats) {
    row("data tx pkts/bytes/errors", fmt::format("{} / {} / 0", s["data_tx_packets"].get<std::uint64_t>(), s["data_tx_bytes"].get<std::uint64_t>()));
    row("data rx pkts/bytes/errors", fmt::format("{} / {} / 0", s["data_rx_packets"].get<std::uint64_t>(), s["data_rx_bytes"].get<std::uint64_t>()));
  }
}

/// `prol2tp show system`.
void print_system(const Json& res) {
  const auto& l = res["l2tp"];
  fmt::print("{}\n\nL2TP configuration:\n", res["version"].get<std::string>());
  std::string listening;
  for (const auto& a : l["listening_on"]) pppoe::append_joined(listening, ", ", a.get<std::string>());
  fmt::print("  listening on: {}\n", listening.empty() ? "-" : listening);
  fmt::print("  hostname: {}\n", l["hostname"].get<std::string>());
  bool lac = l["lac"].get<bool>(), lns = l["lns"].get<bool>();
  fmt::print("  mode: {}\n", lac && lns ? "LAC and LNS" : lac ? "LAC" : lns ? "LNS" : "none");
  fmt::print("  log level: {}\n", l["log_level"].get<std::string>());
  for (const auto& p : l["tunnel_profiles"]) {
    std::string servers;
    for (const auto& a : p["lns"]) pppoe::append_joined(servers, " ", a.get<std::string>());
    fmt::print("  tunnel profile {}: lns {}, hostname {}\n", p["name"].get<std::string>(), servers, p["hostname"].get<std::string>());
  }
  for (const auto& [realm, tunnel] : l["realms"].items()) fmt::print("  realm {}: tunnel {}\n", realm, tunnel.get<std::string>());
  if (l["radius_tunnels"].get<bool>()) fmt::print("  tunnels from RADIUS: yes\n");
  if (lns) {
    std::string at;
    for (const auto& a : l["lns_listening_on"]) pppoe::append_joined(at, ", ", a.get<std::string>());
    fmt::print("  LNS endpoints: {}\n  proxy LCP: {}\n", at, l["proxy_lcp"].get<std::string>());
    if (l["lns_peers"].empty()) fmt::print("  LAC peers: any (no tunnel authentication)\n");
    for (const auto& p : l["lns_peers"])
      fmt::print("  LAC peer {}: host {}, address {}, authenticated {}\n", p["name"].get<std::string>(),
                 p["host"].get<std::string>(), p["address"].get<std::string>(), p["authenticated"].get<bool>() ? "yes" : "no");
  }
  fmt::print("L2TP service status:\n  tunnels: {}, sessions: {}\n", l["tunnels"].get<std::size_t>(), l["sessions"].get<std::size_t>());
  if (lns) {
    fmt::print("LNS counters:\n");
    for (const auto& [name, v] : l["lns_counters"].items()) fmt::print("    {}: {}\n", name, v.get<std::uint64_t>());
  }
}

/// `proac_info -s` (spec/003): what the access concentrator did, by section.
void print_ac(const Json& res) {
  auto section = [&](const char* title, const Json& j, std::initializer_list<std::pair<const char*, const char*>> rows) {
    fmt::print("{}:\n", title);
    for (const auto& [label, key] : rows) fmt::print("    {}: {}\n", label, j[key].get<std::uint64_t>());
  };
  section("Routing", res["routing"],
          {{"Routes created", "routes_created"}, {"Route create failures", "route_create_failures"},
           {"Routes deleted", "routes_deleted"}, {"Routes closed by destination", "routes_closed_by_destination"},
           {"Routes closed by source", "routes_closed_by_source"}});
  section("PPPoE", res["pppoe"],
          {{"PADI received", "padi_received"}, {"Invalid PADI received", "invalid_padi_received"},
           {"PADO sent", "pado_sent"}, {"PADR received", "padr_received"},
           {"Invalid PADR received", "invalid_padr_received"}, {"Resent PADR received", "resent_padr_received"},
           {"PADS sent", "pads_sent"}, {"PADT received", "padt_received"},
           {"Invalid PADT received", "invalid_padt_received"}, {"PADT sent", "padt_sent"}});
  section("L2TP", res["l2tp"],
          {{"Tunnels opened", "tunnels_opened"}, {"Tunnels failed", "tunnels_failed"},
           {"Sessions opened", "sessions_opened"}, {"Sessions closed", "sessions_closed"}});
  section("RADIUS", res["radius"],
          {{"Successful requests", "successful_requests"}, {"Failed requests", "failed_requests"},
           {"Server timeouts", "server_timeouts"}});
}

/// `propppctl status`'s RADIUS block (spec/003), then the servers.
void print_radius(const Json& res) {
  if (!res.value("enabled", false)) {
    fmt::print("RADIUS: not configured\n");
    return;
  }
  const auto& c = res["counters"];
  auto n = [&](const char* key) { return c.value(key, std::uint64_t{0}); };
  const Json none = Json::object();
  const Json& dae = res.contains("dynamic_authorization") ? res["dynamic_authorization"] : none;
  auto d = [&](const char* key) { return dae.value(key, std::uint64_t{0}); };
  fmt::print("RADIUS:\n");
  fmt::print("  access requests: {}, accepts: {}, rejects: {}, challenges: {}\n", n("access_requests"),
             n("access_accepts"), n("access_rejects"), n("access_challenges"));
  fmt::print("  accounting starts: {}, stops: {}, updates: {}, responses: {}\n", n("accounting_starts"),
             n("accounting_stops"), n("accounting_updates"), n("accounting_responses"));
  fmt::print("  disconnect requests: {}, responses: {}\n", d("disconnect_requests"),
             d("disconnect_acks") + d("disconnect_naks"));
  fmt::print("  coa requests: {}, responses: {}\n", d("coa_requests"), d("coa_acks") + d("coa_naks"));
  fmt::print("  retransmits: {}, timeouts: {}\n", n("retransmits"), n("timeouts"));
  fmt::print("  auth requests in progress: {}, accounting requests in progress: {}\n",
             res["in_progress"]["auth"].get<std::uint64_t>(), res["in_progress"]["accounting"].get<std::uint64_t>());
  fmt::print("  spooled accounting records: {}\n", res["spooled_records"].get<std::uint64_t>());
  for (const char* kind : {"auth_servers", "acct_servers"})
    for (const auto& s : res[kind])
      fmt::print("  {} server {} (priority {}): {}\n", std::string_view(kind).substr(0, 4), s["address"].get<std::string>(),
                 s["priority"].get<int>(), s["state"].get<std::string>());
}

/// The standby pair (operator guide "High availability"): role, readiness, peer, stream.
void print_standby(const Json& res) {
  auto u = [](const Json& j, const char* key) { return j.value(key, std::uint64_t{0}); };
  auto ago = [](const Json& v) { return v.is_null() ? std::string("never") : fmt::format("{} ms ago", v.get<std::int64_t>()); };
  fmt::print("Standby: {} for {} s (keepalived: {}), side {}{}\n", res["role"].get<std::string>(),
             res["role_for_s"].get<std::int64_t>(), res["keepalived"].get<std::string>(), res["side"].get<std::string>(),
             res["partitioned"].get<bool>() ? ", new sessions from our half only" : "");
  if (res["ready"].get<bool>())
    fmt::print("  ready: yes\n");
  else
    fmt::print("  ready: NO: {}\n", res["not_ready_why"].get<std::string>());
  fmt::print("  held sessions: {} (snapshot {}), stream from the MASTER heard {}\n", u(res, "held_sessions"),
             res["snapshot_complete"].get<bool>() ? "complete" : "incomplete", ago(res["stream_heard_ms_ago"]));
  const auto& p = res["peer"];
  fmt::print("  peer: {} at {}: {}{}, heard {}\n", p.value("node", std::string("?")), p["address"].get<std::string>(),
             p.value("role", std::string("unknown")),
             p.value("ready", true) ? "" : " (not ready: " + p.value("not_ready_why", std::string()) + ")",
             ago(p["heard_ms_ago"]));
  const auto& ch = res["channel"];
  std::string refused;
  for (const auto& [kind, n] : ch["refused"].items())
    if (n.get<std::uint64_t>() != 0) refused += fmt::format(" {} {}", kind, n.get<std::uint64_t>());
  fmt::print("  channel: to peer {}, from peer {}; sent {}, received {}, acked {}, refused{}\n",
             ch["outgoing_up"].get<bool>() ? "up" : "down", ch["incoming_up"].get<bool>() ? "up" : "down", u(ch, "sent"),
             u(ch, "received"), u(ch, "acked"), refused.empty() ? " none" : refused);
  const auto& c = res["counters"];
  fmt::print("  takeovers {}, step-downs {}, continued {}, not continued {}, clashes {}, released {}\n",
             u(c, "takeovers"), u(c, "step_downs"), u(c, "continued"), u(c, "not_continued"), u(c, "clashes"),
             u(c, "released"));
}

/// `show failures`: newest first, the reason in words.
void print_failures(const Json& res) {
  fmt::print("{:<19} {:<17} {:<7} {:<16} {:<14} {}\n", "TIME", "MAC", "VLAN", "USER", "PHASE", "REASON");
  for (const auto& f : res["failures"]) {
    std::time_t t = static_cast<std::time_t>(f["unix_ms"].get<std::int64_t>() / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    std::string vlans;
    for (const auto& v : f["vlans"]) pppoe::append_joined(vlans, ".", std::to_string(v.get<int>()));
    std::string user = f["user"].get<std::string>();
    std::string reason = f["reason"].get<std::string>();
    if (f["repeats"].get<unsigned>() > 1) reason += fmt::format(" (x{})", f["repeats"].get<unsigned>());
    fmt::print("{:<19} {:<17} {:<7} {:<16} {:<14} {}\n", when, f["mac"].get<std::string>(), vlans.empty() ? "-" : vlans,
               user.empty() ? "-" : user, f["phase"].get<std::string>(), reason);
  }
  fmt::print("{} shown; {} recorded since start (the last {} are kept)\n", res["failures"].size(),
             res["recorded"].get<std::uint64_t>(), res["kept"].get<unsigned>());
}

void print_reload(const Json& res) {
  auto names = [](const Json& list) {
    std::string out;
    for (const auto& n : list) pppoe::append_joined(out, ", ", n.get<std::string>());
    return out.empty() ? std::string("none") : out;
  };
  fmt::print("reload {}: {} local users; applied: {}\n", res["generation"].get<unsigned>(), res["users"].get<std::size_t>(),
             names(res["applied"]));
  if (!res["need_restart"].empty())
    fmt::print("changed, but only a restart applies them (running as before): {}\n", names(res["need_restart"]));
  for (const auto& why : res.value("why", Json::array())) fmt::print("  {}\n", why.get<std::string>());
}

void print_tree(const Json& j, const std::string& prefix) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "ok") continue;
    if (it->is_object())
      print_tree(*it, prefix + it.key() + ".");
    else
      fmt::print("{}{}: {}\n", prefix, it.key(), it->is_string() ? it->get<std::string>() : it->dump());
  }
}

struct Client {
  std::string socket;
  bool json = false;
  /// Sends `req`; prints errors; returns the response or nullopt (with `rc` set).
  std::optional<Json> call(const Json& req, int& rc) const {
    auto res = pppoe::ctl::request(socket, req);
    if (!res) {
      std::fprintf(stderr, "pppoectl: %s\n", res.error().c_str());
      rc = 3;
      return std::nullopt;
    }
    if (!(*res)["ok"].get<bool>()) {
      std::fprintf(stderr, "pppoectl: %s\n", (*res)["error"].get<std::string>().c_str());
      rc = 1;
      return std::nullopt;
    }
    return *res;
  }
};

/// `show sessions [match ...] [order ...] [limit N] [columns ...]`: page by page from pppoed;
/// printed as the pages come unless they must be sorted first (or printed as one JSON).
int show_sessions(const Client& c, const std::vector<std::string>& args) {
  auto query = pppoe::ctl::parse_session_list(args);
  if (!query) {
    std::fprintf(stderr, "pppoectl: %s\n", query.error().c_str());
    return 2;
  }
  const std::int64_t now_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
  const bool collect = c.json || !query->order.empty();
  std::vector<Json> kept;
  std::size_t printed = 0;
  if (!collect) fmt::print("{}\n", pppoe::ctl::session_table_header(query->columns));
  int rc = 0;
  auto call = [&](const Json& req) -> std::optional<Json> { return c.call(req, rc); };
  Json request = {{"match", query->match}};
  (void)pppoe::ctl::for_each_session_page(call, request, [&](const Json& page) {
    for (const auto& s : page) {
      if (collect) {
        kept.push_back(s);
        continue;
      }
      fmt::print("{}\n", pppoe::ctl::session_table_row(s, query->columns, now_ms));
      if (++printed == query->limit) return false;
    }
    return true;
  });
  if (rc != 0) return rc;
  if (!collect) {
    fmt::print("{} session(s)\n", printed);
    return 0;
  }
  pppoe::ctl::order_sessions(kept, *query, now_ms);
  if (c.json) {
    fmt::print("{}\n", Json{{"ok", true}, {"sessions", kept}}.dump(2));
    return 0;
  }
  fmt::print("{}\n", pppoe::ctl::session_table_header(query->columns));
  for (const auto& s : kept) fmt::print("{}\n", pppoe::ctl::session_table_row(s, query->columns, now_ms));
  fmt::print("{} session(s)\n", kept.size());
  return 0;
}

/// One sysctl argument: NAME reads, NAME=VALUE writes and prints the new value.
int sysctl_one(const Client& c, const std::string& arg, Json& collected) {
  Json req = {{"cmd", "sysctl"}};
  auto eq = arg.find('=');
  req["name"] = arg.substr(0, eq);
  if (eq != std::string::npos) req["value"] = arg.substr(eq + 1);
  int rc = 0;
  auto res = c.call(req, rc);
  if (!res) return rc;
  for (const auto& kv : (*res)["values"]) {
    if (c.json)
      collected[kv[0].get<std::string>()] = kv[1];
    else
      fmt::print("{}: {}\n", kv[0].get<std::string>(), kv[1].get<std::string>());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pppoectl - control a running pppoed"};
  pppoe::cli::setup(app, "pppoectl");
  app.footer("Exit status: 0 done, 1 pppoed refused the command, 2 bad usage, 3 pppoed not reachable.\n"
             "See pppoectl(8).");
  Client c{"/run/pppoed.sock", false};
  std::string file;
  app.add_option("-s,--socket", c.socket, "control socket")->capture_default_str();
  app.add_flag("-j,--json", c.json, "print JSON");
  app.add_option("-f", file, "apply sysctl.conf lines (name=value) from FILE");

  auto* show = app.add_subcommand(
      "show", "show summary | stats | sessions | session ID | radius | resources | system | tunnels | tunnel id N | "
              "session id S in tunnel id T [stats] | ac | standby");
  std::string what;
  unsigned id = 0;
  std::vector<std::string> show_args;
  show->add_option("what", what,
                   "summary | stats | sessions | session | radius | resources | system | tunnels | tunnel | ac | standby | "
                   "failures [user NAME | mac MAC]")
      ->required()
      ->check(CLI::IsMember({"summary", "stats", "sessions", "session", "radius", "resources", "system", "tunnels", "tunnel",
                             "ac", "standby", "failures"}));
  show->add_option("args", show_args,
                   "session ID | session id S in tunnel id T [stats] | tunnel id N | sessions [match FIELD PATTERN]... "
                   "[order COLUMN [desc]] [limit N] [columns A,B,...] (FIELD: user, mac, ip, state, vlan, worker; "
                   "PATTERN: a shell pattern such as 'alice*'; COLUMN: " +
                       pppoe::ctl::session_columns_help() + ")");

  auto* kill = app.add_subcommand("kill", "end a session or every session of a user: kill session ID | kill user NAME");
  std::string kill_kind, kill_target;
  kill->add_option("kind", kill_kind, "session | user")->required()->check(CLI::IsMember({"session", "user"}));
  kill->add_option("target", kill_target, "session id or user name")->required();

  auto* disconnect = app.add_subcommand("disconnect", "end a session (LCP Terminate, PADT)");
  disconnect->add_option("id", id, "session id")->required();

  auto* set = app.add_subcommand("set", "change a live session: set session ID rate DOWN[/UP] (kbit/s or 20M/5M; 0: none)");
  std::vector<std::string> set_args;
  set->add_option("args", set_args, "session ID rate DOWN[/UP]")->required()->expected(4);

  auto* reload = app.add_subcommand("reload",
                                    "read the config file and ppp.secret again; sessions stay up (as SIGHUP)");

  auto* debug = app.add_subcommand(
      "debug", "log one subscriber's frames, decoded: debug user NAME | mac MAC on [MINUTES] (default 10, at most 240) | "
               "debug user NAME | mac MAC off | debug list");
  std::vector<std::string> debug_args;
  debug->add_option("args", debug_args, "user NAME on [MINUTES] | mac MAC off | list")->required();

  auto* sysctl = app.add_subcommand("sysctl", "read or write net.graph.pppoe_lb.* values");
  std::vector<std::string> sysctl_args;
  sysctl->add_option("names", sysctl_args, "NAME or NAME=VALUE (default: the whole tree)");

  auto* msg = app.add_subcommand("msg", "showworkers | showgovernor | addworker | setworkers N | migrate N | showstats");
  std::string msg_name, msg_arg;
  msg->add_option("name", msg_name, "message")->required()
      ->check(CLI::IsMember({"showworkers", "showgovernor", "addworker", "setworkers", "migrate", "showstats"}));
  msg->add_option("arg", msg_arg, "argument (setworkers N: a worker count; migrate N: a worker number)");
  if (auto rc = pppoe::cli::parse(app, argc, argv)) return *rc;

  int rc = 0;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) {
      std::fprintf(stderr, "pppoectl: %s: cannot open\n", file.c_str());
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto lines = pppoe::master::parse_sysctl_lines(text.str(), file);
    if (!lines) {
      std::fprintf(stderr, "pppoectl: %s\n", lines.error().c_str());
      return 2;
    }
    Json collected = Json::object();
    for (const auto& [name, value] : *lines)
      if (int r = sysctl_one(c, name + "=" + value, collected); r != 0) rc = r;
    if (c.json) fmt::print("{}\n", collected.dump(2));
    if (app.get_subcommands().empty()) return rc;
  }
  if (*sysctl) {
    if (sysctl_args.empty()) sysctl_args.push_back("net.graph.pppoe_lb");
    Json collected = Json::object();
    for (const auto& a : sysctl_args)
      if (int r = sysctl_one(c, a, collected); r != 0) rc = r;
    if (c.json) fmt::print("{}\n", collected.dump(2));
    return rc;
  }
  if (*msg) {
    Json req = {{"cmd", "msg"}, {"name", msg_name}};
    if (msg_name == "setworkers" || msg_name == "migrate") {
      if (msg_arg.empty()) {
        std::fprintf(stderr, "pppoectl: %s needs %s\n", msg_name.c_str(),
                     msg_name == "migrate" ? "a worker number" : "a worker count");
        return 2;
      }
      req["arg"] = msg_arg;
    }
    auto res = c.call(req, rc);
    if (!res) return rc;
    if (c.json)
      fmt::print("{}\n", res->dump(2));
    else
      fmt::print("{}", (*res)["text"].get<std::string>());
    return 0;
  }
  Json req;
  if (*show && what == "sessions") return show_sessions(c, show_args);
  if (*show) {
    req = {{"cmd", "show"}, {"what", what}};
    auto number = [](const std::string& s) -> unsigned {
      try {
        std::size_t used = 0;
        unsigned long v = std::stoul(s, &used);
        return used == s.size() && v <= 65535 ? static_cast<unsigned>(v) : 0;
      } catch (...) {
        return 0;
      }
    };
    // ProL2TP's word order: "session id S in tunnel id T [stats]", "tunnel id N".
    std::vector<std::string> a = show_args;
    std::erase(a, "id");
    if (what == "session") {
      bool in_tunnel = a.size() >= 3 && a[1] == "in" && a[2] == "tunnel";
      if (a.empty() || number(a[0]) == 0 || (in_tunnel && (a.size() < 4 || number(a[3]) == 0)) ||
          (!in_tunnel && a.size() != 1) || (in_tunnel && a.size() > 5) || (a.size() == 5 && a[4] != "stats")) {
        std::fprintf(stderr, "pppoectl: show session ID | show session id S in tunnel id T [stats]\n");
        return 2;
      }
      req["id"] = number(a[0]);
      if (in_tunnel) req["tunnel"] = number(a[3]);
    } else if (what == "tunnel") {
      if (a.size() != 1 || number(a[0]) == 0) {
        std::fprintf(stderr, "pppoectl: show tunnel id N\n");
        return 2;
      }
      req["id"] = number(a[0]);
    } else if (what == "failures") {
      if (!(show_args.empty() || (show_args.size() == 2 && (show_args[0] == "user" || show_args[0] == "mac")))) {
        std::fprintf(stderr, "pppoectl: show failures [user NAME | mac MAC]\n");
        return 2;
      }
      if (!show_args.empty()) req[show_args[0]] = show_args[1];
    } else if (!show_args.empty()) {
      std::fprintf(stderr, "pppoectl: show %s takes no argument\n", what.c_str());
      return 2;
    }
  } else if (*kill) {
    req = {{"cmd", "kill"}};
    if (kill_kind == "user") {
      req["user"] = kill_target;
    } else {
      try {
        req["id"] = std::stoul(kill_target);
      } catch (...) {
        std::fprintf(stderr, "pppoectl: kill session needs a numeric session id\n");
        return 2;
      }
    }
  } else if (*disconnect) {
    req = {{"cmd", "disconnect"}, {"id", id}};
  } else if (*reload) {
    req = {{"cmd", "reload"}};
  } else if (*debug) {
    const auto& a = debug_args;
    bool list = a.size() == 1 && a[0] == "list";
    bool ok = list || ((a.size() == 3 || a.size() == 4) && (a[0] == "user" || a[0] == "mac") &&
                       (a[2] == "on" || (a[2] == "off" && a.size() == 3)));
    unsigned long minutes = 0;
    if (ok && a.size() == 4) {
      try {
        minutes = std::stoul(a[3]);
      } catch (...) {
        ok = false;
      }
    }
    if (!ok) {
      std::fprintf(stderr, "pppoectl: debug user NAME | mac MAC on [MINUTES] | off, or debug list\n");
      return 2;
    }
    req = {{"cmd", "debug"}, {"what", list ? "list" : a[0]}};
    if (!list) {
      req["target"] = a[1];
      req["on"] = a[2] == "on";
      if (a.size() == 4) req["minutes"] = minutes;
    }
  } else if (*set) {
    unsigned long sid = 0;
    try {
      sid = set_args[0] == "session" && set_args[2] == "rate" ? std::stoul(set_args[1]) : 0;
    } catch (...) {
    }
    if (sid == 0 || sid > 65534) {
      std::fprintf(stderr, "pppoectl: set session ID rate DOWN[/UP]\n");
      return 2;
    }
    req = {{"cmd", "set"}, {"what", "rate"}, {"id", sid}, {"rate", set_args[3]}};
  } else {
    std::fputs(app.help().c_str(), stderr);
    return 2;
  }
  auto res = c.call(req, rc);
  if (!res) return rc;
  if (c.json)
    fmt::print("{}\n", res->dump(2));
  else if (*show && what == "session" && req.contains("tunnel"))
    print_l2tp_session((*res)["session"], !show_args.empty() && show_args.back() == "stats");
  else if (*show && what == "session")
    print_tree((*res)["session"], "");
  else if (*show && what == "tunnels")
    print_tunnels(*res);
  else if (*show && what == "tunnel")
    print_tunnel((*res)["tunnel"]);
  else if (*show && what == "system")
    print_system(*res);
  else if (*show && what == "ac")
    print_ac(*res);
  else if (*show && what == "radius")
    print_radius(*res);
  else if (*show && what == "standby")
    print_standby(*res);
  else if (*show && what == "failures")
    print_failures(*res);
  else if (*show)
    print_tree(*res, "");
  else if (*set)
    fmt::print("session {}: rate limit {} (down/up)\n", req["id"].get<unsigned long>(), (*res)["rate"].get<std::string>());
  else if (*reload)
    print_reload(*res);
  else if (*debug && res->contains("debugging")) {
    for (const auto& d : (*res)["debugging"])
      fmt::print("{}: {} s left\n", d["target"].get<std::string>(), d["seconds_left"].get<std::int64_t>());
  } else if (*debug)
    fmt::print("debug of {} {}\n", (*res)["target"].get<std::string>(),
               (*res)["on"].get<bool>() ? fmt::format("on for {} minutes", (*res)["minutes"].get<unsigned>()) : "off");
  else
    fmt::print("{} session(s) disconnecting\n", (*res)["disconnected"].get<int>());
  return 0;
}
