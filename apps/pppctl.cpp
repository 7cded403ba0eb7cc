// pppctl: commands to a running pppoec through its `set server` socket, as pppctl(8) does for
// ppp(8):
//
//   pppctl [-p PASSWORD] [-j] SOCKET COMMAND [ARGS...]      e.g. pppctl -p '' /run/pppoe show iface
//
// Several commands may be separated by ';'. Exit codes: 0 done, 1 refused, 2 usage, 3 no daemon.
#include <cstdio>
#include <string>
#include <vector>

#include "common/join.hpp"
#include "ctl/control_socket.hpp"

namespace {
constexpr const char* kUsage = "usage: pppctl [-p PASSWORD] [-j] SOCKET COMMAND [ARGS...][; COMMAND ...]\n";
constexpr const char* kHelp =
    "pppctl: commands to a running pppoec through its control socket (`set server`)\n\n"
    "  -p PASSWORD  the socket's password ('' when it has none)\n"
    "  -j, --json   print each whole answer as JSON\n"
    "  -v, -t N     accepted as pppctl(8) does; the timeout is fixed\n"
    "  --help       print this help and exit\n"
    "  --version    print the version and exit\n\n"
    "Commands: show iface|lcp|ipcp|link|pair, dial, close, bye [all], quit [all]; several separated\n"
    "by ';'. Exit status: 0 done, 1 a command refused, 2 usage, 3 no daemon on SOCKET. See pppctl(8).\n";
}  // namespace

int main(int argc, char** argv) {
  std::string password, socket;
  bool json = false;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (socket.empty() && a == "--help") {
      std::fputs(kUsage, stdout);
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (socket.empty() && a == "--version") {
      std::puts("pppctl " PPPOE_VERSION);
      return 0;
    }
    if (a == "-p" && i + 1 < argc) {
      password = argv[++i];
    } else if (a == "-j" || a == "--json") {
      json = true;
    } else if (a == "-v" || a == "-t") {
      if (a == "-t" && i + 1 < argc) ++i;  // pppctl(8)'s timeout: ours is fixed
    } else if (socket.empty()) {
      socket = a;
    } else {
      words.push_back(a);
    }
  }
  if (socket.empty() || words.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::vector<std::string> commands(1);
  for (const std::string& w : words) {
    if (w == ";") {
      commands.emplace_back();
      continue;
    }
    pppoe::append_joined(commands.back(), " ", w);
  }
  int rc = 0;
  for (const std::string& line : commands) {
    if (line.empty()) continue;
    pppoe::ctl::Json req = {{"cmd", "command"}, {"line", line}, {"password", password}};
    auto res = pppoe::ctl::request(socket, req);
    if (!res) {
      std::fprintf(stderr, "pppctl: %s: %s\n", socket.c_str(), res.error().c_str());
      return 3;
    }
    if (!res->value("ok", false)) {
      std::fprintf(stderr, "pppctl: %s\n", pppoe::ctl::text_field(*res, "error").c_str());
      rc = 1;
      continue;
    }
    if (json)
      std::printf("%s\n", pppoe::ctl::to_text(*res).c_str());
    else
      std::fputs(pppoe::ctl::text_field(*res, "text").c_str(), stdout);
  }
  return rc;
}
