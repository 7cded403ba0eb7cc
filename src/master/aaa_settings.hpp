// The RADIUS part of the configuration as the AAA layer wants it.
#pragma once

#include <cstdint>
#include <optional>

#include "common/ipv4.hpp"
#include "common/mac.hpp"
#include "master/config.hpp"
#include "radius/aaa.hpp"

namespace pppoe::master {

/// `subscriber_mac` is our MAC on the subscriber interface (Called-Station-Id). The NAS identity
/// is always sent, so that RADIUS tells boxes apart (sqlippool keys leases on NAS-IP-Address,
/// Accounting-On frees what one NAS held): NAS-IP-Address is `radius-nas-ip-address` or the
/// address this host reaches the first RADIUS server from; NAS-Identifier is
/// `radius-nas-identifier` or AC-Name and our MAC (`pppoed-02005e0000aa`), unique per box.
radius::AaaSettings aaa_settings(const Config& c, const MacAddress& subscriber_mac);

/// The local address the kernel picks to reach `to` (a connected UDP socket; nothing is sent).
std::optional<Ipv4Address> route_source(Ipv4Address to, std::uint16_t port);

}  // namespace pppoe::master
