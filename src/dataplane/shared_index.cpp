#include "dataplane/shared_index.hpp"

namespace pppoe::dataplane {

SharedIndex::SharedIndex(unsigned capacity_log2)
    : mask_((std::size_t{1} << capacity_log2) - 1), slots_(std::size_t{1} << capacity_log2), header_(1) {}

std::size_t SharedIndex::home(std::uint64_t key) const {
  std::uint64_t h = key * 0x9e3779b97f4a7c15ull;  // Fibonacci hashing
  return static_cast<std::size_t>(h >> 20) & mask_;
}

bool SharedIndex::insert(std::uint64_t key, std::uint32_t value) {
  if (size() * 2 > mask_) return false;
  for (std::size_t i = home(key);; i = (i + 1) & mask_) {
    std::uint64_t k = slots_[i].key.load(std::memory_order_relaxed);
    if (k == key) return false;
    if (k == 0) {
      header_[0].seq.fetch_add(1, std::memory_order_acq_rel);
      slots_[i].value.store(value, std::memory_order_relaxed);
      slots_[i].key.store(key, std::memory_order_release);
      header_[0].count.fetch_add(1, std::memory_order_relaxed);
      header_[0].seq.fetch_add(1, std::memory_order_acq_rel);
      return true;
    }
  }
}

bool SharedIndex::erase(std::uint64_t key) {
  std::size_t i = home(key);
  for (;; i = (i + 1) & mask_) {
    std::uint64_t k = slots_[i].key.load(std::memory_order_relaxed);
    if (k == 0) return false;
    if (k == key) break;
  }
  header_[0].seq.fetch_add(1, std::memory_order_acq_rel);
  // Backward-shift deletion: pull later entries of the probe run into the hole.
  std::size_t hole = i;
  for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
    std::uint64_t k = slots_[j].key.load(std::memory_order_relaxed);
    if (k == 0) break;
    std::size_t h = home(k);
    // Entry j may move to `hole` if its home is not cyclically within (hole, j].
    bool movable = (hole <= j) ? (h <= hole || h > j) : (h <= hole && h > j);
    if (!movable) continue;
    slots_[hole].value.store(slots_[j].value.load(std::memory_order_relaxed), std::memory_order_relaxed);
    slots_[hole].key.store(k, std::memory_order_relaxed);
    hole = j;
  }
  slots_[hole].key.store(0, std::memory_order_relaxed);
  header_[0].count.fetch_sub(1, std::memory_order_relaxed);
  header_[0].seq.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

std::optional<std::uint32_t> SharedIndex::find_value(std::uint64_t key) const {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::uint64_t before = header_[0].seq.load(std::memory_order_acquire);
    if (before & 1) continue;
    std::optional<std::uint32_t> result;
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      std::uint64_t k = slots_[i].key.load(std::memory_order_acquire);
      if (k == 0) break;
      if (k == key) {
        result = slots_[i].value.load(std::memory_order_relaxed);
        break;
      }
    }
    if (header_[0].seq.load(std::memory_order_acquire) == before) return result;
  }
  return std::nullopt;
}

}  // namespace pppoe::dataplane
