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

}  // namespace pppoe::session
