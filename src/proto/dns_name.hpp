// Domain names in DNS wire format (RFC 1035 section 3.1), as the DNS search lists of IPv6
// configuration carry them: DNSSL in Router Advertisements (RFC 8106 section 5.2) and
// OPTION_DOMAIN_LIST in DHCPv6 (RFC 3646 section 4). No compression in either.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe::dns {

/// "example.net" as labels ending in the root label; false for an empty or over-long label.
bool write_name(ByteWriter& w, const std::string& name);

/// The names in `data` up to its end or to padding (zero octets after a name), at most `max`;
/// nullopt when a label runs past the end or is longer than 63 octets.
std::optional<std::vector<std::string>> read_names(Bytes data, std::size_t max);

}  // namespace pppoe::dns
