// pppoed: the PPPoE access concentrator. Thin main: options -> Config -> Server.
#include <CLI/CLI.hpp>
#include <fstream>
#include <sstream>

#include "common/log.hpp"
#include "master/config.hpp"
#include "master/server.hpp"
#include "master/sysctl.hpp"
#include "session/secrets.hpp"

using namespace pppoe;

int main(int argc, char** argv) {
  CLI::App app{"pppoed - PPPoE access concentrator with a userland data plane"};
  app.footer(
      "A master process handles discovery and the governor; worker processes handle sessions.\n"
      "  -L -w N       N workers (multi-worker mode); without -L, one worker\n"
      "  -G MAX        enable the auto-scaling governor, at most MAX workers (0 = number of CPUs)\n"
      "  -S FILE       apply net.graph.pppoe_lb.* settings (sysctl.conf lines) at start\n"
      "SIGTERM ends every session (PADT, Stop, Accounting-Off); SIGUSR2 hands them over to the\n"
      "next pppoed started on the interface (restart, upgrade) through the state file.\n"
      "Options override the config file. A lab needs no file: pppoed --secrets ppp.secret eth1\n"
      "See docs/operator-guide.md and etc/pppoed.conf.");
  bool multi = false;
  unsigned workers = 1;
  int governor_max = -1;
  std::string sysctl_file;
  app.add_flag("-L", multi, "multi-worker mode");
  app.add_option("-w", workers, "worker processes (with -L)")->check(CLI::Range(1, 64));
  app.add_option("-G", governor_max, "enable the governor; max workers (0 = number of CPUs)")->check(CLI::Range(0, 64));
  app.add_option("-S,--sysctl-file", sysctl_file, "net.graph.pppoe_lb.* settings applied at start");
  std::string config_file, secrets, pool, local_ip, dns, ac_name, service, control, tun, auth, state_file;
  unsigned echo_interval = 0, echo_failure = 0;
  bool debug = false;
  std::string iface;
  app.add_option("-f,--config", config_file, "config file");
  app.add_option("--secrets", secrets, "local users in ppp.secret format: user secret [ip]");
  app.add_option("--pool", pool, "address pool: FIRST-LAST or ADDRESS/LEN, comma separated");
  app.add_option("--local-ip", local_ip, "our address on every session (IPCP)");
  app.add_option("--dns", dns, "DNS servers offered (RFC 1877): IP[,IP]");
  app.add_option("-a,--ac-name", ac_name, "AC-Name tag");
  app.add_option("-p,--service", service, "offered Service-Name (repeatable in the config file)");
  app.add_option("--auth", auth, "authentication methods in order of preference, e.g. mschapv2,chap,pap");
  app.add_option("--lcp-echo-interval", echo_interval, "seconds between LCP echo requests (0 = off)");
  app.add_option("--lcp-echo-failure", echo_failure, "unanswered echoes before the session is dropped");
  app.add_option("--control", control, "control socket path");
  app.add_option("--state-file", state_file, "handover state file (default /run/pppoed/INTERFACE.sessions)");
  app.add_option("--tun", tun, "TUN interface name");
  app.add_flag("-d,--debug", debug, "debug logging");
  app.add_option("interface", iface, "subscriber-facing Ethernet interface");
  CLI11_PARSE(app, argc, argv);

  log::set_program("pppoed");
  if (debug) log::set_level(log::Level::kDebug);
  master::Config config;
  if (!config_file.empty()) {
    if (auto r = master::load_config_file(config, config_file); !r) {
      log::error("{}", r.error());
      return 2;
    }
  }
  auto set = [&](const char* name, const std::string& value) -> bool {
    if (value.empty()) return true;
    if (auto r = master::apply_setting(config, name, {value}); !r) {
      log::error("option --{}: {}", name, r.error());
      return false;
    }
    return true;
  };
  if (!set("interface", iface) || !set("secrets", secrets) || !set("pool", pool) || !set("local-ip", local_ip) ||
      !set("dns", dns) || !set("ac-name", ac_name) || !set("service-name", service) ||
      !set("control-socket", control) || !set("tun", tun) || !set("state-file", state_file))
    return 2;
  if (!auth.empty()) {
    if (auto r = master::apply_setting(config, "auth", session::split_commas(auth)); !r) {
      log::error("option --auth: {}", r.error());
      return 2;
    }
  }
  if (app.count("--lcp-echo-interval") > 0) config.lcp_echo_interval = echo_interval;
  if (app.count("--lcp-echo-failure") > 0) config.lcp_echo_failure = echo_failure;
  if (auto r = master::validate(config); !r) {
    log::error("{}", r.error());
    return 2;
  }
  session::LocalSecrets users;
  if (!config.secrets_file.empty()) {
    auto loaded = session::LocalSecrets::load(config.secrets_file);
    if (!loaded) {
      log::error("{}", loaded.error());
      return 2;
    }
    users = std::move(*loaded);
  } else if (!config.radius.enabled()) {
    log::warn("no secrets file: every authentication will fail (use --secrets or 'secrets' in the config)");
  }
  master::StartOptions start;
  if (app.count("-w") > 0 && !multi) {
    log::error("-w needs -L (multi-worker mode)");
    return 2;
  }
  start.workers = multi ? workers : 1;
  start.governor = governor_max >= 0;
  start.max_workers = governor_max > 0 ? static_cast<unsigned>(governor_max) : 0;
  if (!sysctl_file.empty()) {
    std::ifstream in(sysctl_file);
    if (!in) {
      log::error("{}: cannot open sysctl file", sysctl_file);
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto lines = master::parse_sysctl_lines(text.str(), sysctl_file);
    if (!lines) {
      log::error("{}", lines.error());
      return 2;
    }
    start.sysctls = std::move(*lines);
  }
  auto server = master::Server::create(std::move(config), std::move(users), std::move(start));
  if (!server) {
    log::error("{}", server.error());
    return 1;
  }
  return (*server)->run();
}
