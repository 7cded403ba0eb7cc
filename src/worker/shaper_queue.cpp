#include "worker/shaper_queue.hpp"

#include <cstring>

namespace pppoe::worker {

void ShaperQueue::reserve() {
  data_ = std::make_unique_for_overwrite<std::uint8_t[]>(kSlots * kSlotSize);
  slots_.assign(kSlots, Slot{});
  buckets_.assign(kBuckets, Bucket{});
  free_.reserve(kSlots);
  for (std::size_t i = kSlots; i-- > 0;) free_.push_back(static_cast<std::uint16_t>(i));
}

bool ShaperQueue::push(std::int64_t now_ns, std::int64_t depart_ns, std::uint16_t session_id, Bytes packet) {
  if (!data_) reserve();
  if (free_.empty() || packet.size() > kSlotSize || depart_ns - now_ns > kMaxDelayNs) return false;
  const std::int64_t now_tick = now_ns >> kTickShift;
  if (count_ == 0 || cursor_ > now_tick + 1) cursor_ = now_tick;  // idle (or the clock was odd): start here
  // Due already (or in the current tick): the current bucket, behind what it holds.
  const std::int64_t tick = std::max(depart_ns >> kTickShift, cursor_);
  if (tick - cursor_ >= static_cast<std::int64_t>(kBuckets)) return false;
  std::uint16_t i = free_.back();
  free_.pop_back();
  std::memcpy(data_.get() + std::size_t{i} * kSlotSize, packet.data(), packet.size());
  slots_[i] = Slot{kNone, session_id, static_cast<std::uint16_t>(packet.size())};
  Bucket& b = buckets_[static_cast<std::size_t>(tick) & (kBuckets - 1)];
  if (b.tail == kNone) b.head = i;
  else slots_[b.tail].next = i;
  b.tail = i;
  ++count_;
  return true;
}

std::size_t ShaperQueue::release(std::int64_t now_ns, const std::function<void(std::uint16_t, Bytes)>& send) {
  std::size_t sent = 0;
  const std::int64_t now_tick = now_ns >> kTickShift;
  while (count_ > 0 && cursor_ <= now_tick) {
    Bucket& b = buckets_[static_cast<std::size_t>(cursor_) & (kBuckets - 1)];
    for (std::uint16_t i = b.head; i != kNone;) {
      const Slot s = slots_[i];
      send(s.session_id, Bytes(data_.get() + std::size_t{i} * kSlotSize, s.size));
      free_.push_back(i);
      --count_;
      ++sent;
      i = s.next;
    }
    b = Bucket{};
    if (count_ > 0) ++cursor_;
  }
  return sent;
}

std::optional<std::int64_t> ShaperQueue::next_due() const {
  if (count_ == 0) return std::nullopt;
  for (std::int64_t t = cursor_; t < cursor_ + static_cast<std::int64_t>(kBuckets); ++t)
    if (buckets_[static_cast<std::size_t>(t) & (kBuckets - 1)].head != kNone) return t << kTickShift;
  return cursor_ << kTickShift;  // not reached: count_ says something waits
}

}  // namespace pppoe::worker
