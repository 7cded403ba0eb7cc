// The IPv4 address pools: the default one and the named pools RADIUS may choose with
// Framed-Pool.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "dataplane/named_pools.hpp"
#include "dataplane/shared_pool.hpp"

namespace pppoe::dataplane {

using NamedRanges = std::vector<std::pair<std::string, std::vector<session::AddressRange>>>;

class SharedPools : public NamedPools<SharedAddressPool> {
 public:
  SharedPools(const std::vector<session::AddressRange>& default_ranges, const NamedRanges& named, Ipv4Address exclude) {
    add("", std::make_unique<SharedAddressPool>(default_ranges, exclude));
    for (const auto& [name, ranges] : named) add(name, std::make_unique<SharedAddressPool>(ranges, exclude));
  }
};

}  // namespace pppoe::dataplane
