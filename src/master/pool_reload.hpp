// Reload and the IPv4 address pools: a pool may gain addresses and named pools may be added
// while sessions are up (operator guide "Reload"). The master and every worker apply the same
// change to their view of the shared pools (dataplane/shared_pools.hpp), from the same texts.
#pragma once

#include <utility>
#include <vector>

#include "common/ipv4.hpp"
#include "dataplane/shared_pools.hpp"
#include "master/config.hpp"
#include "master/config_reload.hpp"

namespace pppoe::master {

/// The named pools of `c` as the shared pools take them.
dataplane::NamedRanges named_ranges(const Config& c);

/// apply_live()'s hook for changed pools: grows `pools` to the next configuration's, or says
/// why that waits for a restart. `exclude`: the AC's own address, never in a pool.
PoolChange pool_change(dataplane::SharedPools& pools, Ipv4Address exclude);

/// The routes to the TUN that the pools of `c` need (the prefixes covering each range).
std::vector<std::pair<Ipv4Address, int>> pool_routes(const Config& c);

}  // namespace pppoe::master
