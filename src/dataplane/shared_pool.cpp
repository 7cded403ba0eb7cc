#include "dataplane/shared_pool.hpp"

#include <algorithm>

#include <fmt/format.h>

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

SharedAddressPool::SharedAddressPool(const std::vector<session::AddressRange>& ranges, Ipv4Address exclude,
                                     std::size_t capacity)
    : addresses_(pool_addresses(ranges, exclude)), bits_(addresses_.size(), capacity) {
  sorted_.reserve(addresses_.size());
  for (std::size_t i = 0; i < addresses_.size(); ++i) sorted_.emplace_back(addresses_[i], static_cast<std::uint32_t>(i));
}

std::optional<std::size_t> SharedAddressPool::index_of(Ipv4Address a) const {
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), std::pair{a.value, std::uint32_t{0}});
  if (it == sorted_.end() || it->first != a.value) return std::nullopt;
  return it->second;
}

std::optional<std::vector<std::uint32_t>> SharedAddressPool::added(const std::vector<std::uint32_t>& next) const {
  std::vector<std::uint32_t> gained;
  auto have = sorted_.begin();
  for (std::uint32_t a : next) {
    if (have != sorted_.end() && have->first < a) return std::nullopt;  // `have` is not in `next`
    if (have != sorted_.end() && have->first == a) ++have;
    else gained.push_back(a);
  }
  if (have != sorted_.end()) return std::nullopt;
  return gained;
}

std::expected<std::size_t, std::string> SharedAddressPool::growth(const std::vector<session::AddressRange>& ranges,
                                                                  Ipv4Address exclude) const {
  auto gained = added(pool_addresses(ranges, exclude));
  // Sessions may hold any address of the pool: taking one away waits for a restart.
  if (!gained) return std::unexpected("it would lose addresses (a pool only grows without a restart)");
  if (addresses_.size() + gained->size() > bits_.capacity())
    return std::unexpected(fmt::format("it would hold {} addresses, more than the {} it has room for until a restart",
                                       addresses_.size() + gained->size(), bits_.capacity()));
  return gained->size();
}

void SharedAddressPool::grow(const std::vector<session::AddressRange>& ranges, Ipv4Address exclude) {
  auto gained = added(pool_addresses(ranges, exclude));
  if (!gained || !bits_.grow(addresses_.size() + gained->size())) return;
  for (std::uint32_t a : *gained) {
    sorted_.emplace_back(a, static_cast<std::uint32_t>(addresses_.size()));
    addresses_.push_back(a);
  }
  std::sort(sorted_.begin(), sorted_.end());
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
