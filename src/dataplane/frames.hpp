// Whole frames that more than one process sends.
#pragma once

#include <cstdint>

#include "dataplane/packet_socket.hpp"
#include "proto/ether.hpp"

namespace pppoe::dataplane {

/// Queues a PADT (RFC 2516 section 5.5) for `session_id` to `to`, with `reason` in a
/// Generic-Error tag. False if it did not fit.
/// `discovery_type`: 0x8863, or 0x3c12 for 3Com's nonstandard PPPoE.
bool send_padt(PacketSocket& socket, const MacAddress& to, const ether::VlanStack& vlans, std::uint16_t session_id,
               const char* reason, std::uint16_t discovery_type);

}  // namespace pppoe::dataplane
