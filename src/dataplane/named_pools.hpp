// A default pool and the named pools RADIUS may choose (Framed-Pool, Framed-IPv6-Pool,
// Delegated-IPv6-Prefix-Pool), each lock-free in shared memory. Pools never overlap (checked
// in the configuration), so a value belongs to at most one of them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/shared_bitmap.hpp"

namespace pppoe::dataplane {

/// `Pool`: SharedAddressPool or SharedPrefixPool (allocate, reserve, release, contains,
/// capacity, in_use over its `Value`).
template <class Pool>
class NamedPools {
 public:
  using Value = typename Pool::Value;

  /// The first pool added is the default one (name "").
  void add(std::string name, std::unique_ptr<Pool> pool) { pools_.emplace_back(std::move(name), std::move(pool)); }

  /// From the named pool, or the default one when `name` is empty. Nothing for an unknown name.
  std::optional<Value> allocate(std::string_view name = {}, PoolPart part = PoolPart::kWhole) {
    for (auto& [n, p] : pools_)
      if (n == name) return p->allocate(part);
    return std::nullopt;
  }
  /// The position of a pool by name (0: the default one), for sessions that remember it.
  [[nodiscard]] std::optional<std::size_t> index_of(std::string_view name) const {
    for (std::size_t i = 0; i < pools_.size(); ++i)
      if (pools_[i].first == name) return i;
    return std::nullopt;
  }
  std::optional<Value> allocate_at(std::size_t index, PoolPart part = PoolPart::kWhole) {
    if (index >= pools_.size()) return std::nullopt;
    return pools_[index].second->allocate(part);
  }
  [[nodiscard]] bool has(std::string_view name) const {
    for (const auto& [n, p] : pools_)
      if (n == name) return true;
    return false;
  }
  bool reserve(Value v) {
    auto* p = owner(v);
    return p != nullptr && p->reserve(v);
  }
  void release(Value v) {
    if (auto* p = owner(v)) p->release(v);
  }
  [[nodiscard]] bool contains(Value v) const { return owner(v) != nullptr; }
  [[nodiscard]] std::size_t capacity() const {
    std::size_t n = 0;
    for (const auto& [name, p] : pools_) n += p->capacity();
    return n;
  }
  [[nodiscard]] std::size_t in_use() const {
    std::size_t n = 0;
    for (const auto& [name, p] : pools_) n += p->in_use();
    return n;
  }
  [[nodiscard]] bool empty() const { return pools_.empty(); }
  /// (name, pool) in configuration order, the default one first.
  [[nodiscard]] const std::vector<std::pair<std::string, std::unique_ptr<Pool>>>& pools() const { return pools_; }

 private:
  Pool* owner(Value v) const {
    for (const auto& [n, p] : pools_)
      if (p->contains(v)) return p.get();
    return nullptr;
  }
  std::vector<std::pair<std::string, std::unique_ptr<Pool>>> pools_;
};

}  // namespace pppoe::dataplane
