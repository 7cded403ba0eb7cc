// Time as an injected value: state machines receive `TimePoint now` instead of reading a clock,
// so every timer transition is testable without sleeps (style.md habit 5).
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>

namespace pppoe {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

/// Wall-clock milliseconds since 1970 (for records and displays, never for timers).
inline std::int64_t unix_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace pppoe
