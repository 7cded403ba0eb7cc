// pppoectl: the operator's CLI to a running pppoed over its control socket. The seed's
// `ngctl msg pppoe_lb:pppoed X` is `pppoectl msg X`, and `sysctl` is `pppoectl sysctl`.
//
//   pppoectl show summary | stats | sessions | session ID | radius | resources
//   pppoectl kill session ID | kill user NAME | disconnect ID
//   pppoectl sysctl [NAME[=VALUE] ...]        pppoectl -f FILE  (sysctl.conf lines)
//   pppoectl msg showworkers | showgovernor | addworker | setworkers N | showstats
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "ctl/control_socket.hpp"
#include "master/sysctl.hpp"

using pppoe::ctl::Json;

namespace {

std::string human_uptime(std::int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m", seconds / 60);
  return fmt::format("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60);
}

void print_sessions(const Json& res) {
  fmt::print("{:>6} {:>6} {:<17} {:<7} {:<15} {:<16} {:<11} {:>12} {:>12} {:>8}\n", "ID", "WORKER", "MAC", "VLAN", "IP",
             "USER", "STATE", "RX BYTES", "TX BYTES", "UPTIME");
  std::int64_t now_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
  for (const auto& s : res["sessions"]) {
    std::string vlans;
    for (const auto& v : s["vlans"]) vlans += (vlans.empty() ? "" : ".") + std::to_string(v.get<int>());
    std::int64_t up = s["up_unix_ms"].get<std::int64_t>();
    fmt::print("{:>6} {:>6} {:<17} {:<7} {:<15} {:<16} {:<11} {:>12} {:>12} {:>8}\n", s["session_id"].get<int>(),
               s["worker"].get<int>(), s["mac"].get<std::string>(), vlans.empty() ? "-" : vlans,
               s["ip"].get<std::string>(), s["user"].get<std::string>(), s["state"].get<std::string>(),
               s["rx_bytes"].get<std::uint64_t>(), s["tx_bytes"].get<std::uint64_t>(),
               up > 0 ? human_uptime((now_ms - up) / 1000) : "-");
  }
  fmt::print("{} session(s)\n", res["sessions"].size());
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
  Client c{"/run/pppoed.sock", false};
  std::string file;
  app.add_option("-s,--socket", c.socket, "control socket")->capture_default_str();
  app.add_flag("-j,--json", c.json, "print JSON");
  app.add_option("-f", file, "apply sysctl.conf lines (name=value) from FILE");

  auto* show = app.add_subcommand("show", "show summary | stats | sessions | session ID | radius | resources");
  std::string what;
  unsigned id = 0;
  show->add_option("what", what, "summary | stats | sessions | session | radius | resources")->required()
      ->check(CLI::IsMember({"summary", "stats", "sessions", "session", "radius", "resources"}));
  show->add_option("id", id, "session id (for 'session')");

  auto* kill = app.add_subcommand("kill", "end a session or every session of a user: kill session ID | kill user NAME");
  std::string kill_kind, kill_target;
  kill->add_option("kind", kill_kind, "session | user")->required()->check(CLI::IsMember({"session", "user"}));
  kill->add_option("target", kill_target, "session id or user name")->required();

  auto* disconnect = app.add_subcommand("disconnect", "end a session (LCP Terminate, PADT)");
  disconnect->add_option("id", id, "session id")->required();

  auto* sysctl = app.add_subcommand("sysctl", "read or write net.graph.pppoe_lb.* values");
  std::vector<std::string> sysctl_args;
  sysctl->add_option("names", sysctl_args, "NAME or NAME=VALUE (default: the whole tree)");

  auto* msg = app.add_subcommand("msg", "showworkers | showgovernor | addworker | setworkers N | showstats");
  std::string msg_name, msg_arg;
  msg->add_option("name", msg_name, "message")->required()
      ->check(CLI::IsMember({"showworkers", "showgovernor", "addworker", "setworkers", "showstats"}));
  msg->add_option("arg", msg_arg, "argument (setworkers N)");
  CLI11_PARSE(app, argc, argv);

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
    if (msg_name == "setworkers") {
      if (msg_arg.empty()) {
        std::fprintf(stderr, "pppoectl: setworkers needs a worker count\n");
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
  if (*show) {
    req = {{"cmd", "show"}, {"what", what}};
    if (what == "session") {
      if (id == 0) {
        std::fprintf(stderr, "pppoectl: show session needs a session id\n");
        return 2;
      }
      req["id"] = id;
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
  } else {
    std::fputs(app.help().c_str(), stderr);
    return 2;
  }
  auto res = c.call(req, rc);
  if (!res) return rc;
  if (c.json)
    fmt::print("{}\n", res->dump(2));
  else if (*show && what == "sessions")
    print_sessions(*res);
  else if (*show && what == "session")
    print_tree((*res)["session"], "");
  else if (*show)
    print_tree(*res, "");
  else
    fmt::print("{} session(s) disconnecting\n", (*res)["disconnected"].get<int>());
  return 0;
}
