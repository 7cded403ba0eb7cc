#include "master/service_notify.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <fmt/format.h>

namespace pppoe::master {

ServiceNotifier::ServiceNotifier() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0) watchdog_usec_ = usec;
}

void ServiceNotifier::ready(const std::string& status) const {
  sd_notify(0, fmt::format("READY=1\nSTATUS={}", status).c_str());
}

void ServiceNotifier::status(const std::string& status) const { sd_notify(0, fmt::format("STATUS={}", status).c_str()); }

void ServiceNotifier::watchdog() const {
  if (watchdog_usec_ != 0) sd_notify(0, "WATCHDOG=1");
}

void ServiceNotifier::reloading() const {
  // systemd 253's Type=notify-reload wants the time of the reload request with RELOADING=1.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  std::uint64_t usec = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000;
  sd_notify(0, fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec).c_str());
}

void ServiceNotifier::stopping() const { sd_notify(0, "STOPPING=1"); }

}  // namespace pppoe::master
