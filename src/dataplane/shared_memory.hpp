// Memory shared by the master and every worker: anonymous MAP_SHARED mappings made by the
// master before it forks workers, so all processes see the same pages at the same addresses.
// Only plain data and std::atomic of lock-free types live here.
#pragma once

#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <new>
#include <type_traits>

namespace pppoe::dataplane {

/// A zero-initialised shared array of `count` T. Zero must be a valid T (no constructors run).
template <typename T>
class SharedArray {
 public:
  static_assert(std::is_trivially_destructible_v<T>);
  explicit SharedArray(std::size_t count) : count_(count) {
    void* p = ::mmap(nullptr, sizeof(T) * count, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
  }
  ~SharedArray() { ::munmap(data_, sizeof(T) * count_); }
  SharedArray(const SharedArray&) = delete;
  SharedArray& operator=(const SharedArray&) = delete;

  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  [[nodiscard]] std::size_t size() const { return count_; }

 private:
  T* data_ = nullptr;
  std::size_t count_;
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

}  // namespace pppoe::dataplane
