// Session timers in a hashed timing wheel (Varghese and Lauck, "Hashed and hierarchical timing
// wheels", 1987): 128 slots of 100 ms. A tick looks only at the entries of its own slot, so its
// cost follows the number of timers due, not the number of sessions; a timer further out than
// the wheel spans (12.8 s) waits in its slot and is looked at once per revolution.
//
// Cancelling is lazy: the owner remembers the tick it scheduled an entry for and ignores fired
// entries that no longer match, which keeps entries to 4 + 8 octets and removal free.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "common/clock.hpp"

namespace pppoe::worker {

class TimerWheel {
 public:
  using Tick = std::uint64_t;
  static constexpr Tick kNever = std::numeric_limits<Tick>::max();
  static constexpr Duration kResolution = milliseconds(100);
  static constexpr std::size_t kSlots = 128;

  explicit TimerWheel(TimePoint origin) : origin_(origin) {}

  /// The first tick at or after `t`: an entry never fires before its time.
  [[nodiscard]] Tick tick_of(TimePoint t) const {
    if (t <= origin_) return 0;
    auto d = t - origin_;
    return static_cast<Tick>((d + kResolution - Duration(1)) / kResolution);
  }
  /// The next tick advance() will process; anything scheduled earlier fires then.
  [[nodiscard]] Tick next_tick() const { return next_; }

  /// Schedules `id` for `due` (clamped to the next unprocessed tick).
  void schedule(std::uint16_t id, Tick due) {
    if (due < next_) due = next_;
    slots_[due % kSlots].push_back({due, id});
    ++entries_;
  }

  /// Processes every tick up to `now`: fire(id, due) for each entry due by then. `fire` may
  /// schedule again; such entries land in later ticks.
  template <typename Fire>
  void advance(TimePoint now, Fire&& fire) {
    if (now < origin_) return;
    const Tick last = static_cast<Tick>((now - origin_) / kResolution);
    while (next_ <= last) {
      // After a stall longer than a revolution, one pass over every slot fires all that is due.
      const bool catch_up = last - next_ >= kSlots;
      const Tick tick = catch_up ? last : next_;
      const std::size_t first = catch_up ? 0 : tick % kSlots;
      const std::size_t count = catch_up ? kSlots : 1;
      next_ = tick + 1;
      for (std::size_t k = 0; k < count; ++k) {
        auto& slot = slots_[(first + k) % kSlots];
        scratch_.swap(slot);
        for (const Entry& e : scratch_) {
          if (e.due <= tick) {
            --entries_;
            fire(e.id, e.due);
          } else {
            slots_[e.due % kSlots].push_back(e);  // a later revolution
          }
        }
        scratch_.clear();
      }
    }
  }

  /// Entries in the wheel, stale ones included.
  [[nodiscard]] std::size_t size() const { return entries_; }

 private:
  struct Entry {
    Tick due;
    std::uint16_t id;
  };
  TimePoint origin_;
  Tick next_ = 0;
  std::size_t entries_ = 0;
  std::array<std::vector<Entry>, kSlots> slots_;
  std::vector<Entry> scratch_;
};

}  // namespace pppoe::worker
