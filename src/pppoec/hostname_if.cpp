#include "pppoec/hostname_if.hpp"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pppoe::pppoec {
namespace {

/// Splits a hostname.if line: blanks separate; 'single' and "double" quotes group.
std::expected<std::vector<std::string>, std::string> words_of(std::string_view line) {
  std::vector<std::string> out;
  std::string w;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        w += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '#') {
      break;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) out.push_back(w);
      w.clear();
      in_word = false;
    } else {
      w += c;
      in_word = true;
    }
  }
  if (quote) return std::unexpected(fmt::format("a closing {}", quote));
  if (in_word) out.push_back(w);
  return out;
}

}  // namespace

bool is_hostname_if(const std::string& path) {
  return std::filesystem::path(path).filename().string().rfind("hostname.", 0) == 0;
}

std::expected<LoadedHostnameIf, ConfError> load_hostname_if(std::string_view text, const std::string& file,
                                                            const std::string& ifname) {
  LoadedHostnameIf out;
  Profile& p = out.loaded.profile;
  p.ifname = ifname;
  p.labels = {ifname};
  p.device.kind = DeviceKind::kNone;
  // pppoe(4) accepts whatever the AC asks among what it knows, unless authproto narrows it.
  for (const LogicalLine& l : logical_lines(text)) {
    const std::string& logical = l.text;
    unsigned first = l.line;
    auto err = [&](std::string m) { return std::unexpected(ConfError{file, first, std::move(m)}); };
    std::size_t start = logical.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    if (logical[start] == '!') {
      // Commands run when the interface is configured; the route to the session is what
      // pppoe(4) setups use them for.
      auto w = words_of(std::string_view(logical).substr(start + 1));
      if (!w) return err("expected " + w.error());
      const auto& v = *w;
      // route add [-inet6] default -ifp IF [GATEWAY]
      std::vector<std::string> args(v.begin() + (v.empty() ? 0 : 1), v.end());
      bool inet6 = !args.empty() && args.size() > 1 && args[1] == "-inet6";
      if (inet6) args.erase(args.begin() + 1);
      bool route = !v.empty() && std::filesystem::path(v[0]).filename() == "route" && args.size() >= 4 &&
                   args[0] == "add" && args[1] == "default" && args[2] == "-ifp" && args[3] == ifname;
      if (route) {
        inet6 = inet6 || (args.size() > 4 && args[4].find(':') != std::string::npos);  // an IPv6 gateway: fe80::
        Route r;
        r.ipv6 = inet6;
        p.routes.push_back(r);
        continue;
      }
      out.loaded.warnings.push_back({file, first, fmt::format("'!{}': only 'route add default -ifp {}' is translated (ignored)",
                                                             logical.substr(start + 1), ifname)});
      continue;
    }
    auto w = words_of(logical);
    if (!w) return err("expected " + w.error());
    const auto& v = *w;
    if (v.empty()) continue;  // a comment (found by fuzz_pppoec: "#..." continued with a backslash)
    std::size_t i = 0;
    if (v[0] == "inet6") {
      if (v.size() == 2 && v[1] == "eui64") continue;
      return err("expected 'inet6 eui64' (IPv6CP gives the session an EUI-64 link-local address)");
    }
    if (v[0] == "inet") {
      // inet ADDR|NONE [NETMASK|NONE] [DEST] then options
      i = 1;
      auto addr = [&](const std::string& s) -> std::optional<Ipv4Address> { return Ipv4Address::parse(s); };
      if (i < v.size() && v[i] != "NONE" && addr(v[i])) {
        Ipv4Address a = *addr(v[i]);
        p.local = {a, static_cast<std::uint8_t>(a.is_zero() ? 0 : 32)};  // 0.0.0.0: wildcard
        ++i;
      } else if (i < v.size() && v[i] == "NONE") {
        ++i;
      }
      if (i < v.size() && (v[i] == "NONE" || addr(v[i]))) ++i;  // netmask: a point-to-point link has none to speak of
      if (i < v.size() && addr(v[i])) {
        Ipv4Address d = *addr(v[i]);
        p.remote = {d, static_cast<std::uint8_t>(d.value == 1 ? 0 : 32)};  // 0.0.0.1: wildcard
        p.remote_last = d;
        ++i;
      }
      p.ifaddr_set = true;
    }
    for (; i < v.size(); ++i) {
      const std::string& k = v[i];
      auto value = [&]() -> std::optional<std::string> {
        if (i + 1 >= v.size()) return std::nullopt;
        return v[++i];
      };
      if (k == "pppoedev") {
        auto d = value();
        if (!d || d->empty() || d->size() > 15) return err("pppoedev: expected an Ethernet interface");
        p.device.kind = DeviceKind::kPppoe;
        p.device.interface = *d;
      } else if (k == "pppoesvc") {
        auto s = value();
        if (!s) return err("pppoesvc: expected a service name");
        p.device.service = *s;
      } else if (k == "pppoeac") {
        auto s = value();
        if (!s) return err("pppoeac: expected an AC name");
        p.ac_name = *s;
      } else if (k == "authproto") {
        auto a = value();
        if (!a || (*a != "pap" && *a != "chap" && *a != "none"))
          return err("authproto: expected pap, chap or none");
        p.pap.accepted = *a == "pap";
        p.chap.accepted = *a == "chap";
        p.mschapv2.accepted = false;
      } else if (k == "authname") {
        auto a = value();
        if (!a) return err("authname: expected a name");
        p.authname = *a;
      } else if (k == "authkey") {
        auto a = value();
        if (!a) return err("authkey: expected a key");
        p.authkey = *a;
      } else if (k == "mtu") {
        auto m = value();
        unsigned n = 0;
        if (!m || std::from_chars(m->data(), m->data() + m->size(), n).ec != std::errc{} || n < 296 || n > 9000)
          return err("mtu: expected 296-9000");
        p.mtu = static_cast<std::uint16_t>(n);
        p.mru = p.mtu;
      } else if (k == "link1") {
        out.dial_on_demand = true;
      } else if (k == "-link1") {
        out.dial_on_demand = false;
      } else if (k == "link0") {
        return err("link0 (pppoe(4) server mode): pppoec is the client; run pppoed for the server");
      } else if (k == "peerproto" || k == "peername" || k == "peerkey") {
        if (!value()) return err(k + ": expected a value");
        out.loaded.warnings.push_back({file, first, k + ": authenticating the AC is not supported (ignored)"});
      } else if (k == "up" || k == "debug" || k == "-debug" || k == "-link0" || k == "-link2" || k == "link2") {
        continue;
      } else if (k == "dest") {
        auto d = value();
        auto a = d ? Ipv4Address::parse(*d) : std::nullopt;
        if (!a) return err("dest: expected an address");
        p.remote = {*a, static_cast<std::uint8_t>(a->value == 1 ? 0 : 32)};
      } else {
        return err(fmt::format("unknown word '{}' (expected inet, pppoedev, authproto, authname, authkey, mtu, link1, up)", k));
      }
    }
  }
  if (p.device.kind != DeviceKind::kPppoe) return std::unexpected(ConfError{file, 0, "expected pppoedev INTERFACE"});
  return out;
}

std::expected<LoadedHostnameIf, ConfError> load_hostname_if_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(ConfError{path, 0, "cannot be read"});
  std::ostringstream text;
  text << in.rdbuf();
  std::string name = std::filesystem::path(path).filename().string().substr(9);
  if (name.empty() || name.size() > 15) return std::unexpected(ConfError{path, 0, "expected hostname.IFNAME"});
  return load_hostname_if(text.str(), path, name);
}

}  // namespace pppoe::pppoec
