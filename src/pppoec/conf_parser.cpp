#include "pppoec/conf_parser.hpp"

#include "pppoec/chat.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace pppoe::pppoec {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

template <typename T>
std::optional<T> parse_number(std::string_view s, int base = 10) {
  T v{};
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

/// Splits one logical line into words: blanks separate, "quotes" group (and may be empty), a
/// backslash escapes the next character, '#' outside quotes ends the line.
std::expected<std::vector<std::string>, std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false, quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
      continue;
    }
    if (quoted) {
      if (c == '"')
        quoted = false;
      else
        word += c;
      continue;
    }
    if (c == '"') {
      quoted = true;
      in_word = true;
      continue;
    }
    if (c == '#') break;
    if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    word += c;
    in_word = true;
  }
  if (quoted) return std::unexpected("a closing '\"'");
  if (in_word) words.push_back(std::move(word));
  return words;
}

struct Ctx {
  Profile& p;
  const ConfCommand& c;
  const std::string& file;
  std::vector<ConfError>& warnings;

  std::unexpected<ConfError> error(std::string message) const {
    return std::unexpected(ConfError{file, c.line, std::move(message)});
  }
  void warn(std::string message) const { warnings.push_back({file, c.line, std::move(message)}); }
  const std::string& word(std::size_t i) const { return c.words[i]; }
  std::size_t size() const { return c.words.size(); }
};

using Result = std::expected<void, ConfError>;

/// `set device`: PPPoE:IFACE[:SERVICE], a tty path, or pppoe(8) as ppp(8) on OpenBSD runs it
/// (`!/usr/sbin/pppoe -i IFACE`, spec/001), which means the same as PPPoE:IFACE here.
Result set_device(Ctx& x) {
  if (x.size() < 3) return x.error("set device: expected PPPoE:INTERFACE[:SERVICE] or a tty path");
  std::string arg = x.word(2);
  for (std::size_t i = 3; i < x.size(); ++i) arg += " " + x.word(i);  // ppp(8) lists devices; the first is used
  Device d;
  if (arg.rfind("PPPoE:", 0) == 0 || arg.rfind("pppoe:", 0) == 0) {
    std::string_view rest = std::string_view(arg).substr(6);
    auto colon = rest.find(':');
    d.kind = DeviceKind::kPppoe;
    d.interface = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) d.service = std::string(rest.substr(colon + 1));
    if (d.interface.empty() || d.interface.size() > 15 || d.interface.find(' ') != std::string::npos)
      return x.error("set device: expected an interface name after PPPoE:");
  } else if (arg.rfind("!", 0) == 0) {
    std::istringstream in(arg.substr(1));
    std::string program, flag;
    in >> program;
    if (program.size() < 5 || program.compare(program.size() - 5, 5, "pppoe") != 0)
      return x.error(fmt::format("set device: cannot run '{}': expected PPPoE:INTERFACE, a tty, or !pppoe -i INTERFACE",
                                 program));
    while (in >> flag) {
      if (flag == "-i") {
        in >> d.interface;
      } else if (flag == "-s" || flag == "-S") {
        std::string ignored;
        if (flag == "-S") in >> ignored;
        x.warn("set device: pppoe(8) " + flag + " ignored: pppoec is the client; pppoed is the server");
      }
    }
    if (d.interface.empty()) return x.error("set device: expected '-i INTERFACE' for pppoe(8)");
    d.kind = DeviceKind::kPppoe;
  } else if (arg.rfind("/", 0) == 0) {
    d.kind = DeviceKind::kSerial;
    d.tty = x.word(2);
  } else {
    return x.error(fmt::format("set device: expected PPPoE:INTERFACE[:SERVICE] or a tty path, got '{}'", arg));
  }
  x.p.device = d;
  return {};
}

Result set_ifaddr(Ctx& x) {
  // set ifaddr [LOCAL[/BITS] [REMOTE[/BITS]|FIRST-LAST [NETMASK [TRIGGER]]]]
  Profile& p = x.p;
  p.ifaddr_set = true;
  if (x.size() >= 3) {
    auto r = parse_address_range(x.word(2));
    if (!r) return x.error(fmt::format("set ifaddr: expected LOCAL[/BITS], got '{}'", x.word(2)));
    p.local = *r;
  }
  if (x.size() >= 4) {
    const std::string& w = x.word(3);
    auto dash = w.find('-');
    if (dash != std::string::npos) {
      auto first = Ipv4Address::parse(std::string_view(w).substr(0, dash));
      auto last = Ipv4Address::parse(std::string_view(w).substr(dash + 1));
      if (!first || !last || *last < *first)
        return x.error(fmt::format("set ifaddr: expected REMOTE as FIRST-LAST with FIRST <= LAST, got '{}'", w));
      p.remote = {*first, 32};
      p.remote_last = *last;
    } else {
      auto r = parse_address_range(w);
      if (!r) return x.error(fmt::format("set ifaddr: expected REMOTE[/BITS] or FIRST-LAST, got '{}'", w));
      p.remote = *r;
      p.remote_last = r->base;
    }
  }
  if (x.size() >= 5) {
    auto m = Ipv4Address::parse(x.word(4));
    if (!m) return x.error(fmt::format("set ifaddr: expected a NETMASK, got '{}'", x.word(4)));
    p.netmask = *m;
  }
  if (x.size() >= 6) {
    auto t = Ipv4Address::parse(x.word(5));
    if (!t) return x.error(fmt::format("set ifaddr: expected a TRIGGER address, got '{}'", x.word(5)));
    p.trigger = *t;
  }
  if (x.size() > 6) return x.error("set ifaddr: expected at most LOCAL REMOTE NETMASK TRIGGER");
  return {};
}

Result set_size(Ctx& x, std::uint16_t& value, bool& max, const char* what) {
  std::size_t i = 2;
  max = false;
  if (i < x.size() && lower(x.word(i)) == "max") {
    max = true;
    ++i;
  }
  if (i + 1 != x.size()) return x.error(fmt::format("set {}: expected [max] N", what));
  auto n = parse_number<unsigned>(x.word(i));
  if (!n || *n < 296 || *n > 9000) return x.error(fmt::format("set {}: expected a size of 296-9000 octets, got '{}'", what, x.word(i)));
  value = static_cast<std::uint16_t>(*n);
  return {};
}

Result set_unsigned(Ctx& x, std::size_t index, unsigned& out, unsigned max, const char* what) {
  if (index >= x.size()) return x.error(fmt::format("{}: expected a number", what));
  auto n = parse_number<unsigned>(x.word(index));
  if (!n || *n > max) return x.error(fmt::format("{}: expected a number of 0-{}, got '{}'", what, max, x.word(index)));
  out = *n;
  return {};
}

Result set_redial(Ctx& x) {
  // set redial SECS[+INC[-MAX]][.NEXT] [ATTEMPTS]   (ppp(8); NEXT, the pause between numbers,
  // has no meaning with one device and is accepted and ignored)
  Profile& p = x.p;
  if (x.size() < 3 || x.size() > 4) return x.error("set redial: expected SECONDS[+INC[-MAX]][.NEXT] [ATTEMPTS]");
  std::string_view spec = x.word(2);
  if (auto dot = spec.find('.'); dot != std::string_view::npos) {
    if (!parse_number<unsigned>(spec.substr(dot + 1))) return x.error("set redial: expected a number after '.'");
    spec = spec.substr(0, dot);
  }
  std::string_view inc, max;
  if (auto plus = spec.find('+'); plus != std::string_view::npos) {
    inc = spec.substr(plus + 1);
    spec = spec.substr(0, plus);
    if (auto dash = inc.find('-'); dash != std::string_view::npos) {
      max = inc.substr(dash + 1);
      inc = inc.substr(0, dash);
    }
  }
  auto secs = parse_number<unsigned>(spec);
  if (!secs || *secs > 86400) return x.error(fmt::format("set redial: expected seconds, got '{}'", x.word(2)));
  p.redial_seconds = *secs;
  p.redial_increment = 0;
  if (!inc.empty()) {
    auto i = parse_number<unsigned>(inc);
    if (!i || *i > 86400) return x.error("set redial: expected an increment after '+'");
    p.redial_increment = *i;
  }
  if (!max.empty()) {
    auto m = parse_number<unsigned>(max);
    if (!m || *m > 86400) return x.error("set redial: expected a maximum after '-'");
    p.redial_max = *m;
  }
  if (x.size() == 4) return set_unsigned(x, 3, p.redial_attempts, 1000000, "set redial");
  return {};
}

Result set_server(Ctx& x) {
  // set server SOCKET|none [PASSWORD [MASK]]
  Profile& p = x.p;
  if (x.size() < 3 || x.size() > 5) return x.error("set server: expected SOCKET [PASSWORD [MASK]] or none");
  if (x.word(2) == "none") {
    p.server_socket.clear();
    return {};
  }
  if (x.word(2).empty() || x.word(2)[0] != '/')
    return x.error(fmt::format("set server: expected an absolute socket path (TCP ports are not offered), got '{}'",
                               x.word(2)));
  p.server_socket = x.word(2);
  p.server_password = x.size() >= 4 ? x.word(3) : std::string();
  if (x.size() == 5) {
    auto m = parse_number<unsigned>(x.word(4), 8);
    if (!m || *m > 0777) return x.error(fmt::format("set server: expected an octal MASK such as 0177, got '{}'", x.word(4)));
    p.server_mask = *m;
  }
  return {};
}

Result set_log(Ctx& x) {
  static const std::set<std::string> kNames = {"async", "cbcp", "ccp", "chat", "command", "connect", "debug",
                                               "dns", "hdlc", "id0", "ipcp", "lcp", "lqm", "phase", "physical",
                                               "radius", "sync", "tcp/ip", "timer", "tun", "warning", "error",
                                               "alert", "all"};
  std::size_t i = 2;
  if (i < x.size() && (lower(x.word(i)) == "local")) ++i;  // the console's own log: the same here
  bool relative = i < x.size() && (x.word(i)[0] == '+' || x.word(i)[0] == '-');
  if (!relative) x.p.log.clear();
  for (; i < x.size(); ++i) {
    std::string w = lower(x.word(i));
    bool remove = !w.empty() && w[0] == '-';
    if (!w.empty() && (w[0] == '+' || w[0] == '-')) w.erase(0, 1);
    if (!kNames.contains(w)) return x.error(fmt::format("set log: unknown log level '{}'", x.word(i)));
    if (remove)
      x.p.log.erase(w);
    else
      x.p.log.insert(w);
  }
  return {};
}

OptionSwitch* option_switch(Profile& p, const std::string& name) {
  if (name == "pap") return &p.pap;
  if (name == "chap" || name == "chap05") return &p.chap;
  if (name == "mschapv2" || name == "chap81") return &p.mschapv2;
  if (name == "dns") return &p.dns;
  if (name == "lqr") return &p.lqr;
  if (name == "echo") return &p.echo;
  if (name == "acfcomp") return &p.acfcomp;
  if (name == "protocomp") return &p.protocomp;
  if (name == "fcs32") return &p.fcs32;
  if (name == "ipv6cp") return &p.ipv6cp;
  if (name == "ipcp") return &p.ipcp;
  return nullptr;
}

Result toggle(Ctx& x, bool enable_side, bool value) {
  if (x.size() < 2) return x.error("expected an option name");
  static const std::set<std::string> kNoMeaning = {"chap80", "chap80lm", "chap80nt", "mschap", "deflate", "pred1",
                                                   "mppe", "shortseq", "vjcomp", "lqr-sync", "sroutes", "idcheck",
                                                   "filter-decapsulation", "force-scripts", "iface-alias",
                                                   "keep-session", "loopback", "passive", "proxy", "proxyall",
                                                   "throughput", "utmp", "nas-ip-address", "nas-identifier",
                                                   "tcpmssfixup", "bacp", "enddisc", "ipv6"};
  for (std::size_t i = 1; i < x.size(); ++i) {
    std::string name = lower(x.word(i));
    if (OptionSwitch* s = option_switch(x.p, name)) {
      (enable_side ? s->enabled : s->accepted) = value;
    } else if (kNoMeaning.contains(name)) {
      if (name == "tcpmssfixup") continue;  // always done here (spec/002's max-mss advice)
      x.warn(fmt::format("{} {}: not supported by pppoec (ignored)", x.word(0), x.word(i)));
    } else {
      return x.error(fmt::format("{}: unknown option '{}' (expected pap, chap, mschapv2, dns, lqr, echo, acfcomp, "
                                 "protocomp, fcs32, ipv6cp or ipcp)",
                                 x.word(0), x.word(i)));
    }
  }
  return {};
}

Result add_route(Ctx& x) {
  // add[!] DEST[/BITS] [MASK] GATEWAY where DEST may be "default" and GATEWAY is HISADDR.
  Route r;
  r.replace = x.word(0) == "add!";
  if (x.size() < 3 || x.size() > 4) return x.error("add: expected default HISADDR or DEST[/BITS] [MASK] HISADDR");
  if (lower(x.word(1)) != "default") {
    auto range = parse_address_range(x.word(1));
    if (!range) return x.error(fmt::format("add: expected a destination, got '{}'", x.word(1)));
    r.destination = range->base;
    r.bits = x.word(1).find('/') == std::string::npos ? 32 : range->bits;
    if (x.size() == 4) {
      auto mask = Ipv4Address::parse(x.word(2));
      if (!mask) return x.error(fmt::format("add: expected a netmask, got '{}'", x.word(2)));
      r.bits = static_cast<std::uint8_t>(__builtin_popcount(mask->value));
    }
  } else if (x.size() != 3) {
    return x.error("add: expected default HISADDR");
  }
  const std::string& gw = x.word(x.size() - 1);
  if (gw == "HISADDR6") {
    if (lower(x.word(1)) != "default") return x.error("add: only the default route may go through HISADDR6");
    r.ipv6 = true;
  } else if (gw != "HISADDR" && gw != "INTERFACE") {
    return x.error(fmt::format("add: expected HISADDR or HISADDR6 as the gateway (the session is point-to-point), got '{}'", gw));
  }
  x.p.routes.push_back(r);
  return {};
}

Result nat(Ctx& x) {
  Profile& p = x.p;
  if (x.size() < 3) return x.error("nat: expected enable|port|deny_incoming ...");
  std::string what = lower(x.word(1));
  auto yes_no = [&](bool& out) -> Result {
    std::string v = lower(x.word(2));
    if (v != "yes" && v != "no") return x.error(fmt::format("nat {}: expected yes or no, got '{}'", what, x.word(2)));
    out = v == "yes";
    return {};
  };
  if (what == "enable") return yes_no(p.nat);
  if (what == "deny_incoming") return yes_no(p.nat_deny_incoming);
  if (what == "port") {
    if (x.size() != 5) return x.error("nat port: expected tcp|udp ADDR:PORT ALIAS_PORT");
    NatPort np;
    np.protocol = lower(x.word(2));
    if (np.protocol != "tcp" && np.protocol != "udp") return x.error("nat port: expected tcp or udp");
    auto colon = x.word(3).find(':');
    auto addr = Ipv4Address::parse(std::string_view(x.word(3)).substr(0, colon));
    std::uint16_t port = 0;
    if (colon != std::string::npos)
      port = parse_number<std::uint16_t>(std::string_view(x.word(3)).substr(colon + 1)).value_or(0);
    auto alias = parse_number<std::uint16_t>(x.word(4));
    if (!addr || port == 0) return x.error(fmt::format("nat port: expected ADDR:PORT, got '{}'", x.word(3)));
    if (!alias || *alias == 0) return x.error(fmt::format("nat port: expected a port number, got '{}'", x.word(4)));
    np.address = *addr;
    np.port = port;
    np.alias_port = *alias;
    p.nat_ports.push_back(np);
    return {};
  }
  static const std::set<std::string> kNoMeaning = {"log", "same_ports", "use_sockets", "unregistered_only",
                                                   "addr", "proto", "proxy", "punch_fw", "skinny_port", "target"};
  if (kNoMeaning.contains(what)) {
    x.warn(fmt::format("nat {}: not supported: nftables masquerading does this its own way (ignored)", x.word(1)));
    return {};
  }
  return x.error(fmt::format("nat: unknown subcommand '{}' (expected enable, port or deny_incoming)", x.word(1)));
}

Result set_pppoe(Ctx& x) {
  // Extensions of ours for PPPoE: set pppoe acname NAME | mac XX:XX:XX:XX:XX:XX | nonstandard yes|no
  if (x.size() != 4) return x.error("set pppoe: expected acname NAME, mac ADDRESS or nonstandard yes|no");
  std::string what = lower(x.word(2));
  if (what == "acname") {
    x.p.ac_name = x.word(3);
    return {};
  }
  if (what == "mac") {
    auto mac = MacAddress::parse(x.word(3));
    if (!mac || mac->is_multicast() || mac->is_zero())
      return x.error(fmt::format("set pppoe mac: expected a unicast MAC address, got '{}'", x.word(3)));
    x.p.mac = *mac;
    return {};
  }
  if (what == "nonstandard") {
    std::string v = lower(x.word(3));
    if (v != "yes" && v != "no") return x.error("set pppoe nonstandard: expected yes or no");
    x.p.nonstandard = v == "yes";
    return {};
  }
  return x.error(fmt::format("set pppoe: unknown setting '{}' (expected acname, mac or nonstandard)", x.word(2)));
}

/// ADDR[:PORT] of the pair's sync channel (port 4791 when not given).
Result pair_endpoint(Ctx& x, Ipv4Address& address, std::uint16_t& port) {
  const std::string& w = x.word(3);
  auto colon = w.find(':');
  auto a = Ipv4Address::parse(w.substr(0, colon));
  std::optional<unsigned> p = colon == std::string::npos ? std::optional<unsigned>(4791) : parse_number<unsigned>(w.substr(colon + 1));
  if (!a || a->is_zero() || !p || *p == 0 || *p > 65535)
    return x.error(fmt::format("set pair {}: expected ADDRESS[:PORT] (IPv4, port 1-65535), got '{}'", x.word(2), w));
  address = *a;
  port = static_cast<std::uint16_t>(*p);
  return {};
}

Result set_pair(Ctx& x) {
  // set pair listen ADDR[:PORT] | peer ADDR[:PORT] | key KEY | vrrp FIFO NAME | interval MS
  if (x.size() < 4) return x.error("set pair: expected listen ADDR[:PORT], peer ADDR[:PORT], key KEY, vrrp FIFO NAME or interval MS");
  PairSettings& pair = x.p.pair;
  if (pair.line == 0) pair.line = x.c.line;
  std::string what = lower(x.word(2));
  if (what == "listen" || what == "peer") {
    if (x.size() != 4) return x.error(fmt::format("set pair {}: expected ADDRESS[:PORT]", what));
    return what == "listen" ? pair_endpoint(x, pair.listen, pair.listen_port) : pair_endpoint(x, pair.peer, pair.peer_port);
  }
  if (what == "key") {
    // HMAC-SHA256 keys its strength on this text: a short one is refused, not warned about.
    if (x.size() != 4 || x.word(3).size() < 16)
      return x.error("set pair key: expected one key of at least 16 characters (quote it if it has blanks)");
    pair.key = x.word(3);
    return {};
  }
  if (what == "vrrp") {
    if (x.size() != 5 || x.word(3).empty() || x.word(3)[0] != '/' || x.word(4).empty())
      return x.error("set pair vrrp: expected FIFO NAME (keepalived's vrrp_notify_fifo as an absolute path, and the "
                     "vrrp_sync_group or vrrp_instance to follow)");
    pair.vrrp_fifo = x.word(3);
    pair.vrrp_name = x.word(4);
    return {};
  }
  if (what == "interval") {
    auto ms = x.size() == 4 ? parse_number<unsigned>(x.word(3)) : std::nullopt;
    if (!ms || *ms < 10 || *ms > 60000)
      return x.error(fmt::format("set pair interval: expected milliseconds from 10 to 60000, got '{}'", x.size() == 4 ? x.word(3) : ""));
    pair.interval_ms = *ms;
    return {};
  }
  return x.error(fmt::format("set pair: unknown setting '{}' (expected listen, peer, key, vrrp or interval)", x.word(2)));
}

Result set_command(Ctx& x) {
  if (x.size() < 2) return x.error("set: expected a setting name");
  Profile& p = x.p;
  std::string what = lower(x.word(1));
  bool serial_only_warning = p.device.kind == DeviceKind::kPppoe;
  if (what == "device" || what == "line" || what == "modem") return set_device(x);
  if (what == "speed") {
    if (x.size() != 3) return x.error("set speed: expected a baud rate or sync");
    if (lower(x.word(2)) == "sync") {
      p.sync = true;
      return {};
    }
    auto baud = parse_number<unsigned>(x.word(2));
    if (!baud || *baud == 0) return x.error(fmt::format("set speed: expected a baud rate or sync, got '{}'", x.word(2)));
    p.speed = *baud;
    if (serial_only_warning) x.warn("set speed: a serial line setting, no meaning on PPPoE (ignored)");
    return {};
  }
  if (what == "authname") {
    if (x.size() != 3) return x.error("set authname: expected one name (quote it if it has blanks)");
    p.authname = x.word(2);
    return {};
  }
  if (what == "authkey" || what == "key") {
    if (x.size() != 3) return x.error("set authkey: expected one key (quote it if it has blanks)");
    p.authkey = x.word(2);
    return {};
  }
  if (what == "ifaddr") return set_ifaddr(x);
  if (what == "mtu") return set_size(x, p.mtu, p.mtu_max, "mtu");
  if (what == "mru") return set_size(x, p.mru, p.mru_max, "mru");
  if (what == "timeout") {
    if (x.size() < 3 || x.size() > 4) return x.error("set timeout: expected IDLE_SECONDS [MIN_SECONDS]");
    return set_unsigned(x, 2, p.idle_timeout, 86400 * 7, "set timeout");
  }
  if (what == "reconnect") {
    if (x.size() != 4) return x.error("set reconnect: expected TIMEOUT NTRIES");
    if (auto r = set_unsigned(x, 2, p.reconnect_timeout, 86400, "set reconnect"); !r) return r;
    return set_unsigned(x, 3, p.reconnect_tries, 1000000, "set reconnect");
  }
  if (what == "redial") return set_redial(x);
  if (what == "lqrperiod") {
    if (x.size() != 3) return x.error("set lqrperiod: expected SECONDS");
    if (auto r = set_unsigned(x, 2, p.lqr_period, 3600, "set lqrperiod"); !r) return r;
    if (p.lqr_period == 0) return x.error("set lqrperiod: expected at least 1 second");
    return {};
  }
  if (what == "echoperiod") {
    if (x.size() != 3) return x.error("set echoperiod: expected SECONDS");
    return set_unsigned(x, 2, p.lqr_period, 3600, "set echoperiod");
  }
  if (what == "server" || what == "socket") return set_server(x);
  if (what == "dial" || what == "login") {
    std::vector<std::string>& script = what == "dial" ? p.dial : p.login;
    script.assign(x.c.words.begin() + 2, x.c.words.end());
    if (auto steps = parse_chat(script); !steps) return x.error(fmt::format("set {}: {}", what, steps.error()));
    if (!script.empty() && serial_only_warning) x.warn(fmt::format("set {}: a chat script has no meaning on PPPoE (ignored)", what));
    return {};
  }
  if (what == "phone") {
    if (x.size() != 3) return x.error("set phone: expected one number");
    p.phone = x.word(2);
    if (serial_only_warning) x.warn("set phone: no meaning on PPPoE (ignored)");
    return {};
  }
  if (what == "log") return set_log(x);
  if (what == "dns") {
    if (x.size() < 3 || x.size() > 4) return x.error("set dns: expected PRIMARY [SECONDARY]");
    auto a = Ipv4Address::parse(x.word(2));
    if (!a) return x.error(fmt::format("set dns: expected an IPv4 address, got '{}'", x.word(2)));
    p.dns_primary = *a;
    if (x.size() == 4) {
      auto b = Ipv4Address::parse(x.word(3));
      if (!b) return x.error(fmt::format("set dns: expected an IPv4 address, got '{}'", x.word(3)));
      p.dns_secondary = *b;
    }
    return {};
  }
  if (what == "accmap") {
    if (x.size() != 3) return x.error("set accmap: expected a 32-bit hex map");
    auto m = parse_number<unsigned>(x.word(2), 16);
    if (!m) return x.error(fmt::format("set accmap: expected hex digits, got '{}'", x.word(2)));
    p.accmap = *m;
    if (serial_only_warning) x.warn("set accmap: async HDLC only, no meaning on PPPoE (ignored)");
    return {};
  }
  if (what == "iface") {
    if (x.size() == 4 && lower(x.word(2)) == "name") {
      if (x.word(3).empty() || x.word(3).size() > 15) return x.error("set iface name: expected 1-15 characters");
      p.ifname = x.word(3);
      return {};
    }
    return x.error("set iface: expected name NAME");
  }
  if (what == "pppoe") return set_pppoe(x);
  if (what == "pair") return set_pair(x);
  static const std::set<std::string> kModemOnly = {"cd", "hangup", "parity", "ctsrts", "openmode",
                                                   "choked", "stopped", "autoload", "bandwidth", "cbcp",
                                                   "ccpretry", "deflate", "encrypt", "enddisc", "filter",
                                                   "mppe", "mrru", "nbns", "radius", "rad_alive", "rad_port_id",
                                                   "sendpipe", "recvpipe", "urgent", "vj", "weight", "proctitle",
                                                   "lcpretry", "ipcpretry", "ipv6cpretry", "chapretry",
                                                   "papretry", "choked", "logout", "hostname"};
  if (kModemOnly.contains(what)) {
    x.warn(fmt::format("set {}: not supported by pppoec (ignored)", x.word(1)));
    return {};
  }
  return x.error(fmt::format("set: unknown setting '{}'", x.word(1)));
}

}  // namespace

std::string ConfError::to_string() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}: {}", file, line, message);
}

std::expected<void, std::string> check_allowed(const Profile& p, unsigned uid, const std::string& name) {
  if (uid == 0 || p.allow_users.empty()) return {};
  for (const std::string& u : p.allow_users)
    if (u == name || u == "*") return {};
  return std::unexpected(fmt::format("user '{}' may not use this profile (allow users {})", name,
                                     fmt::join(p.allow_users, " ")));
}

std::optional<ppp::AddressRange> parse_address_range(std::string_view text) {
  ppp::AddressRange r;
  auto slash = text.find('/');
  auto a = Ipv4Address::parse(text.substr(0, slash));
  if (!a) return std::nullopt;
  r.base = *a;
  r.bits = 32;
  if (slash != std::string_view::npos) {
    auto bits = parse_number<unsigned>(text.substr(slash + 1));
    if (!bits || *bits > 32) return std::nullopt;
    r.bits = static_cast<std::uint8_t>(*bits);
  } else if (a->is_zero()) {
    r.bits = 0;  // 0.0.0.0: any address (ppp(8))
  }
  return r;
}

std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<LogicalLine> out;
  unsigned line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    LogicalLine l{{}, line_no + 1};
    for (;;) {
      auto end = text.find('\n', pos);
      std::string_view phys = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
      pos = end == std::string_view::npos ? text.size() : end + 1;
      ++line_no;
      if (!phys.empty() && phys.back() == '\\' && pos < text.size()) {
        l.text.append(phys.substr(0, phys.size() - 1));
        l.text += ' ';
        continue;
      }
      l.text.append(phys);
      break;
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::expected<std::vector<ConfSection>, ConfError> split_sections(std::string_view text, const std::string& file) {
  std::vector<ConfSection> sections;
  for (const LogicalLine& l : logical_lines(text)) {
    const std::string& logical = l.text;
    unsigned first_line = l.line;
    if (logical.find('\0') != std::string::npos)
      return std::unexpected(ConfError{file, first_line, "expected text, found a NUL character"});
    auto words = split_words(logical);
    if (!words) return std::unexpected(ConfError{file, first_line, "expected " + words.error()});
    if (words->empty()) continue;
    bool indented = logical[0] == ' ' || logical[0] == '\t';
    if (!indented) {
      const std::string& w = words->front();
      if (words->size() != 1 || w.size() < 2 || w.back() != ':')
        return std::unexpected(ConfError{file, first_line,
                                         fmt::format("expected a label ('name:' in column 1) or an indented command, got '{}'",
                                                     w)});
      sections.push_back({w.substr(0, w.size() - 1), {}});
      continue;
    }
    if (sections.empty())
      return std::unexpected(ConfError{file, first_line, "expected a label ('name:') before the first command"});
    sections.back().commands.push_back({std::move(*words), first_line});
  }
  return sections;
}

std::expected<void, ConfError> apply_command(Profile& p, const ConfCommand& c, const std::string& file,
                                             std::vector<ConfError>& warnings) {
  Ctx x{p, c, file, warnings};
  if (c.words.empty()) return {};
  std::string cmd = lower(c.words[0]);
  if (cmd == "set") return set_command(x);
  if (cmd == "enable") return toggle(x, true, true);
  if (cmd == "disable") return toggle(x, true, false);
  if (cmd == "accept") return toggle(x, false, true);
  if (cmd == "deny") return toggle(x, false, false);
  if (cmd == "add" || cmd == "add!") return add_route(x);
  if (cmd == "nat" || cmd == "alias") return nat(x);
  if (cmd == "allow") {
    if (x.size() < 2) return x.error("allow: expected users|modes ...");
    std::string what = lower(x.word(1));
    if (what == "users" || what == "user") {
      p.allow_users.assign(c.words.begin() + 2, c.words.end());
      if (p.allow_users.empty()) return x.error("allow users: expected at least one user name");
      return {};
    }
    if (what == "modes" || what == "mode") {
      x.warn("allow modes: not supported by pppoec (ignored)");
      return {};
    }
    return x.error(fmt::format("allow: expected users or modes, got '{}'", x.word(1)));
  }
  if (cmd == "iface") {
    if (x.size() == 3 && lower(x.word(1)) == "name") {
      if (x.word(2).empty() || x.word(2).size() > 15) return x.error("iface name: expected 1-15 characters");
      p.ifname = x.word(2);
      return {};
    }
    if (x.size() >= 2 && (lower(x.word(1)) == "clear" || lower(x.word(1)) == "add")) {
      x.warn(fmt::format("iface {}: not supported by pppoec (ignored)", x.word(1)));
      return {};
    }
    return x.error("iface: expected name NAME");
  }
  if (cmd == "load" || cmd == "dial" || cmd == "open" || cmd == "close" || cmd == "delete" || cmd == "shell" ||
      cmd == "!" || cmd == "bg" || cmd == "!bg" || cmd == "ident" || cmd == "sendident" || cmd == "term" ||
      cmd == "resolv" || cmd == "clone" || cmd == "link" || cmd == "remove" || cmd == "rename") {
    x.warn(fmt::format("{}: an interactive command, not supported in ppp.conf by pppoec (ignored)", c.words[0]));
    return {};
  }
  return x.error(fmt::format("unknown command '{}' (expected set, enable, disable, accept, deny, add, nat, allow or iface)",
                             c.words[0]));
}

namespace {
/// A pair needs all of its parts, and the shared MAC that lets either router be the session's
/// end (spec/004: a locally administered address that neither router's NIC has).
std::expected<void, ConfError> check_pair(const Profile& p, const std::string& file) {
  const PairSettings& pair = p.pair;
  if (!pair.enabled()) return {};
  auto missing = [&](const char* what) {
    return std::unexpected(ConfError{file, pair.line, fmt::format("set pair: expected also {} in this profile", what)});
  };
  if (pair.listen.is_zero()) return missing("set pair listen ADDR[:PORT]");
  if (pair.peer.is_zero()) return missing("set pair peer ADDR[:PORT]");
  if (pair.key.empty()) return missing("set pair key KEY");
  if (pair.vrrp_fifo.empty()) return missing("set pair vrrp FIFO NAME");
  if (!p.mac) return missing("set pppoe mac ADDRESS (the MAC both routers share)");
  if ((p.mac->octets[0] & 0x02) == 0)
    return std::unexpected(ConfError{file, pair.line,
                                     fmt::format("set pair: expected a locally administered shared MAC (second-lowest bit "
                                                 "of the first octet set, e.g. 02:...), got {}",
                                                 p.mac->to_string())});
  if (p.device.kind != DeviceKind::kPppoe) return missing("set device PPPoE:INTERFACE (a pair shares a PPPoE session)");
  return {};
}
}  // namespace

std::expected<LoadedProfile, ConfError> load_profile(std::string_view text, const std::string& file,
                                                     const std::vector<std::string>& labels) {
  auto sections = split_sections(text, file);
  if (!sections) return std::unexpected(sections.error());
  LoadedProfile out;
  auto apply = [&](const std::string& label, bool required) -> std::expected<void, ConfError> {
    bool found = false;
    for (const ConfSection& s : *sections) {
      if (s.label != label) continue;
      found = true;
      for (const ConfCommand& c : s.commands)
        if (auto r = apply_command(out.profile, c, file, out.warnings); !r) return r;
    }
    if (!found && required) return std::unexpected(ConfError{file, 0, fmt::format("label '{}' not found", label)});
    if (found) out.profile.labels.push_back(label);
    return {};
  };
  if (auto r = apply("default", false); !r) return std::unexpected(r.error());
  for (const std::string& l : labels)
    if (l != "default")
      if (auto r = apply(l, true); !r) return std::unexpected(r.error());
  if (auto r = check_pair(out.profile, file); !r) return std::unexpected(r.error());
  return out;
}

std::expected<LoadedProfile, ConfError> load_profile_file(const std::string& path,
                                                          const std::vector<std::string>& labels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(ConfError{path, 0, "cannot be read"});
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (std::size_t{4} << 20)) return std::unexpected(ConfError{path, 0, "larger than 4 MiB"});
  return load_profile(text.str(), path, labels);
}

}  // namespace pppoe::pppoec
