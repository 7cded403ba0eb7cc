// pppoed: the PPPoE access concentrator. Thin main: options -> ConfigSource -> Config -> Server.
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "common/log.hpp"
#include "master/config_source.hpp"
#include "master/server.hpp"
#include "master/sysctl.hpp"
#include "session/secrets.hpp"

using namespace pppoe;

int main(int argc, char** argv) {
  CLI::App app{"pppoed - PPPoE access concentrator with a userland data plane"};
  cli::setup(app, "pppoed");
  app.footer(
      "A master process handles discovery and the governor; worker processes handle sessions.\n"
      "Options override the config file (defaults: etc/pppoed.conf, pppoed.conf(5)).\n"
      "A lab needs no file: pppoed --secrets ppp.secret eth1\n"
      "\n"
      "Signals: SIGHUP reloads the config file and ppp.secret (sessions stay up; as\n"
      "`pppoectl reload`); SIGTERM ends every session (PADT, Stop, Accounting-Off); SIGUSR2\n"
      "hands them over to the next pppoed started on the interface (restart, upgrade).\n"
      "\n"
      "Exit status: 0 stopped cleanly (or --check found the configuration good), 1 could not\n"
      "start (interface, TUN, sockets), 2 bad usage or configuration.\n"
      "See pppoed(8) and docs/operator-guide.md.");
  bool multi = false;
  unsigned workers = 1;
  int governor_max = -1;
  std::string sysctl_file;
  bool check = false;
  app.add_flag("-L", multi, "multi-worker mode (-w workers); without it, one worker");
  app.add_option("-w", workers, "worker processes with -L, 1 to 64 (default 1)")->type_name("N")->check(cli::range(1, 64));
  app.add_option("-G", governor_max, "auto-scaling governor, at most MAX workers (0 = one per CPU)")
      ->type_name("MAX")
      ->check(cli::range(0, 64));
  app.add_option("-S,--sysctl-file", sysctl_file, "net.graph.pppoe_lb.* settings (sysctl.conf lines) applied at start")
      ->type_name("FILE");
  std::string config_file, secrets, pool, local_ip, dns, ac_name, service, control, tun, auth, state_file, fast_path;
  unsigned echo_interval = 0, echo_failure = 0;
  bool debug = false;
  std::string iface;
  app.add_option("-f,--config", config_file, "read the configuration from FILE")->type_name("FILE");
  app.add_flag("--check", check, "check the configuration (and ppp.secret) and exit: 0 good, 2 not");
  app.add_option("--secrets", secrets, "local users in ppp.secret format: USER SECRET [IP]")->type_name("FILE");
  app.add_option("--pool", pool, "address pool: FIRST-LAST or ADDRESS/LEN, comma separated (default 10.0.0.10-10.0.255.254)")
      ->type_name("RANGES");
  app.add_option("--local-ip", local_ip, "our address on every session, IPCP (default 10.0.0.1)")->type_name("IP");
  app.add_option("--dns", dns, "DNS servers offered, RFC 1877 (default none)")->type_name("IP[,IP]");
  app.add_option("-a,--ac-name", ac_name, "AC-Name tag (default pppoed)")->type_name("NAME");
  app.add_option("-p,--service", service, "the Service-Name offered (default: any)")->type_name("NAME");
  app.add_option("--auth", auth, "authentication methods by preference (default mschapv2,chap,pap)")->type_name("LIST");
  app.add_option("--lcp-echo-interval", echo_interval, "seconds between LCP echo requests, 0 = off (default 10)")
      ->type_name("SECONDS");
  app.add_option("--lcp-echo-failure", echo_failure, "unanswered echoes before a session ends (default 3)")->type_name("N");
  app.add_option("--control", control, "control socket (default /run/pppoed.sock)")->type_name("PATH");
  app.add_option("--state-file", state_file, "handover state file (default /run/pppoed/INTERFACE.sessions)")->type_name("PATH");
  app.add_option("--tun", tun, "TUN interface (default pppoe0)")->type_name("NAME");
  app.add_option("--fast-path", fast_path, "the kernel fast path (eBPF): yes or no (default no)")
      ->type_name("yes|no")->check(CLI::IsMember({"yes", "no"}));
  app.add_flag("-d,--debug", debug, "debug logging (as log-level debug)");
  app.add_option("interface", iface, "the subscriber-facing Ethernet interface (or 'interface' in FILE)")->type_name("INTERFACE");
  if (auto rc = cli::parse(app, argc, argv)) return *rc;

  log::set_program("pppoed");
  // The options become settings applied after the file, on every reload too.
  master::ConfigSource source;
  source.config_file = config_file;
  auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) source.overrides.emplace_back(name, std::vector<std::string>{value});
  };
  add("interface", iface);
  add("secrets", secrets);
  add("pool", pool);
  add("local-ip", local_ip);
  add("dns", dns);
  add("ac-name", ac_name);
  add("service-name", service);
  add("control-socket", control);
  add("tun", tun);
  add("state-file", state_file);
  add("fast-path", fast_path);
  if (!auth.empty()) source.overrides.emplace_back("auth", session::split_commas(auth));
  if (app.count("--lcp-echo-interval") > 0) add("lcp-echo-interval", std::to_string(echo_interval));
  if (app.count("--lcp-echo-failure") > 0) add("lcp-echo-failure", std::to_string(echo_failure));
  if (debug) add("log-level", "debug");

  auto read = master::read_config(source);
  if (!read) {
    log::error("{}", read.error());
    return 2;
  }
  master::LoadedConfig loaded = std::move(read->second);
  if (check) {
    const auto& c = loaded.config;
    std::string users = c.secrets_file.empty() ? std::string("no ppp.secret")
                                               : fmt::format("{} local users in {}", loaded.secrets.size(), c.secrets_file);
    fmt::print("{}: configuration is good: interface {}, {}, {}\n", config_file.empty() ? "options" : config_file,
               c.interface, users, c.radius.enabled() ? "RADIUS authentication" : "local authentication");
    return 0;
  }
  log::set_level(loaded.config.log_level);
  log::use_syslog(loaded.config.log_syslog);
  if (loaded.config.secrets_file.empty() && !loaded.config.radius.enabled())
    log::warn("no secrets file: every authentication will fail (use --secrets or 'secrets' in the config)");
  master::StartOptions start;
  if (app.count("-w") > 0 && !multi) {
    log::error("-w needs -L (multi-worker mode)");
    return 2;
  }
  start.source = std::move(source);
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
  auto server = master::Server::create(std::move(loaded), std::move(start));
  if (!server) {
    log::error("{}", server.error());
    return 1;
  }
  return (*server)->run();
}
