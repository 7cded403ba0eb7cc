// systemd's service notifications (sd_notify(3), libsystemd): READY=1 once discovery answers,
// a one-line STATUS=, WATCHDOG=1 from the master's loop (a stuck loop gets restarted after
// WatchdogSec=), RELOADING=1 with MONOTONIC_USEC= around a reload, STOPPING=1 at the end.
// Without NOTIFY_SOCKET (not started by systemd) every call does nothing.
#pragma once

#include <cstdint>
#include <string>

namespace pppoe::master {

class ServiceNotifier {
 public:
  ServiceNotifier();
  /// Whether systemd asked for keep-alives (WatchdogSec=).
  [[nodiscard]] bool watchdog_enabled() const { return watchdog_usec_ != 0; }
  void ready(const std::string& status) const;
  void status(const std::string& status) const;
  void watchdog() const;
  void reloading() const;
  void stopping() const;

 private:
  std::uint64_t watchdog_usec_ = 0;
};

}  // namespace pppoe::master
