// Time as an injected value: state machines receive `TimePoint now` instead of reading a clock,
// so every timer transition is testable without sleeps (style.md habit 5).
#pragma once

#include <chrono>

namespace pppoe {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;
using std::chrono::milliseconds;
using std::chrono::seconds;

}  // namespace pppoe
