#include "dataplane/held_prefixes.hpp"

#include <algorithm>
#include <bit>

namespace pppoe::dataplane {

HeldPrefixes::HeldPrefixes(std::size_t capacity)
    : index_(static_cast<unsigned>(std::bit_width(capacity * 2 - 1))), slots_(capacity) {
  free_.reserve(capacity);
  for (std::size_t i = capacity; i > 0; --i) free_.push_back(static_cast<std::uint32_t>(i - 1));
}

std::uint64_t HeldPrefixes::key_of(std::string_view user) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : user) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h == 0 ? 1 : h;
}

bool HeldPrefixes::hold(std::uint64_t user, const Held& h, std::int64_t expires_ms) {
  if (auto v = index_.find_value(user); v && *v < slots_.size()) {
    // An entry claimed since the last expire() pass: done with, make room.
    if (slots_[*v].state.load(std::memory_order_acquire) != kClaimed) return false;
    free_slot(*v);
    used_.erase(std::remove(used_.begin(), used_.end(), *v), used_.end());
  }
  if (free_.empty()) return false;
  std::uint32_t i = free_.back();
  Slot& s = slots_[i];
  s.user = user;
  s.wan = h.wan.upper;
  s.wan_len = h.wan.length;
  s.delegated = h.delegated.upper;
  s.delegated_len = h.delegated.length;
  s.expires_ms = expires_ms;
  s.state.store(kHeld, std::memory_order_release);  // the fields before the state
  if (!index_.insert(user, i)) {
    s.state.store(kFree, std::memory_order_relaxed);
    return false;
  }
  free_.pop_back();
  used_.push_back(i);
  return true;
}

void HeldPrefixes::free_slot(std::uint32_t i) {
  index_.erase(slots_[i].user);
  slots_[i].state.store(kFree, std::memory_order_release);
  free_.push_back(i);
}

void HeldPrefixes::expire(std::int64_t now_ms, const std::function<void(const Held&)>& release) {
  auto gone = [&](std::uint32_t i) {
    Slot& s = slots_[i];
    std::uint32_t held = kHeld;
    if (s.state.load(std::memory_order_acquire) == kClaimed) {
      free_slot(i);  // a worker continues with its prefixes
      return true;
    }
    if (s.expires_ms > now_ms) return false;
    // Expiring races with a claim: whoever swaps the state first has the entry.
    if (!s.state.compare_exchange_strong(held, kFree, std::memory_order_acq_rel)) {
      free_slot(i);
      return true;
    }
    release(Held{Ipv6Prefix{s.wan, s.wan_len}, Ipv6Prefix{s.delegated, s.delegated_len}});
    index_.erase(s.user);
    free_.push_back(i);
    return true;
  };
  used_.erase(std::remove_if(used_.begin(), used_.end(), gone), used_.end());
}

std::optional<HeldPrefixes::Held> HeldPrefixes::claim(std::uint64_t user) {
  auto v = index_.find_value(user);
  if (!v || *v >= slots_.size()) return std::nullopt;
  Slot& s = slots_[*v];
  std::uint32_t held = kHeld;
  if (!s.state.compare_exchange_strong(held, kClaimed, std::memory_order_acq_rel)) return std::nullopt;
  // The slot may have been reused for another user between the lookup and the swap.
  if (s.user != user) {
    s.state.store(kHeld, std::memory_order_release);
    return std::nullopt;
  }
  return Held{Ipv6Prefix{s.wan, s.wan_len}, Ipv6Prefix{s.delegated, s.delegated_len}};
}

}  // namespace pppoe::dataplane
