#include "pppoec/nat.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace pppoe::pppoec {
namespace {

/// Runs `nft -f -` with `script` on its standard input; the error text is nft's own.
std::expected<void, std::string> run_nft(const std::string& script) {
  std::string command = "nft -f - 2>&1";
  FILE* nft = ::popen(command.c_str(), "w");
  if (!nft) return std::unexpected(fmt::format("nft: {}", std::strerror(errno)));
  std::fwrite(script.data(), 1, script.size(), nft);
  int status = ::pclose(nft);
  if (status == -1) return std::unexpected(fmt::format("nft: {}", std::strerror(errno)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return std::unexpected(fmt::format("nft failed (exit {}) on:\n{}", WIFEXITED(status) ? WEXITSTATUS(status) : -1, script));
  return {};
}

}  // namespace

std::string nat_table(const std::string& ifname) {
  std::string name = "pppoec_";
  for (char c : ifname) name += (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') ? c : '_';
  return name;
}

std::string nat_ruleset(const Profile& p, const std::string& ifname) {
  std::string t = nat_table(ifname);
  // "table" first creates it when absent, so that "delete" always succeeds: one atomic script
  // replaces whatever an earlier run (or a crash) left.
  std::string s = fmt::format("table ip {0}\ndelete table ip {0}\ntable ip {0} {{\n", t);
  s += " chain postrouting {\n  type nat hook postrouting priority srcnat; policy accept;\n";
  s += fmt::format("  oifname \"{}\" masquerade\n }}\n", ifname);
  s += " chain prerouting {\n  type nat hook prerouting priority dstnat; policy accept;\n";
  for (const NatPort& np : p.nat_ports)
    s += fmt::format("  iifname \"{}\" {} dport {} dnat to {}:{}\n", ifname, np.protocol, np.alias_port,
                     np.address.to_string(), np.port);
  s += " }\n";
  if (p.nat_deny_incoming) {
    // ppp(8)'s deny_incoming: what arrives on the session and starts a connection is dropped,
    // unless a `nat port` forward asked for it (conntrack marks those as dnat).
    for (const char* hook : {"input", "forward"})
      s += fmt::format(
          " chain {0} {{\n  type filter hook {0} priority filter; policy accept;\n"
          "  iifname \"{1}\" ct status dnat accept\n"
          "  iifname \"{1}\" ct state new counter drop\n }}\n",
          hook, ifname);
  }
  s += "}\n";
  return s;
}

std::expected<void, std::string> nat_install(const Profile& p, const std::string& ifname) {
  if (!p.nat) return {};
  return run_nft(nat_ruleset(p, ifname));
}

std::expected<void, std::string> nat_remove(const std::string& ifname) {
  std::string t = nat_table(ifname);
  return run_nft(fmt::format("table ip {0}\ndelete table ip {0}\n", t));
}

}  // namespace pppoe::pppoec
