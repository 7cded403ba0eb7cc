#include "dataplane/shared_pools.hpp"

namespace pppoe::dataplane {

SharedPools::SharedPools(const std::vector<session::AddressRange>& default_ranges, const NamedRanges& named,
                         Ipv4Address exclude) {
  pools_.emplace_back("", std::make_unique<SharedAddressPool>(default_ranges, exclude));
  for (const auto& [name, ranges] : named) pools_.emplace_back(name, std::make_unique<SharedAddressPool>(ranges, exclude));
}

std::optional<Ipv4Address> SharedPools::allocate(std::string_view name, PoolPart part) {
  for (auto& [n, p] : pools_)
    if (n == name) return p->allocate(part);
  return std::nullopt;
}

bool SharedPools::has(std::string_view name) const {
  for (const auto& [n, p] : pools_)
    if (n == name) return true;
  return false;
}

SharedAddressPool* SharedPools::owner(Ipv4Address a) const {
  for (const auto& [n, p] : pools_)
    if (p->contains(a)) return p.get();
  return nullptr;
}

bool SharedPools::reserve(Ipv4Address a) {
  auto* p = owner(a);
  return p != nullptr && p->reserve(a);
}

void SharedPools::release(Ipv4Address a) {
  if (auto* p = owner(a)) p->release(a);
}

bool SharedPools::contains(Ipv4Address a) const { return owner(a) != nullptr; }

std::size_t SharedPools::capacity() const {
  std::size_t n = 0;
  for (const auto& [name, p] : pools_) n += p->capacity();
  return n;
}

std::size_t SharedPools::in_use() const {
  std::size_t n = 0;
  for (const auto& [name, p] : pools_) n += p->in_use();
  return n;
}

}  // namespace pppoe::dataplane
