#include "dataplane/shared_pools.hpp"

#include <fmt/format.h>

namespace pppoe::dataplane {

namespace {
std::size_t address_count(const std::vector<session::AddressRange>& ranges) {
  std::size_t n = 0;
  for (const auto& r : ranges) n += std::size_t{r.last.value} - r.first.value + 1;
  return n;
}
}  // namespace

SharedPools::SharedPools(const std::vector<session::AddressRange>& default_ranges, const NamedRanges& named,
                         Ipv4Address exclude) {
  add("", std::make_unique<SharedAddressPool>(default_ranges, exclude, pool_room(address_count(default_ranges))));
  for (const auto& [name, ranges] : named)
    add(name, std::make_unique<SharedAddressPool>(ranges, exclude, pool_room(address_count(ranges))));
  for (std::size_t i = 0; i < kSparePools; ++i)
    spares_.push_back(std::make_unique<SharedAddressPool>(std::vector<session::AddressRange>{}, exclude, pool_room(0)));
}

std::optional<std::string> SharedPools::why_not(const std::vector<session::AddressRange>& default_ranges,
                                                const NamedRanges& named, Ipv4Address exclude) const {
  auto ranges_of = [&](const std::string& name) -> const std::vector<session::AddressRange>* {
    if (name.empty()) return &default_ranges;
    for (const auto& [n, r] : named)
      if (n == name) return &r;
    return nullptr;
  };
  for (const auto& [name, pool] : pools()) {
    std::string label = name.empty() ? std::string("the default pool") : fmt::format("framed-pool '{}'", name);
    const auto* next = ranges_of(name);
    // Sessions remember their pool by position: one cannot go while they are up.
    if (next == nullptr) return fmt::format("{} would be removed", label);
    if (auto g = pool->growth(*next, exclude); !g) return fmt::format("{}: {}", label, g.error());
  }
  std::size_t added = 0;
  for (const auto& [name, ranges] : named) {
    if (has(name)) continue;
    if (++added > spares_.size())
      return fmt::format("framed-pool '{}': no room for more new pools until a restart ({} were added since)", name,
                         kSparePools - spares_.size());
    if (auto g = spares_.back()->growth(ranges, exclude); !g) return fmt::format("framed-pool '{}': {}", name, g.error());
  }
  return std::nullopt;
}

std::size_t SharedPools::change(const std::vector<session::AddressRange>& default_ranges, const NamedRanges& named,
                                Ipv4Address exclude) {
  std::size_t before = capacity();
  for (const auto& [name, pool] : pools()) {
    if (name.empty()) pool->grow(default_ranges, exclude);
    for (const auto& [n, ranges] : named)
      if (n == name) pool->grow(ranges, exclude);
  }
  for (const auto& [name, ranges] : named) {
    if (has(name) || spares_.empty()) continue;
    auto pool = std::move(spares_.back());
    spares_.pop_back();
    pool->grow(ranges, exclude);
    add(name, std::move(pool));
  }
  return capacity() - before;
}

}  // namespace pppoe::dataplane
