#include "common/log.hpp"

#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

namespace pppoe::log {
namespace {
std::atomic<Level> g_level{Level::kInfo};
std::string g_program = "pppoe";
pid_t g_pid = 0;  ///< cached: a getpid() per line was a system call per session in the setup path
bool g_syslog = false;

const char* level_name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "?";
}
}  // namespace

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }
void set_program(std::string_view name) {
  g_program = name;
  g_pid = ::getpid();  // every process that logs names itself first, workers after their fork
  if (g_syslog) ::openlog(g_program.c_str(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void use_syslog(bool on) {
  if (on && !g_syslog) ::openlog(g_program.c_str(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
  if (!on && g_syslog) ::closelog();
  g_syslog = on;
}

void write(Level l, std::string_view message) {
  if (g_syslog) {
    static constexpr int kPriority[] = {LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR};
    ::syslog(kPriority[static_cast<int>(l)], "%.*s", static_cast<int>(message.size()), message.data());
    return;
  }
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &t);
  // One write per line so lines from several processes do not interleave.
  auto line = fmt::format("{}.{:03d}Z {}[{}] {}: {}\n", when, ts.tv_nsec / 1000000, g_program,
                          g_pid != 0 ? g_pid : ::getpid(), level_name(l), message);
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

bool RateLimit::allow(std::uint64_t& suppressed) {
  auto now = std::chrono::steady_clock::now();
  if (last_.time_since_epoch().count() != 0) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  }
  last_ = now;
  if (tokens_ < 1.0) {
    ++suppressed_;
    return false;
  }
  tokens_ -= 1.0;
  suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace pppoe::log
