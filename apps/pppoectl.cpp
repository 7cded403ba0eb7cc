// pppoectl: the operator's CLI to a running pppoed over its control socket.
//   pppoectl show summary | stats | sessions | session ID
//   pppoectl disconnect ID
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <fmt/format.h>

#include "ctl/control_socket.hpp"

using pppoe::ctl::Json;

namespace {

std::string human_uptime(std::int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m", seconds / 60);
  return fmt::format("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60);
}

void print_sessions(const Json& res) {
  fmt::print("{:>6} {:<17} {:<6} {:<15} {:<16} {:<9} {:>12} {:>12} {:>8}\n", "ID", "MAC", "VLAN", "IP", "USER", "STATE",
             "RX BYTES", "TX BYTES", "UPTIME");
  std::int64_t now_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
  for (const auto& s : res["sessions"]) {
    std::string vlans;
    for (const auto& v : s["vlans"]) vlans += (vlans.empty() ? "" : ".") + std::to_string(v.get<int>());
    std::int64_t up = s["up_unix_ms"].get<std::int64_t>();
    fmt::print("{:>6} {:<17} {:<6} {:<15} {:<16} {:<9} {:>12} {:>12} {:>8}\n", s["session_id"].get<int>(),
               s["mac"].get<std::string>(), vlans.empty() ? "-" : vlans, s["ip"].get<std::string>(),
               s["user"].get<std::string>(), s["state"].get<std::string>(), s["rx_bytes"].get<std::uint64_t>(),
               s["tx_bytes"].get<std::uint64_t>(), up > 0 ? human_uptime((now_ms - up) / 1000) : "-");
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pppoectl - control a running pppoed"};
  std::string socket = "/run/pppoed.sock";
  bool json = false;
  app.add_option("-s,--socket", socket, "control socket")->capture_default_str();
  app.add_flag("-j,--json", json, "print the raw JSON response");
  app.require_subcommand(1);
  auto* show = app.add_subcommand("show", "show summary | stats | sessions | session ID");
  std::string what;
  unsigned id = 0;
  show->add_option("what", what, "summary | stats | sessions | session")->required()
      ->check(CLI::IsMember({"summary", "stats", "sessions", "session"}));
  show->add_option("id", id, "session id (for 'session')");
  auto* disconnect = app.add_subcommand("disconnect", "end a session (LCP Terminate, PADT)");
  disconnect->add_option("id", id, "session id")->required();
  CLI11_PARSE(app, argc, argv);

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
  } else {
    req = {{"cmd", "disconnect"}, {"id", id}};
  }
  auto res = pppoe::ctl::request(socket, req);
  if (!res) {
    std::fprintf(stderr, "pppoectl: %s\n", res.error().c_str());
    return 3;
  }
  if (!(*res)["ok"].get<bool>()) {
    std::fprintf(stderr, "pppoectl: %s\n", (*res)["error"].get<std::string>().c_str());
    return 1;
  }
  if (json) {
    fmt::print("{}\n", res->dump(2));
  } else if (what == "sessions") {
    print_sessions(*res);
  } else if (what == "session") {
    print_tree((*res)["session"], "");
  } else if (*show) {
    print_tree(*res, "");
  } else {
    fmt::print("session {} disconnecting\n", id);
  }
  return 0;
}
