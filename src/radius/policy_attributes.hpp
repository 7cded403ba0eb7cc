// The rate limits an Access-Accept or a CoA-Request gives a session, in every form the
// operator guide ("Service policy") lists, applied in this order so that the more specific
// form wins for its direction:
//   Filter-Id "DOWN" or "DOWN/UP" (kbit/s, accel-ppp's reading; a Filter-Id that is not a
//     rate names a filter list),
//   WISPr-Bandwidth-Max-Down / -Max-Up (bit/s),
//   Mikrotik-Rate-Limit "rx/tx [bursts]" (rx: upload),
//   Cisco-AVPair "rate-limit input|output BPS NORMAL [MAX] ..." and
//     "ip:sub-qos-policy-in|out=NAME" (a qos-policy of the config, resolved by the caller).
// A malformed policy attribute is an error for the whole packet: a CoA is NAKed (Error-Cause
// 407), an Access-Accept's policy ignored with a log line; never half applied.
#pragma once

#include <expected>
#include <string>

#include "policy/rate.hpp"
#include "radius/packet.hpp"

namespace pppoe::radius {

struct RadiusPolicy {
  policy::RateLimit rate;
  std::string qos_down, qos_up;  ///< named policies still to look up
  std::string filter;            ///< a Filter-Id that is not a rate
  [[nodiscard]] bool empty() const { return rate.empty() && qos_down.empty() && qos_up.empty() && filter.empty(); }
};

std::expected<RadiusPolicy, std::string> policy_attributes(const PacketView& packet);

/// Whether `type` (or this Vendor-Specific attribute) is one policy_attributes() reads: the
/// CoA matcher lets those through.
bool is_policy_attribute(const Attribute& a);

}  // namespace pppoe::radius
