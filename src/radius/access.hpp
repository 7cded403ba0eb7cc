// Access-Request / Access-Accept for PPP authentication (RFC 2865, RFC 2548 for MS-CHAPv2):
// what we tell the server about a session, and what its answer means for the session.
#pragma once

#include <optional>
#include <string>

#include "common/ipv4.hpp"
#include "common/mac.hpp"
#include "proto/ether.hpp"
#include "radius/client.hpp"
#include "radius/dictionary.hpp"
#include "session/authenticator.hpp"

namespace pppoe::radius {

/// This access concentrator, as every request names it.
struct NasInfo {
  std::string identifier;                ///< NAS-Identifier
  std::optional<Ipv4Address> ip;         ///< NAS-IP-Address
  NasPortType port_type = NasPortType::kEthernet;
  std::string called_station_id;         ///< Called-Station-Id: our MAC on the subscriber side
};

/// One session, as every request about it names it.
struct SessionIdentity {
  std::uint16_t session_id = 0;  ///< NAS-Port
  std::string nas_port_id;       ///< NAS-Port-Id: "eth1" or "eth1:100.200" with VLANs
  MacAddress mac;                ///< Calling-Station-Id
  std::string circuit_id;        ///< TR-101 Agent-Circuit-Id (RFC 4679), if an agent added it
  std::string remote_id;         ///< TR-101 Agent-Remote-Id
  std::string acct_session_id;
  /// An LNS session: NAS-Port-Type Virtual (RFC 2865 section 5.41) and the LAC's Calling
  /// Number as Calling-Station-Id, instead of the NAS's port type and the MAC.
  bool virtual_port = false;
  std::string calling_station_id;
};

/// The attributes every request about a session carries.
void add_session_attributes(PacketBuilder& b, const NasInfo& nas, const SessionIdentity& who);

/// An Access-Request for `auth`; Message-Authenticator and User-Password are added per server.
Request access_request(const session::AuthRequest& auth, const NasInfo& nas, const SessionIdentity& who);

/// What an Access-Accept / -Reject / -Challenge means. `request_auth` and `secret` decrypt the
/// MPPE keys; `mppe_ok` tells whether keys present were well-formed (false: the reply is treated
/// as a reject, because a server that garbles keys has the wrong secret).
struct AccessOutcome {
  session::AuthResult result;
  bool challenge = false;
  bool mppe_keys = false;  ///< MS-MPPE-Send-Key and -Recv-Key present and decrypted
  std::string problem;     ///< why an Accept was not honoured
  std::string tunnel_problem;  ///< tunnel attributes that were ignored (the Accept still counts)
  std::string policy_problem;  ///< rate attributes that were ignored, all of them (the Accept still counts)
  std::string route_problem;   ///< a Framed-Route or Framed-IPv6-Route that was ignored
};
AccessOutcome interpret_access_reply(const PacketView& reply, const session::AuthRequest& auth,
                                     const Authenticator& request_auth, std::string_view secret);

/// The L2TP tunnels of an Access-Accept (RFC 2868): attributes grouped by tag, only those of
/// Tunnel-Type L2TP over IPv4 with a server endpoint kept, sorted by Tunnel-Preference.
/// `problem` says what was ignored (for the log), never with the password.
std::vector<session::TunnelChoice> tunnel_choices(const PacketView& reply, const Authenticator& request_auth,
                                                  std::string_view secret, std::string& problem);

/// "eth1", "eth1:100", "eth1:100.200" (outer.inner VLAN IDs).
std::string nas_port_id(std::string_view interface, const ether::VlanStack& vlans);

}  // namespace pppoe::radius
