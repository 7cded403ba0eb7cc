// Accounting-Request contents (RFC 2866, RFC 2869 for Gigawords and Event-Timestamp) and the
// mapping from why a session ended to Acct-Terminate-Cause.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "radius/access.hpp"
#include "session/ppp_link.hpp"

namespace pppoe::radius {

/// One session's accounting state at the moment of a record.
/// RFC 2867: a session switched into an L2TP tunnel (LAC). The Tunnel-* attributes of RFC 2868
/// (untagged) and Acct-Tunnel-Connection describe where it went.
struct TunnelAccounting {
  std::string client_endpoint;  ///< our address
  std::string server_endpoint;  ///< the LNS's
  std::string connection;       ///< Acct-Tunnel-Connection: the Call Serial Number (section 4.1)
  std::string client_auth_id;   ///< our host name
  std::string server_auth_id;   ///< the LNS's host name
  std::string assignment_id;
};

struct AcctRecord {
  AcctStatus status = AcctStatus::kStart;
  std::string user;
  std::vector<std::uint8_t> class_attr;
  Ipv4Address framed_ip;
  Ipv6Prefix framed_ipv6_prefix;  ///< the session's /64 (RFC 3162), empty: none
  Ipv6Prefix delegated_prefix;    ///< its delegated prefix (RFC 4818), empty: none
  bool radius_authenticated = true;
  std::uint64_t input_octets = 0, output_octets = 0;  ///< from the client / to the client
  std::uint64_t input_packets = 0, output_packets = 0;
  std::uint32_t session_time = 0;  ///< seconds since the session came up
  std::optional<TerminateCause> cause;
  std::int64_t event_unix = 0;
  std::optional<TunnelAccounting> tunnel;
};

TerminateCause terminate_cause(session::EndReason reason);

/// An Accounting-Request for one session (Acct-Delay-Time is added when sent).
Request accounting_request(const AcctRecord& rec, const NasInfo& nas, const SessionIdentity& who);

/// Accounting-On / -Off (RFC 2866 section 5.1): the NAS (re)started or stops; the server may
/// close every open session of this NAS.
Request accounting_on_off(bool on, const NasInfo& nas, std::string_view acct_session_id, std::int64_t event_unix);

}  // namespace pppoe::radius
