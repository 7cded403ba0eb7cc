// pppoec: the subscriber's PPP client daemon for PPPoE, in the ppp(8) tradition.
//
//   pppoec [-f ppp.conf] [-ddial|-auto|-foreground|-direct] [--state FILE] [--resolv-conf FILE]
//          [--check] [-v] LABEL...
//
// The labels are applied in order after `default:` (ppp(8)); one process holds one session.
// A file named hostname.IFNAME is read as OpenBSD's pppoe(4) configuration instead, e.g.
// `pppoec -f /etc/hostname.pppoe0` (hostname_if.hpp).
// See docs/pppoec.8.md.
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "common/join.hpp"
#include "common/log.hpp"
#include "pppoec/conf_parser.hpp"
#include "pppoec/daemon.hpp"
#include "pppoec/hostname_if.hpp"
#include "pppoec/serial_daemon.hpp"

namespace {

/// The usage line: on stderr with `why` (exit 2), on stdout for --help (exit 0).
int usage(const char* why) {
  std::FILE* out = why ? stderr : stdout;
  if (why) std::fprintf(stderr, "pppoec: %s\n", why);
  std::fprintf(out,
               "usage: pppoec [-f ppp.conf] [-ddial|-auto|-foreground|-direct] [--state FILE|--no-state]\n"
               "              [--resolv-conf FILE] [--no-io-uring] [--check] [-v] LABEL...\n"
               "       pppoec --help | --version\n");
  if (!why) std::fprintf(out, "The subscriber's PPPoE client daemon for ppp(8)'s ppp.conf profiles; see pppoec(8).\n");
  return why ? 2 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pppoe;
  pppoec::DaemonOptions options;
  options.conf_path = "/etc/ppp/ppp.conf";
  std::vector<std::string> labels;
  std::string state;
  bool no_state = false, check = false, direct = false, mode_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* what) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)what;
      return argv[++i];
    };
    if (a == "-f") {
      const char* v = value("file");
      if (!v) return usage("-f needs a file");
      options.conf_path = v;
    } else if (a == "-ddial" || a == "--ddial") {
      options.mode = pppoec::Mode::kDdial;
      mode_given = true;
    } else if (a == "-auto" || a == "--auto") {
      options.mode = pppoec::Mode::kAuto;
      mode_given = true;
    } else if (a == "-foreground" || a == "--foreground" || a == "-background") {
      options.mode = pppoec::Mode::kForeground;
      mode_given = true;
    } else if (a == "-direct" || a == "--direct") {
      direct = true;
    } else if (a == "--state") {
      const char* v = value("file");
      if (!v) return usage("--state needs a file");
      state = v;
    } else if (a == "--no-state") {
      no_state = true;
    } else if (a == "--resolv-conf") {
      const char* v = value("file");
      if (!v) return usage("--resolv-conf needs a file");
      options.resolv_conf = v;
    } else if (a == "--no-io-uring") {
      options.use_io_uring = false;
    } else if (a == "--check") {
      check = true;
    } else if (a == "-v" || a == "--verbose") {
      log::set_level(log::Level::kDebug);
    } else if (a == "-h" || a == "--help") {
      return usage(nullptr);
    } else if (a == "--version") {
      std::puts("pppoec " PPPOE_VERSION);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      return usage(("unknown option " + a).c_str());
    } else {
      labels.push_back(a);
    }
  }
  bool openbsd = pppoec::is_hostname_if(options.conf_path);
  if (labels.empty() && !openbsd) return usage("expected a LABEL of ppp.conf");
  log::set_program("pppoec");

  std::expected<pppoec::LoadedProfile, pppoec::ConfError> loaded;
  if (openbsd) {
    // OpenBSD's /etc/hostname.pppoeN (pppoe(4)): link1 selects dial on demand unless a mode
    // was given on the command line.
    auto h = pppoec::load_hostname_if_file(options.conf_path);
    if (!h) {
      std::fprintf(stderr, "pppoec: %s\n", h.error().to_string().c_str());
      return 2;
    }
    if (!mode_given) options.mode = h->dial_on_demand ? pppoec::Mode::kAuto : pppoec::Mode::kDdial;
    labels = h->loaded.profile.labels;
    loaded = std::move(h->loaded);
  } else {
    loaded = pppoec::load_profile_file(options.conf_path, labels);
  }
  if (!loaded) {
    std::fprintf(stderr, "pppoec: %s\n", loaded.error().to_string().c_str());
    return 2;
  }
  for (const auto& w : loaded->warnings) std::fprintf(stderr, "pppoec: warning: %s\n", w.to_string().c_str());
  {
    const passwd* pw = ::getpwuid(::getuid());
    if (auto allowed = pppoec::check_allowed(loaded->profile, ::getuid(), pw ? pw->pw_name : std::to_string(::getuid()));
        !allowed) {
      std::fprintf(stderr, "pppoec: %s: %s\n", options.conf_path.c_str(), allowed.error().c_str());
      return 2;
    }
  }
  if (loaded->profile.device.kind == pppoec::DeviceKind::kNone && !direct) {
    std::fprintf(stderr, "pppoec: %s: labels %s set no device (expected set device PPPoE:INTERFACE)\n",
                 options.conf_path.c_str(), labels.back().c_str());
    return 2;
  }
  if (check) {
    std::printf("%s: labels ok\n", options.conf_path.c_str());
    return 0;
  }
  // One daemon per interface: a second would attach another queue to the same (persistent,
  // multi-queue) TUN and both would serve it. The lock goes with the process, crash or not.
  std::error_code ec;
  std::filesystem::create_directories("/run/pppoec", ec);
  // Interface names are per network namespace: the namespace's inode is part of the name.
  struct stat netns {};
  std::string ns;
  if (::stat("/proc/self/ns/net", &netns) == 0) append_joined(ns, ".", std::to_string(netns.st_ino));
  std::string lock_path = "/run/pppoec/" + loaded->profile.ifname + ns + ".lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    std::fprintf(stderr, "pppoec: %s: %s\n", loaded->profile.ifname.c_str(),
                 lock_fd < 0 ? std::strerror(errno) : "another pppoec runs this interface");
    return 3;
  }
  if (direct || loaded->profile.device.kind == pppoec::DeviceKind::kSerial) {
    // A serial line or PPP on standard input/output (the dial-in server).
    auto serial = pppoec::SerialDaemon::create(std::move(loaded->profile), options, direct);
    if (!serial) {
      std::fprintf(stderr, "pppoec: %s\n", serial.error().c_str());
      return 3;
    }
    return (*serial)->run();
  }
  if (!no_state) {
    if (state.empty()) {
      std::filesystem::create_directories("/var/lib/pppoec", ec);
      state = "/var/lib/pppoec/" + labels.back() + ".state";
    }
    options.state_path = state;
  }
  auto daemon = pppoec::Daemon::create(std::move(loaded->profile), options);
  if (!daemon) {
    std::fprintf(stderr, "pppoec: %s\n", daemon.error().c_str());
    return 3;
  }
  return (*daemon)->run();
}
