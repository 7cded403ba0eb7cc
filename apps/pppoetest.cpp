// pppoetest: diagnostic and load tool (handbook 30.6.11).
//   -m diagnose (default, read-only): report, --health-score, --check-balance, --check-affinity,
//      --show-workers, --monitor [--interval S]
//   -m create: emulated subscribers (see client/load_generator.hpp)
//   -m mixed: a diagnose snapshot, then create, then a second snapshot
// Exit codes (30.6.11.13): 0 success, 1 a test failed, 2 usage error, 3 connection error,
// 4 timeout, 5 internal error.
#include "cli.hpp"
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "loadtest/diagnose.hpp"
#include "loadtest/l2tp_probe.hpp"
#include "loadtest/load_generator.hpp"
#include "loadtest/render.hpp"
#include "loadtest/report.hpp"
#include "loadtest/transfer.hpp"
#include "common/log.hpp"

using namespace pppoe;
using namespace pppoe::loadtest;

namespace {

volatile std::sig_atomic_t g_stop = 0;

/// The seed's default interface is em0; Linux rarely has one, so the first non-loopback
/// interface is used instead, and we say so.
std::string pick_interface(const std::string& requested, bool defaulted) {
  if (!defaulted || std::filesystem::exists("/sys/class/net/" + requested)) return requested;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator("/sys/class/net"))
    if (e.path().filename() != "lo") names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  if (names.empty()) return requested;
  std::fprintf(stderr, "pppoetest: no interface em0 (the handbook's default); using %s\n", names.front().c_str());
  return names.front();
}

/// A shared secret from `--secret-file` or PPPOETEST_SECRET (never from the command line,
/// where `ps` would show it); false after saying why it could not be read.
bool read_secret(const std::string& file, std::string& out) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in || !std::getline(in, out)) {
      std::fprintf(stderr, "pppoetest: %s: cannot read the secret\n", file.c_str());
      return false;
    }
  } else if (const char* env = std::getenv("PPPOETEST_SECRET")) {
    out = env;
  }
  return true;
}

int fetch_error(const FetchError& e) {
  std::fprintf(stderr, "pppoetest: %s\n", e.text.c_str());
  return e.exit_code;
}

/// Where -h HOST[:PORT] points; nullopt (after saying why) for a port that is not 1-65535.
std::optional<Endpoint> remote_endpoint(const std::string& text, std::uint16_t default_port, const std::string& secret) {
  Endpoint e{"", text, default_port, secret};
  auto colon = text.find(':');
  if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos) return e;  // none, or IPv6
  unsigned p = 0;
  auto [end, ec] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), p);
  if (ec != std::errc{} || end != text.data() + text.size() || p == 0 || p > 65535) {
    std::fprintf(stderr, "pppoetest: -h %s: expected HOST or HOST:PORT with a port 1-65535\n", text.c_str());
    return std::nullopt;
  }
  e.host = text.substr(0, colon);
  e.port = static_cast<std::uint16_t>(p);
  return e;
}

struct BoxesQuery {
  int request_ms = 5000;
  unsigned error_threshold = 40;
  std::optional<unsigned> balance_threshold;  ///< --check-balance
};

/// Several boxes side by side (loadtest/boxes.hpp): the local control sockets, then the remote
/// ports (one shared secret); the report, or with a threshold the check of the spread too.
int diagnose_boxes(const std::vector<std::string>& sockets, const std::vector<std::string>& hosts, std::uint16_t port,
                   const std::string& secret_file, const BoxesQuery& q, Format format, const Style& style) {
  std::vector<BoxReport> boxes;
  std::vector<Endpoint> endpoints;
  for (const auto& path : sockets) {
    boxes.push_back({path, std::nullopt, {}, {}});
    endpoints.push_back({path, "", 0, ""});
  }
  std::string secret;
  if (!hosts.empty() && !read_secret(secret_file, secret)) return 2;
  if (!hosts.empty() && secret.empty()) {
    std::fprintf(stderr, "pppoetest: -h needs the shared secret: --secret-file FILE or PPPOETEST_SECRET\n");
    return 2;
  }
  for (const auto& text : hosts) {
    auto e = remote_endpoint(text, port, secret);
    if (!e) return 2;
    boxes.push_back({text, std::nullopt, {}, {}});
    endpoints.push_back(std::move(*e));
  }
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    auto s = take_snapshot(endpoints[i], true, q.request_ms);
    if (!s) {
      boxes[i].error = s.error();
      continue;
    }
    boxes[i].health = health(*s, q.error_threshold);
    boxes[i].snapshot = std::move(*s);
  }
  BoxesReport r = compare_boxes(std::move(boxes));
  std::fputs(render_boxes(r, q.balance_threshold, format, style).c_str(), stdout);
  return r.exit_code(q.balance_threshold);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pppoetest - PPPoE load balancer testing and diagnostic tool"};
  cli::setup(app, "pppoetest", "--help");
  std::string mode = "diagnose", format_name = "console", auth, target, vlan;
  std::vector<std::string> hosts, sockets;
  unsigned port = 9001, interval = 5, balance_threshold = 20, error_threshold = 40, count = 0;
  bool health_flag = false, balance_flag = false, affinity_flag = false, workers_flag = false, monitor = false;
  bool no_color = false, no_ipv6 = false;
  LoadOptions o;
  o.interface = "em0";
  app.add_option("-m,--mode", mode, "diagnose | create | mixed | server | client | l2tp")->capture_default_str()
      ->check(CLI::IsMember({"diagnose", "create", "mixed", "server", "client", "l2tp"}));
  std::string lns, l2tp_source;
  app.add_option("--lns", lns, "l2tp: the LNS to check, ADDRESS[:PORT] (port 1701)");
  app.add_option("--l2tp-source", l2tp_source, "l2tp: our ADDRESS[:PORT] (default: any address, port 1701)");
  app.add_option("-i,--interface", o.interface, "network interface (create, mixed)")->capture_default_str();
  app.add_option("-h,--host", hosts,
                 "server hostname (default: localhost); diagnose: several boxes side by side, -h repeated or "
                 "A,B,C, each HOST[:PORT]")
      ->delimiter(',');
  app.add_option("-p,--port", port, "control port")->capture_default_str();
  app.add_option("-s,--socket", sockets,
                 "pppoed control socket (local diagnose; default /run/pppoed.sock); repeated: several instances side by side");
  std::string secret_file;
  app.add_option("--secret-file", secret_file, "remote diagnose, l2tp: file with the shared secret (or PPPOETEST_SECRET)");
  app.add_option("--format", format_name, "console | json | jsonl | csv | tap")->capture_default_str()
      ->check(CLI::IsMember({"console", "json", "jsonl", "csv", "tap"}));
  app.add_option("--interval", interval, "monitoring interval (seconds)")->capture_default_str()->check(cli::range(1u, 3600u));
  app.add_option("--count", count, "monitor: stop after this many samples; server: after this many runs (0 = until Ctrl+C)");
  app.add_option("--balance-threshold", balance_threshold, "imbalance warning threshold (%)")->capture_default_str()
      ->check(cli::range(1u, 100u));
  app.add_option("--error-threshold", error_threshold, "health error threshold (%)")->capture_default_str()
      ->check(cli::range(1u, 100u));
  app.add_flag("--no-color", no_color, "disable colored output");
  app.add_flag("--health-score", health_flag, "diagnose: component health scores");
  app.add_flag("--check-balance", balance_flag, "diagnose: session distribution");
  app.add_flag("--check-affinity", affinity_flag, "diagnose: sessions that moved between workers");
  app.add_flag("--show-workers", workers_flag, "diagnose: worker table");
  app.add_flag("--monitor", monitor, "diagnose: continuous monitoring (Ctrl+C stops)");
  // create / mixed
  app.add_option("-n,--sessions", o.sessions, "sessions to create")->check(cli::range(1u, 65534u))->capture_default_str();
  app.add_option("--rate", o.rate, "new sessions per second (0 = as fast as possible)")->check(CLI::NonNegativeNumber);
  app.add_option("--user", o.user, "user name")->capture_default_str();
  app.add_option("--password", o.password, "password (never printed)");
  app.add_option("--auth", auth, "accept only this method: pap | chap | mschapv2");
  app.add_option("--service", o.service, "Service-Name to request (default: any)");
  app.add_option("--target", target, "address to ping through each session (default: the AC's address)");
  std::string target6;
  app.add_option("--target6", target6,
                 "IPv6 address to ping from each session's SLAAC address (its Router Advertisement's /64); "
                 "a session without one fails (default: link-local pings to the AC)");
  app.add_option("--pings", o.pings, "ICMP echoes per session")->capture_default_str();
  app.add_option("--ping-size", o.ping_size, "ICMP payload bytes")->check(cli::range(0, 1472))->capture_default_str();
  app.add_option("--timeout", o.setup_timeout, "create: seconds for all sessions to come up; diagnose: per request")->capture_default_str();
  app.add_option("--hold", o.hold, "seconds to hold sessions after the traffic check");
  app.add_flag("--vanish", o.vanish, "exit without PADT, like a CPE losing power");
  app.add_flag("--reconnect", o.reconnect, "restart discovery when the AC ends a held session");
  app.add_option("--echo-interval", o.echo_interval,
                 "send LCP Echo-Requests every N seconds; 3 unanswered end the session (with --reconnect: redial)")
      ->check(cli::range(0, 3600));
  app.add_option("--retry", o.retry,
                 "after a failed setup (login refused, no answer) dial again after S seconds, until --timeout, "
                 "as a CPE does (0 = a failure is final)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_flag("--hold-ping", o.hold_ping, "ping through every session each second while holding");
  app.add_option("--traffic-interval", o.traffic_interval_ms,
                 "while holding, ping through each session every MS milliseconds and report the largest gap "
                 "(implies --hold-ping)")
      ->check(cli::range(1u, 60000u));
  app.add_option("--traffic-sessions", o.traffic_sessions, "while holding, ping through the first N sessions only (0 = all)");
  app.add_option("--flood", o.flood, "seconds of back-to-back pings after the traffic check");
  app.add_option("--max-payload", o.max_payload, "request RFC 4638 PPP-Max-Payload");
  app.add_option("--circuit-id", o.circuit_id, "TR-101 Agent-Circuit-ID to add to discovery, as a DSLAM would")
      ->check(CLI::Validator([](std::string& v) { return v.size() <= 63 ? "" : "at most 63 characters"; }, "TEXT"));
  app.add_option("--remote-id", o.remote_id, "TR-101 Agent-Remote-ID to add to discovery")
      ->check(CLI::Validator([](std::string& v) { return v.size() <= 63 ? "" : "at most 63 characters"; }, "TEXT"));
  app.add_option("--vlan", vlan, "tag frames: VID (802.1Q) or OUTER.INNER (QinQ, 802.1ad outer)");
  app.add_flag("--no-ipv6", no_ipv6, "do not negotiate IPv6CP");
  bool pd = false, ia_na = false, no_rapid_commit = false, cpe6 = false;
  app.add_flag("--ipv6", cpe6, "act as a dual-stack CPE: Router Solicitation, SLAAC from the Router Advertisement and a "
                               "delegated prefix by DHCPv6 (as --pd; add --target6 for traffic from both)")
      ->excludes("--no-ipv6");
  app.add_flag("--pd", pd, "ask DHCPv6 for a delegated prefix (IA_PD) after the Router Advertisement; with --target6 "
                           "also ping from an address in it; a session without one fails");
  app.add_flag("--ia-na", ia_na, "ask DHCPv6 for an address (IA_NA) as well");
  app.add_flag("--no-rapid-commit", no_rapid_commit, "DHCPv6 by Solicit, Advertise, Request, Reply");
  app.add_option("--blocks", o.transfer.blocks, "client: blocks to transfer")->capture_default_str()->check(cli::range(1u, 1000000u));
  app.add_option("--block-size", o.transfer.block_size, "client: bytes per block")->capture_default_str()->check(cli::range(16, 1400));
  app.add_option("--corrupt", o.transfer.corrupt, "client: alter this many blocks after their checksum (to test detection)");
  if (argc == 2 && std::string_view(argv[1]) == "-h") {  // -h is --host; alone, it can only mean help
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  if (auto rc = cli::parse(app, argc, argv)) return *rc;
  log::set_program("pppoetest");
  const std::string host = hosts.empty() ? "localhost" : hosts.front();
  const std::string socket_path = sockets.empty() ? "/run/pppoed.sock" : sockets.front();
  const bool several = hosts.size() + sockets.size() > 1;
  if (several && mode != "diagnose") {
    std::fprintf(stderr, "pppoetest: several -h or -s are for -m diagnose only\n");
    return 2;
  }
  if (app.count("--traffic-interval") > 0 || app.count("--traffic-sessions") > 0) o.hold_ping = true;
  Format format = *parse_format(format_name);
  Style style{!no_color && format == Format::kConsole && isatty(1)};

  if (mode == "l2tp") {
    // An LNS checked the way a LAC uses it (loadtest/l2tp_probe.hpp). The tunnel secret, like
    // every secret here, comes from a file or the environment, never from the command line.
    auto endpoint = [](const std::string& text, std::uint16_t default_port) -> std::optional<pppoe::l2tp::Endpoint> {
      auto colon = text.find(':');
      auto a = Ipv4Address::parse(text.substr(0, colon));
      unsigned p = default_port;
      if (colon != std::string::npos && std::sscanf(text.c_str() + colon + 1, "%u", &p) != 1) return std::nullopt;
      if (!a || p > 65535) return std::nullopt;
      return pppoe::l2tp::Endpoint{*a, static_cast<std::uint16_t>(p)};
    };
    L2tpProbeOptions lo;
    auto to = endpoint(lns, pppoe::l2tp::kUdpPort);
    if (lns.empty() || !to) {
      std::fprintf(stderr, "pppoetest: -m l2tp needs --lns ADDRESS[:PORT]\n");
      return 2;
    }
    lo.lns = *to;
    if (!l2tp_source.empty()) {
      auto from = endpoint(l2tp_source, pppoe::l2tp::kUdpPort);
      if (!from) {
        std::fprintf(stderr, "pppoetest: --l2tp-source expects ADDRESS[:PORT]\n");
        return 2;
      }
      lo.local = *from;
    } else {
      lo.local = {Ipv4Address{}, pppoe::l2tp::kUdpPort};
    }
    if (!read_secret(secret_file, lo.secret)) return 2;
    lo.calls = app.count("-n") > 0 ? o.sessions : 1;
    lo.user = o.user;
    lo.password = o.password;
    if (app.count("--timeout") > 0) lo.timeout = o.setup_timeout;
    lo.hold = o.hold;
    std::signal(SIGINT, [](int) { g_stop = 1; });
    std::signal(SIGTERM, [](int) { g_stop = 1; });
    auto r = run_l2tp_probe(lo, g_stop);
    std::fputs(render_l2tp_probe(r, format == Format::kJson).c_str(), stdout);
    if (!r.tunnel_up) return 3;
    return r.calls_up == r.calls_placed && r.calls_placed == lo.calls && r.cleared ? 0 : 1;
  }
  if (mode == "server") {
    std::string iface = app.count("-i") > 0 ? o.interface : "";
    return transfer::run_server(iface, static_cast<std::uint16_t>(port), count, format, style);
  }
  Endpoint where{socket_path, "", static_cast<std::uint16_t>(port), ""};
  if (mode != "client" && host != "localhost" && !several) {
    // Remote diagnose (30.6.11.14.4): pppoed's read-only remote control, challenge-response
    // with a shared secret taken from a file or the environment, never from the command line.
    where.host = host;
    if (!read_secret(secret_file, where.secret)) return 2;
    if (where.secret.empty()) {
      std::fprintf(stderr, "pppoetest: -h %s needs the shared secret: --secret-file FILE or PPPOETEST_SECRET\n", host.c_str());
      return 2;
    }
  }
  // Diagnose: --timeout bounds each control request (default 5 s); exceeding it is exit 4.
  int request_ms = app.count("--timeout") > 0 ? static_cast<int>(o.setup_timeout * 1000) : 5000;
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });

  try {
    if (mode == "diagnose" && several) {
      if (health_flag || affinity_flag || workers_flag || monitor) {
        std::fprintf(stderr, "pppoetest: with several boxes, only the report and --check-balance; ask one box for the rest\n");
        return 2;
      }
      std::optional<unsigned> threshold;
      if (balance_flag) threshold = balance_threshold;
      return diagnose_boxes(sockets, hosts, static_cast<std::uint16_t>(port), secret_file,
                            {request_ms, error_threshold, threshold}, format, style);
    }
    if (mode == "diagnose") {
      int picked = health_flag + balance_flag + affinity_flag + workers_flag + monitor;
      if (picked > 1) {
        std::fprintf(stderr, "pppoetest: choose one of --health-score, --check-balance, --check-affinity, --show-workers, --monitor\n");
        return 2;
      }
      if (monitor) {
        std::deque<Snapshot> history;
        for (unsigned sample = 1; !g_stop; ++sample) {
          auto s = take_snapshot(where, false, request_ms);
          if (!s) return fetch_error(s.error());
          history.push_back(*s);
          while (history.size() > 2 && history.back().time_unix - history[1].time_unix >= 300) history.pop_front();
          if (sample == 1 && format == Format::kConsole) std::fputs("Press Ctrl+C to stop\n", stdout);
          std::fputs(render_monitor(history, sample, format, style, sample == 1).c_str(), stdout);
          std::fflush(stdout);
          if (count != 0 && sample >= count) break;
          for (unsigned t = 0; t < interval * 10 && !g_stop; ++t) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return 0;
      }
      auto s = take_snapshot(where, affinity_flag || health_flag || !(balance_flag || workers_flag), request_ms);
      if (!s) return fetch_error(s.error());
      if (balance_flag) {
        Balance b = balance(*s, balance_threshold);
        std::fputs(render_balance(*s, b, format, style).c_str(), stdout);
        return b.ok() ? 0 : 1;
      }
      if (affinity_flag) {
        Affinity a = affinity(*s);
        std::fputs(render_affinity(*s, a, format, style).c_str(), stdout);
        return a.failed == 0 ? 0 : 1;
      }
      if (workers_flag) {
        std::fputs(render_workers(*s, format, style).c_str(), stdout);
        return s->workers.empty() ? 1 : 0;
      }
      Health h = health(*s, error_threshold);
      std::fputs((health_flag ? render_health(*s, h, format, style) : render_diagnose(*s, h, format, style)).c_str(), stdout);
      return h.score >= 70 ? 0 : 1;
    }

    // create and mixed
    o.interface = pick_interface(o.interface, app.count("-i") == 0);
    o.ipv6 = !no_ipv6;
    o.pd = pd || cpe6;
    o.ia_na = ia_na;
    o.rapid_commit = !no_rapid_commit;
    o.progress = format == Format::kConsole;
    if (!auth.empty()) {
      auto m = ppp::parse_auth_method(auth);
      if (!m) {
        std::fprintf(stderr, "pppoetest: --auth expects pap, chap or mschapv2\n");
        return 2;
      }
      o.auth = {*m};
    }
    if (!vlan.empty()) {
      auto v = parse_vlans(vlan);
      if (!v) {
        std::fprintf(stderr, "pppoetest: --vlan expects VID or OUTER.INNER with VIDs 1-4094\n");
        return 2;
      }
      o.vlans = *v;
    }
    if (!target6.empty()) {
      o.target6 = parse_ipv6(target6);
      if (!o.target6) {
        std::fprintf(stderr, "pppoetest: --target6 expects an IPv6 address\n");
        return 2;
      }
    }
    if (!target.empty()) {
      o.target = Ipv4Address::parse(target);
      if (!o.target) {
        std::fprintf(stderr, "pppoetest: --target expects an IPv4 address\n");
        return 2;
      }
    }
    std::optional<Snapshot> before;
    if (mode == "mixed") {
      auto s = take_snapshot(where, false, request_ms);
      if (!s) return fetch_error(s.error());
      before = *s;
    }
    if (mode == "client") {
      auto server = Ipv4Address::parse(host);
      if (!server) {
        std::fprintf(stderr, "pppoetest: -h expects the server's IPv4 address (reached through the sessions)\n");
        return 2;
      }
      o.transfer.enabled = true;
      o.transfer.server = *server;
      o.transfer.port = static_cast<std::uint16_t>(port);
      if (app.count("-n") == 0) o.sessions = 1;
      o.pings = 0;
      o.progress = false;
    }
    auto report = run_load(o);
    if (!report) {
      std::fprintf(stderr, "pppoetest: %s\n", report.error().c_str());
      return 3;
    }
    if (mode == "client") {
      const auto& t = report->transfer;
      if (report->established == 0) {
        std::fputs(format_report(*report, o, format).c_str(), stdout);
        return 1;
      }
      if (!t.connected) {
        std::fprintf(stderr, "pppoetest: %s:%u: no answer from the server through the sessions\n", host.c_str(), port);
        return 3;
      }
      if (format == Format::kConsole)
        std::printf("Connected to %s:%u\nRunning accuracy test... (%u blocks over %u sessions)\n", host.c_str(), port,
                    t.sent, report->established);
      if (!t.finished) {
        std::fprintf(stderr, "pppoetest: the server sent no result\n");
        return 4;
      }
      transfer::Side client{t.sent, t.acked_ok, t.acked_bad, t.lost};
      transfer::Side server{t.server_blocks, t.server_ok, t.server_bad, t.sent - std::min(t.sent, t.server_blocks)};
      std::fputs(transfer::render_result(client, server, t.match, format, style).c_str(), stdout);
      return t.match && t.lost == 0 && t.acked_bad == 0 && t.server_bad == 0 ? 0 : 1;
    }
    std::fputs(format_report(*report, o, format).c_str(), stdout);
    if (mode == "mixed") {
      auto after = take_snapshot(where, true, request_ms);
      if (!after) return fetch_error(after.error());
      Health h = health(*after, error_threshold);
      if (format == Format::kConsole)
        std::fprintf(stdout, "\nExisting sessions: %llu before, %llu after (ours ended with PADT)\n",
                     static_cast<unsigned long long>(before->sessions_total),
                     static_cast<unsigned long long>(after->sessions_total));
      std::fputs(render_diagnose(*after, h, format, style).c_str(), stdout);
      return report->success() && h.score >= 70 ? 0 : 1;
    }
    return report->success() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pppoetest: internal error: %s\n", e.what());
    return 5;
  }
}
