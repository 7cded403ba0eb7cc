#include "dataplane/prefix_index.hpp"

namespace pppoe::dataplane {

namespace {
// The value: the session ID, and above it the length, so that a key that matches the masked
// upper bits of another length is not taken for this one.
std::uint32_t value_of(Ipv6Prefix p, std::uint16_t sid) { return (std::uint32_t{p.length} << 16) | sid; }
bool valid(Ipv6Prefix p) { return p.length >= 1 && p.length <= 64 && p.upper != 0 && (p.upper & ~p.mask()) == 0; }
}  // namespace

bool SharedPrefixIndex::insert(Ipv6Prefix prefix, std::uint16_t session_id) {
  if (!valid(prefix) || !index_.insert(prefix.upper, value_of(prefix, session_id))) return false;
  if (per_length_[prefix.length]++ == 0)
    lengths_[0].fetch_or(std::uint64_t{1} << (prefix.length - 1), std::memory_order_release);
  return true;
}

bool SharedPrefixIndex::erase(Ipv6Prefix prefix, std::uint16_t session_id) {
  if (!valid(prefix) || index_.find_value(prefix.upper) != value_of(prefix, session_id)) return false;
  index_.erase(prefix.upper);
  if (--per_length_[prefix.length] == 0)
    lengths_[0].fetch_and(~(std::uint64_t{1} << (prefix.length - 1)), std::memory_order_release);
  return true;
}

std::optional<std::uint16_t> SharedPrefixIndex::find_upper(std::uint64_t upper) const {
  std::uint64_t lengths = lengths_[0].load(std::memory_order_acquire);
  while (lengths != 0) {
    const unsigned length = 64u - static_cast<unsigned>(__builtin_clzll(lengths));  // the longest left
    lengths &= ~(std::uint64_t{1} << (length - 1));
    const std::uint64_t key = upper & (~std::uint64_t{0} << (64 - length));
    if (key == 0) continue;
    auto v = index_.find_value(key);
    if (v && (*v >> 16) == length) return static_cast<std::uint16_t>(*v);
  }
  return std::nullopt;
}

std::optional<std::uint16_t> SharedPrefixIndex::owner(Ipv6Prefix prefix) const {
  if (!valid(prefix)) return std::nullopt;
  auto v = index_.find_value(prefix.upper);
  if (!v || (*v >> 16) != prefix.length) return std::nullopt;
  return static_cast<std::uint16_t>(*v);
}

}  // namespace pppoe::dataplane
