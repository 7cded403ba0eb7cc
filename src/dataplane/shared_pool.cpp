#include "dataplane/shared_pool.hpp"

#include <algorithm>

namespace pppoe::dataplane {

namespace {
std::vector<std::uint32_t> pool_addresses(const std::vector<session::AddressRange>& ranges, Ipv4Address exclude) {
  std::vector<std::uint32_t> a;
  for (const auto& r : ranges)
    for (std::uint64_t v = r.first.value; v <= r.last.value; ++v)
      if (static_cast<std::uint32_t>(v) != exclude.value) a.push_back(static_cast<std::uint32_t>(v));
  std::sort(a.begin(), a.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  return a;
}
}  // namespace

SharedAddressPool::SharedAddressPool(const std::vector<session::AddressRange>& ranges, Ipv4Address exclude)
    : addresses_(pool_addresses(ranges, exclude)), bits_(addresses_.size()) {}

std::optional<std::size_t> SharedAddressPool::index_of(Ipv4Address a) const {
  auto it = std::lower_bound(addresses_.begin(), addresses_.end(), a.value);
  if (it == addresses_.end() || *it != a.value) return std::nullopt;
  return static_cast<std::size_t>(it - addresses_.begin());
}

std::optional<Ipv4Address> SharedAddressPool::allocate(PoolPart part) {
  auto i = bits_.allocate(part);
  if (!i) return std::nullopt;
  return Ipv4Address{addresses_[*i]};
}

bool SharedAddressPool::reserve(Ipv4Address a) {
  auto i = index_of(a);
  return i && bits_.take(*i);
}

void SharedAddressPool::release(Ipv4Address a) {
  if (auto i = index_of(a)) bits_.release(*i);
}

}  // namespace pppoe::dataplane
