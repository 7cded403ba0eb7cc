// Which sessions an RFC 5176 request names, and whether it may be honoured (section 3):
//   - NAS identification (NAS-IP-Address, NAS-Identifier), when present, must be ours
//     (else NAK 403 NAS Identification Mismatch);
//   - session identification: Acct-Session-Id, User-Name, Framed-IP-Address,
//     Framed-IPv6-Prefix, Delegated-IPv6-Prefix, NAS-Port, Calling-Station-Id; every one present must match (none at all: NAK 402);
//   - a CoA may change Session-Timeout, Idle-Timeout and the rate limit (the forms of
//     radius/policy_attributes.hpp; malformed: NAK 407); others: NAK 401.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dataplane/session_table.hpp"
#include "master/dae_server.hpp"
#include "radius/access.hpp"
#include "radius/policy_attributes.hpp"

namespace pppoe::master {

struct DaeMatch {
  std::vector<std::uint16_t> sessions;
  std::optional<radius::ErrorCause> refusal;  ///< set: NAK with this cause
  std::optional<std::uint32_t> session_timeout, idle_timeout;  ///< CoA changes
  radius::RadiusPolicy policy;  ///< CoA: a new rate limit (named policies not looked up yet)
  std::string problem;          ///< why an attribute's value was refused
};

DaeMatch match_dae_request(const radius::PacketView& request, const dataplane::SessionTable& table,
                           const radius::NasInfo& nas);

}  // namespace pppoe::master
