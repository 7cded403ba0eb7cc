#include "dataplane/shared_bitmap.hpp"

#include <algorithm>

namespace pppoe::dataplane {

SharedBitmap::SharedBitmap(std::size_t slots, std::size_t capacity)
    : slots_(slots),
      capacity_(std::max(slots, capacity)),
      bits_(std::max<std::size_t>(1, (capacity_ + 63) / 64)),
      hint_(1),
      used_(1) {}

bool SharedBitmap::grow(std::size_t slots) {
  if (slots < slots_ || slots > capacity_) return false;
  slots_ = slots;
  return true;
}

bool SharedBitmap::take(std::size_t i) {
  if (i >= slots_) return false;
  std::uint64_t bit = std::uint64_t{1} << (i % 64);
  if ((bits_[i / 64].fetch_or(bit, std::memory_order_acq_rel) & bit) != 0) return false;
  used_[0].fetch_add(1, std::memory_order_relaxed);
  return true;
}

std::optional<std::size_t> SharedBitmap::allocate(PoolPart part) {
  // Slots past slots_ are never handed out: this process does not know their values yet.
  const std::size_t n = slots_;
  const std::size_t half = (n + 1) / 2;
  const std::size_t lo = part == PoolPart::kUpper ? half : 0;
  const std::size_t hi = part == PoolPart::kLower ? half : n;
  if (lo >= hi) return std::nullopt;
  const std::size_t first = lo / 64, last = (hi - 1) / 64, words = last - first + 1;
  std::size_t start = hint_[0].load(std::memory_order_relaxed);
  if (start < first || start > last) start = first;
  for (std::size_t k = 0; k < words; ++k) {
    std::size_t w = first + (start - first + k) % words;
    // Only the bits of [lo, hi) in this word may be taken.
    std::uint64_t allowed = ~std::uint64_t{0};
    if (w == first) allowed &= ~std::uint64_t{0} << (lo % 64);
    if (w == last && hi % 64 != 0) allowed &= (std::uint64_t{1} << (hi % 64)) - 1;
    std::uint64_t v = bits_[w].load(std::memory_order_relaxed);
    while ((~v & allowed) != 0) {
      int b = __builtin_ctzll(~v & allowed);
      std::uint64_t bit = std::uint64_t{1} << b;
      if (bits_[w].compare_exchange_weak(v, v | bit, std::memory_order_acq_rel)) {
        used_[0].fetch_add(1, std::memory_order_relaxed);
        hint_[0].store(w, std::memory_order_relaxed);
        return w * 64 + static_cast<std::size_t>(b);
      }
    }
  }
  return std::nullopt;
}

void SharedBitmap::release(std::size_t i) {
  if (i >= slots_) return;
  std::uint64_t bit = std::uint64_t{1} << (i % 64);
  if ((bits_[i / 64].fetch_and(~bit, std::memory_order_acq_rel) & bit) != 0)
    used_[0].fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace pppoe::dataplane
