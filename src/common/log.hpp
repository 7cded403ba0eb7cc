// Logging: levels, per-subsystem debug switches settable at run time, and a rate-limited
// variant for lines caused by untrusted input (one bad CPE must not flood the log).
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace pppoe::log {

enum class Level : std::uint8_t { kDebug, kInfo, kWarn, kError };

void set_level(Level level);
Level level();
void set_program(std::string_view name);
/// Lines to syslog(3) (facility daemon, the program name as ident, the level as priority)
/// instead of standard error; for hosts without the journal.
void use_syslog(bool on);
void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::kDebug) write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::kInfo) write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}

/// Token bucket for log lines: at most `burst` lines, refilled at `per_second`.
/// Suppressed lines are counted and reported with the next line that passes.
class RateLimit {
 public:
  RateLimit(double per_second, double burst) : rate_(per_second), burst_(burst), tokens_(burst) {}
  /// Returns true if a line may be written now; `suppressed` receives how many were dropped since.
  bool allow(std::uint64_t& suppressed);

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t suppressed_ = 0;
};

template <typename... Args>
void warn_limited(RateLimit& limit, fmt::format_string<Args...> f, Args&&... args) {
  std::uint64_t suppressed = 0;
  if (!limit.allow(suppressed)) return;
  auto line = fmt::format(f, std::forward<Args>(args)...);
  if (suppressed > 0) line += fmt::format(" ({} similar suppressed)", suppressed);
  write(Level::kWarn, line);
}

}  // namespace pppoe::log
