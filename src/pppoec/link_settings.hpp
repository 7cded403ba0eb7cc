// What the PPPoE daemon and the serial one derive from a profile the same way: the
// authentication methods of ppp(8)'s switches, keep-alive and IPv6, the subscriber's IPCP.
#pragma once

#include <cstdint>
#include <vector>

#include "pppoec/profile.hpp"
#include "session/ppp_link.hpp"

namespace pppoe::pppoec {

/// The methods of one side of ppp(8)'s switches, strongest first (also the order of our Nak):
/// `required` = what `enable` asks of the peer (a server), else what `accept` agrees to.
std::vector<ppp::AuthMethod> auth_methods(const Profile& p, bool required);

/// Keep-alive (LCP echo every lqrperiod when echo or lqr is enabled, dead after lqr_failures)
/// and IPv6CP as the profile says; the caller adds MRU, role and framing.
session::LinkSettings base_link_settings(const Profile& p);

/// IPCP as the subscriber: `set ifaddr`'s ranges and trigger, DNS with `enable dns`.
ppp::IpcpSettings client_ipcp(const Profile& p);

/// A seed from the kernel's random source, for magic numbers and identifiers.
std::uint32_t random_seed();

}  // namespace pppoe::pppoec
