// A PPP control frame in one line, for the per-subscriber debug log (`pppoectl debug`):
// "LCP Configure-Request id 1 [mru 1492, auth chap-md5, magic 0x1a2b3c4d]". Never a secret:
// PAP shows the peer-id only, CHAP the name only.
#pragma once

#include <cstdint>
#include <string>

#include "common/bytes.hpp"

namespace pppoe::ppp {

/// `protocol` is the PPP protocol number, `payload` what follows it. Data protocols (IPv4,
/// IPv6) are not described (nullopt-like: an empty string).
std::string describe_frame(std::uint16_t protocol, Bytes payload);
/// The name a PAP Authenticate-Request or CHAP Response carries ("" otherwise): the frame that
/// tells who the subscriber is, before the session knows.
std::string peer_name(std::uint16_t protocol, Bytes payload);

}  // namespace pppoe::ppp
