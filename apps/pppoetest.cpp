// pppoetest: diagnostic and load tool (handbook section 30.6.11). This build implements
// `-m create`; the other modes arrive with the pppoetest issue and are refused clearly.
// Exit codes (30.6.11.13): 0 success, 1 a test failed, 2 usage, 3 connection, 4 timeout, 5 internal.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "client/load_generator.hpp"
#include "client/report.hpp"
#include "common/log.hpp"

using namespace pppoe;

int main(int argc, char** argv) {
  CLI::App app{"pppoetest - PPPoE load balancer testing and diagnostic tool"};
  app.set_help_flag("--help", "print this help and exit");
  std::string mode = "diagnose", format = "console", auth, target;
  client::LoadOptions o;
  o.interface = "em0";
  app.add_option("-m,--mode", mode, "diagnose | create | mixed | server | client")->capture_default_str();
  app.add_option("-i,--interface", o.interface, "subscriber-side interface")->capture_default_str();
  app.add_option("-n,--sessions", o.sessions, "sessions to create")->check(CLI::Range(1u, 65534u))->capture_default_str();
  app.add_option("--rate", o.rate, "new sessions per second (0 = as fast as possible)")->check(CLI::NonNegativeNumber);
  app.add_option("--user", o.user, "user name")->capture_default_str();
  app.add_option("--password", o.password, "password (never printed)");
  app.add_option("--auth", auth, "accept only this method: pap | chap | mschapv2");
  app.add_option("--service", o.service, "Service-Name to request (default: any)");
  app.add_option("--target", target, "address to ping through each session (default: the AC's address)");
  app.add_option("--pings", o.pings, "ICMP echoes per session")->capture_default_str();
  app.add_option("--ping-size", o.ping_size, "ICMP payload bytes")->check(CLI::Range(0, 1472))->capture_default_str();
  app.add_option("--timeout", o.setup_timeout, "seconds for all sessions to come up")->capture_default_str();
  app.add_option("--hold", o.hold, "seconds to hold sessions after the traffic check");
  app.add_flag("--vanish", o.vanish, "exit without PADT, like a CPE losing power");
  app.add_flag("--reconnect", o.reconnect, "restart discovery when the AC ends a held session");
  app.add_flag("--hold-ping", o.hold_ping, "ping through every session each second while holding");
  app.add_option("--flood", o.flood, "seconds of back-to-back pings after the traffic check");
  app.add_option("--max-payload", o.max_payload, "request RFC 4638 PPP-Max-Payload");
  std::string vlan;
  app.add_option("--vlan", vlan, "tag frames: VID (802.1Q) or OUTER.INNER (QinQ, 802.1ad outer)");
  bool no_ipv6 = false;
  app.add_flag("--no-ipv6", no_ipv6, "do not negotiate IPv6CP");
  app.add_option("--format", format, "console | json")->check(CLI::IsMember({"console", "json"}));
  bool no_color = false;
  app.add_flag("--no-color", no_color, "plain output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    std::fputs(app.help().c_str(), stderr);
    return 2;
  }
  log::set_program("pppoetest");
  if (mode != "create") {
    std::fprintf(stderr, "pppoetest: mode '%s' is not available in this build; use -m create\n", mode.c_str());
    return 2;
  }
  o.ipv6 = !no_ipv6;
  o.progress = format == "console" && isatty(2);
  if (!auth.empty()) {
    auto m = ppp::parse_auth_method(auth);
    if (!m) {
      std::fprintf(stderr, "pppoetest: --auth expects pap, chap or mschapv2\n");
      return 2;
    }
    o.auth = {*m};
  }
  if (!vlan.empty()) {
    auto v = client::parse_vlans(vlan);
    if (!v) {
      std::fprintf(stderr, "pppoetest: --vlan expects VID or OUTER.INNER with VIDs 1-4094\n");
      return 2;
    }
    o.vlans = *v;
  }
  if (!target.empty()) {
    o.target = Ipv4Address::parse(target);
    if (!o.target) {
      std::fprintf(stderr, "pppoetest: --target expects an IPv4 address\n");
      return 2;
    }
  }
  try {
    auto report = client::run_load(o);
    if (!report) {
      std::fprintf(stderr, "pppoetest: %s\n", report.error().c_str());
      return 3;
    }
    std::string out = format == "json" ? client::format_json(*report, o) : client::format_console(*report, o);
    std::fputs(out.c_str(), stdout);
    return report->success() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pppoetest: internal error: %s\n", e.what());
    return 5;
  }
}
