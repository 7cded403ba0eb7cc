// What the authenticator side asks of the AAA backend, and what comes back. The backend may
// answer at once (ppp.secret) or later (RADIUS): ServerSession::auth_complete takes the answer.
// Results carry no secret.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "common/ipv4.hpp"
#include "common/ipv6.hpp"
#include "policy/framed_route.hpp"
#include "policy/rate.hpp"
#include "proto/ppp/lcp.hpp"
#include "proto/ppp/mschapv2.hpp"

namespace pppoe::session {

/// The credentials the peer sent, as the method defines them.
struct AuthRequest {
  ppp::AuthMethod method = ppp::AuthMethod::kPap;
  std::string user;
  std::string password;                    ///< PAP
  std::uint8_t chap_id = 0;                ///< Identifier of the CHAP Response (or PAP Request)
  std::array<std::uint8_t, 16> challenge{};  ///< our CHAP / MS-CHAPv2 authenticator challenge
  std::vector<std::uint8_t> response;      ///< CHAP-MD5: 16 octets; MS-CHAPv2: the 49-octet Response value
};

/// An L2TP tunnel the backend chose for the session (RFC 2868 attributes of one tag): the
/// session goes to that LNS instead of being terminated here.
struct TunnelChoice {
  std::uint8_t tag = 0;
  std::uint32_t preference = 0;         ///< lower first (RFC 2868 section 3.8)
  Ipv4Address server;                   ///< Tunnel-Server-Endpoint
  std::uint16_t server_port = 1701;
  std::optional<Ipv4Address> client;    ///< Tunnel-Client-Endpoint: our source address
  std::string password;                 ///< Tunnel-Password: the tunnel secret (never logged)
  std::string assignment_id;            ///< sessions with the same one share a tunnel
  std::string client_auth_id;           ///< our Host Name AVP
  std::string server_auth_id;           ///< the LNS's expected Host Name
};

/// Authorization: what the backend decided for this user.
struct AuthResult {
  bool ok = false;
  bool backend_unavailable = false;       ///< no server answered (not a reject)
  /// Why not, in words for the operator (`pppoectl show failures`): "unknown user", "wrong
  /// password", "RADIUS reject: REPLY-MESSAGE", ...; never a secret.
  std::string reason;
  std::optional<Ipv4Address> framed_ip;   ///< a fixed address for this user
  std::optional<Ipv4Address> framed_netmask;
  std::string framed_pool;                ///< a named pool to take the address from
  // IPv6 (RFC 3162, RFC 4818, RFC 6911): a fixed /64 or delegated prefix, or the named pools
  // to take them from; DNS servers for the Router Advertisement and DHCPv6.
  std::optional<Ipv6Prefix> framed_ipv6_prefix;   ///< Framed-IPv6-Prefix (a /64)
  std::string framed_ipv6_pool;                   ///< Framed-IPv6-Pool
  std::optional<Ipv6Prefix> delegated_prefix;     ///< Delegated-IPv6-Prefix (48..64)
  std::string delegated_pool;                     ///< Delegated-IPv6-Prefix-Pool
  std::vector<Ipv6Bytes> dns6;                    ///< DNS-Server-IPv6-Address
  // Service policy: the user's rate limit (ppp.secret rate=, or RADIUS in one of the forms of
  // radius/policy_attributes.hpp), and QoS policy names still to be looked up in the config.
  policy::RateLimit rate;
  std::string qos_policy_down, qos_policy_up;
  std::string filter;  ///< a filter list by name (ppp.secret filter=, or a Filter-Id that is no rate)
  policy::FramedRoutes routes;  ///< Framed-Route, Framed-IPv6-Route (ppp.secret route=); netmask separate
  std::optional<unsigned> session_timeout, idle_timeout, interim_interval;  ///< seconds
  std::optional<std::uint16_t> framed_mtu;
  std::optional<Ipv4Address> dns1, dns2;
  std::vector<std::uint8_t> class_attr;   ///< RADIUS Class, echoed in accounting
  std::string mschap_success;             ///< MS-CHAPv2 "S=..." authenticator response
  std::string mschap_error;               ///< MS-CHAPv2 "E=... R=... V=3" failure text, if the backend gave one
  std::string reply_message;
  bool radius = false;                    ///< authenticated by RADIUS (Acct-Authentic)
  std::vector<TunnelChoice> tunnels;      ///< L2TP tunnels for the session, by preference; empty: terminate here
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// Starts checking `request`. The answer goes to the session's auth_complete(), possibly
  /// before this returns.
  virtual void authenticate(const AuthRequest& request, TimePoint now) = 0;
};

/// Address assignment for the network phase.
class AddressAssigner {
 public:
  virtual ~AddressAssigner() = default;
  /// An address: `fixed` if given and free, else one from `pool` (empty: the default pool).
  virtual std::optional<Ipv4Address> assign(std::optional<Ipv4Address> fixed, std::string_view pool) = 0;
};

}  // namespace pppoe::session
