// Per-session budget for PPP control frames (LCP, PAP, CHAP, IPCP, IPv6CP): a token bucket of
// `rate` frames per second with a burst of twice that. A whole negotiation takes about fifteen
// frames and keep-alive one per interval, so only a peer that loops (a Configure-Request storm,
// a renegotiation loop) or floods meets the limit; its excess is dropped before the state
// machines run and costs the worker, and so every other session on it, almost nothing.
#pragma once

#include <algorithm>
#include <chrono>

#include "common/clock.hpp"

namespace pppoe::session {

class ControlBudget {
 public:
  /// True if one more control frame may be processed now; `rate` 0 means no limit.
  bool take(unsigned rate, TimePoint now) {
    if (rate == 0) return true;
    const float burst = 2.0F * static_cast<float>(rate);
    if (tokens_ < 0) {
      tokens_ = burst;  // first frame of the session
    } else {
      float elapsed = std::chrono::duration<float>(now - last_).count();
      tokens_ = std::min(burst, tokens_ + std::max(0.0F, elapsed) * static_cast<float>(rate));
    }
    last_ = now;
    if (tokens_ < 1.0F) return false;
    tokens_ -= 1.0F;
    return true;
  }

 private:
  float tokens_ = -1.0F;
  TimePoint last_{};
};

}  // namespace pppoe::session
