#include "master/pool_reload.hpp"

#include <algorithm>

namespace pppoe::master {

dataplane::NamedRanges named_ranges(const Config& c) {
  dataplane::NamedRanges out;
  for (const auto& p : c.named_pools) out.emplace_back(p.name, p.ranges);
  return out;
}

PoolChange pool_change(dataplane::SharedPools& pools, Ipv4Address exclude) {
  return [&pools, exclude](const Config& next) -> std::optional<std::string> {
    auto named = named_ranges(next);
    if (auto why = pools.why_not(next.pool, named, exclude)) return why;
    pools.change(next.pool, named, exclude);
    return std::nullopt;
  };
}

std::vector<std::pair<Ipv4Address, int>> pool_routes(const Config& c) {
  std::vector<std::pair<Ipv4Address, int>> routes;
  auto add = [&](const std::vector<session::AddressRange>& ranges) {
    for (const auto& r : ranges)
      for (const auto& p : session::covering_prefixes(r))
        if (std::find(routes.begin(), routes.end(), p) == routes.end()) routes.push_back(p);
  };
  add(c.pool);
  for (const auto& p : c.named_pools) add(p.ranges);
  return routes;
}

}  // namespace pppoe::master
