// IPv4 address pools given as ranges or CIDR blocks, as in ppp.conf
// (`set ifaddr 192.168.1.1 192.168.1.10-192.168.1.20`): parsing and routing. Allocation lives
// in dataplane/shared_pool.hpp, shared by all workers.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ipv4.hpp"

namespace pppoe::session {

struct AddressRange {
  Ipv4Address first;
  Ipv4Address last;
};

/// Parses "a.b.c.d-e.f.g.h", "a.b.c.d/nn" or a single address; several separated by commas.
/// A CIDR block of /30 or wider excludes its network and broadcast addresses.
std::expected<std::vector<AddressRange>, std::string> parse_ranges(std::string_view text);

/// The smallest set of CIDR prefixes covering `r`: the routes the TUN needs.
std::vector<std::pair<Ipv4Address, int>> covering_prefixes(const AddressRange& r);

}  // namespace pppoe::session
