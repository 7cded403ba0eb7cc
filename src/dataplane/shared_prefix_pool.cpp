#include "dataplane/shared_prefix_pool.hpp"

#include <algorithm>

namespace pppoe::dataplane {

namespace {
std::size_t slots(const PrefixPoolSpec& s) {
  unsigned bits = s.length >= s.aggregate.length ? s.length - s.aggregate.length : 0;
  return std::size_t{1} << std::min(bits, kMaxPrefixPoolBits);
}
}  // namespace

SharedPrefixPool::SharedPrefixPool(const PrefixPoolSpec& spec)
    : aggregate_(spec.aggregate), length_(spec.length), bits_(slots(spec)) {}

std::optional<Ipv6Prefix> SharedPrefixPool::allocate(PoolPart part) {
  auto i = bits_.allocate(part);
  if (!i) return std::nullopt;
  return Ipv6Prefix{aggregate_.upper + (static_cast<std::uint64_t>(*i) << (64 - length_)), length_};
}

bool SharedPrefixPool::reserve(Ipv6Prefix p) { return contains(p) && bits_.take(index_of(p)); }

void SharedPrefixPool::release(Ipv6Prefix p) {
  if (contains(p)) bits_.release(index_of(p));
}

SharedPrefixPools::SharedPrefixPools(const std::vector<PrefixPoolSpec>& specs) {
  // The default pool first: allocate("") finds it.
  for (const auto& s : specs)
    if (s.name.empty()) add("", std::make_unique<SharedPrefixPool>(s));
  for (const auto& s : specs)
    if (!s.name.empty()) add(s.name, std::make_unique<SharedPrefixPool>(s));
}

}  // namespace pppoe::dataplane
