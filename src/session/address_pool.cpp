#include "session/address_pool.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace pppoe::session {

std::expected<std::vector<AddressRange>, std::string> parse_ranges(std::string_view text) {
  std::vector<AddressRange> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    start = comma + 1;
    if (item.empty()) return std::unexpected("empty address range");
    if (auto dash = item.find('-'); dash != std::string_view::npos) {
      auto a = Ipv4Address::parse(item.substr(0, dash));
      auto b = Ipv4Address::parse(item.substr(dash + 1));
      if (!a || !b || *b < *a)
        return std::unexpected(fmt::format("'{}': expected FIRST-LAST with FIRST <= LAST", item));
      out.push_back({*a, *b});
    } else if (auto slash = item.find('/'); slash != std::string_view::npos) {
      auto a = Ipv4Address::parse(item.substr(0, slash));
      int bits = -1;
      auto len = item.substr(slash + 1);
      auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
      if (!a || ec != std::errc{} || p != len.data() + len.size() || bits < 0 || bits > 32)
        return std::unexpected(fmt::format("'{}': expected ADDRESS/PREFIXLEN with 0..32", item));
      std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
      std::uint32_t first = a->value & mask, last = first | ~mask;
      if (bits <= 30) {
        ++first;
        --last;
      }
      out.push_back({Ipv4Address{first}, Ipv4Address{last}});
    } else {
      auto a = Ipv4Address::parse(item);
      if (!a) return std::unexpected(fmt::format("'{}': expected an address, range or CIDR block", item));
      out.push_back({*a, *a});
    }
    if (comma == text.size()) break;
  }
  return out;
}

std::vector<std::pair<Ipv4Address, int>> covering_prefixes(const AddressRange& r) {
  std::vector<std::pair<Ipv4Address, int>> out;
  std::uint64_t cur = r.first.value, end = std::uint64_t{r.last.value} + 1;
  while (cur < end) {
    int bits = 32;
    // Grow the block while it stays aligned and inside the range.
    while (bits > 0) {
      std::uint64_t size = std::uint64_t{1} << (32 - (bits - 1));
      if ((cur & (size - 1)) != 0 || cur + size > end) break;
      --bits;
    }
    out.emplace_back(Ipv4Address{static_cast<std::uint32_t>(cur)}, bits);
    cur += std::uint64_t{1} << (32 - bits);
  }
  return out;
}

AddressPool::AddressPool(std::vector<AddressRange> ranges, Ipv4Address exclude) : ranges_(std::move(ranges)) {
  for (const auto& r : ranges_)
    for (std::uint64_t a = r.first.value; a <= r.last.value; ++a)
      if (static_cast<std::uint32_t>(a) != exclude.value) addresses_.push_back(static_cast<std::uint32_t>(a));
  std::sort(addresses_.begin(), addresses_.end());
  addresses_.erase(std::unique(addresses_.begin(), addresses_.end()), addresses_.end());
  used_.assign(addresses_.size(), 0);
  free_.reserve(addresses_.size());
  for (std::size_t i = addresses_.size(); i-- > 0;) free_.push_back(i);
}

std::optional<std::size_t> AddressPool::index_of(Ipv4Address a) const {
  auto it = std::lower_bound(addresses_.begin(), addresses_.end(), a.value);
  if (it == addresses_.end() || *it != a.value) return std::nullopt;
  return static_cast<std::size_t>(it - addresses_.begin());
}

bool AddressPool::contains(Ipv4Address a) const { return index_of(a).has_value(); }

std::optional<Ipv4Address> AddressPool::allocate() {
  while (!free_.empty()) {
    std::size_t i = free_.back();
    free_.pop_back();
    if (used_[i]) continue;  // reserved as a fixed address meanwhile
    used_[i] = 1;
    ++used_count_;
    return Ipv4Address{addresses_[i]};
  }
  return std::nullopt;
}

bool AddressPool::reserve(Ipv4Address a) {
  if (auto i = index_of(a)) {
    if (used_[*i]) return false;
    used_[*i] = 1;
    ++used_count_;
    return true;
  }
  return fixed_outside_.insert(a.value).second;
}

void AddressPool::release(Ipv4Address a) {
  if (auto i = index_of(a)) {
    if (!used_[*i]) return;
    used_[*i] = 0;
    --used_count_;
    free_.push_back(*i);
    return;
  }
  fixed_outside_.erase(a.value);
}

}  // namespace pppoe::session
