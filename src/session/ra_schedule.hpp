// When a session's Router Advertisements go out (RFC 4861 section 6.2.4 and 6.2.6): the first
// at once when IPv6CP opens, two more at most 16 s apart (MAX_INITIAL_RTR_ADVERTISEMENTS), then
// one at a random time between MinRtrAdvInterval and MaxRtrAdvInterval; a Router Solicitation
// is answered at once, but not within MIN_DELAY_BETWEEN_RAS (3 s) of the last one. Pure time
// arithmetic (the worker sends), 24 bytes a session.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/clock.hpp"

namespace pppoe::session {

class RaSchedule {
 public:
  static constexpr unsigned kInitialAdvertisements = 3;
  static constexpr std::chrono::seconds kMaxInitialInterval{16};
  static constexpr std::chrono::seconds kMinDelayBetween{3};

  /// IPv6CP opened: the first advertisement is due now.
  void start(TimePoint now) {
    next_ = now;
    initial_left_ = kInitialAdvertisements;
    last_sent_ = TimePoint{};
  }
  void stop() { next_.reset(); }
  [[nodiscard]] bool running() const { return next_.has_value(); }
  [[nodiscard]] std::optional<TimePoint> next() const { return next_; }
  [[nodiscard]] bool due(TimePoint now) const { return next_ && now >= *next_; }

  /// An advertisement went out at `now`: the next unsolicited one. `max_interval` is
  /// MaxRtrAdvInterval; `random` any 32-bit random number (spreads sessions apart).
  void sent(TimePoint now, std::chrono::seconds max_interval, std::uint32_t random) {
    if (!next_) return;
    last_sent_ = now;
    // Section 6.2.1: MinRtrAdvInterval defaults to 0.33 * MaxRtrAdvInterval.
    auto max_ms = std::chrono::duration_cast<std::chrono::milliseconds>(max_interval).count();
    auto min_ms = max_ms / 3;
    if (initial_left_ > 0) --initial_left_;
    if (initial_left_ > 0) max_ms = std::min<std::int64_t>(max_ms, std::chrono::milliseconds(kMaxInitialInterval).count());
    min_ms = std::min(min_ms, max_ms);
    auto span = static_cast<std::uint64_t>(max_ms - min_ms) + 1;
    next_ = now + std::chrono::milliseconds(min_ms + static_cast<std::int64_t>(random % span));
  }

  /// A Router Solicitation at `now`: true if it is to be answered now (the answer then
  /// counts as sent()), false when the last advertisement is under 3 s old.
  [[nodiscard]] bool solicited(TimePoint now) const {
    return next_ && (last_sent_ == TimePoint{} || now - last_sent_ >= kMinDelayBetween);
  }

 private:
  std::optional<TimePoint> next_;
  TimePoint last_sent_{};
  std::uint8_t initial_left_ = 0;
};

}  // namespace pppoe::session
