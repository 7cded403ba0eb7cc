// The RADIUS part of the configuration as the AAA layer wants it.
#pragma once

#include "common/mac.hpp"
#include "master/config.hpp"
#include "radius/aaa.hpp"

namespace pppoe::master {

/// `subscriber_mac` is our MAC on the subscriber interface (Called-Station-Id).
radius::AaaSettings aaa_settings(const Config& c, const MacAddress& subscriber_mac);

}  // namespace pppoe::master
