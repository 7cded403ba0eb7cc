// What a worker's LNS counts (issue 20), by name: published to the worker's shared slot each
// tick and summed by the master for `pppoectl show system` and `show lns`. The LAC counts apart
// (lac_counters.hpp): "the LNS and LAC run together or apart; each has its own counters".
#pragma once

#include <cstddef>
#include <cstdint>

namespace pppoe::l2tp {

enum class LnsCounter : std::uint8_t {
  kTunnelsAccepted,      ///< SCCRQs answered with SCCRP
  kTunnelsRefused,       ///< SCCRQs from LACs that are not configured (StopCCN, not authorized)
  kTunnelsUp,            ///< SCCCN checked: established
  kTunnelsDown,          ///< ended, by either side or by failure
  kCallsOffered,         ///< ICCNs: calls the LAC completed
  kCallsUp,              ///< calls that got a session here
  kCallsRefused,         ///< no session for them (limit reached, no session ID)
  kCallsEnded,           ///< ended after they got a session, by either side
  kCallsClosedByLac,     ///< CDN or StopCCN from the LAC
  kProxyAccepted,        ///< Proxy LCP and authentication taken as the LAC negotiated them
  kProxyRenegotiated,    ///< LCP negotiated again (policy, or the proxy was inconsistent)
  kFramesIn,             ///< PPP frames from the LACs
  kFramesOut,            ///< PPP frames to the LACs (control and data, all workers' downstream)
  kFramesNotReady,       ///< frames of a call whose session is not made yet (dropped)
  kDatagramsIn,
  kDatagramsOut,
  kSendFailed,
  kDropTruncated,        ///< datagrams that do not parse, by reason, in proto/l2tp HeaderError's order
  kDropBadVersion,
  kDropControlFlags,
  kDropBadLength,
  kDropBadOffset,
  kDropUnknownTunnel,
  kDropUnknownSession,
  kDropTunnelZero,
  kDropDataOutOfOrder,
  kControlRetransmitted,
  kTunnelAuthFailures,   ///< a LAC's Challenge Response that did not match our secret
  kCount
};

constexpr const char* to_string(LnsCounter c) {
  switch (c) {
    case LnsCounter::kTunnelsAccepted: return "tunnels_accepted";
    case LnsCounter::kTunnelsRefused: return "tunnels_refused";
    case LnsCounter::kTunnelsUp: return "tunnels_up";
    case LnsCounter::kTunnelsDown: return "tunnels_down";
    case LnsCounter::kCallsOffered: return "calls_offered";
    case LnsCounter::kCallsUp: return "calls_up";
    case LnsCounter::kCallsRefused: return "calls_refused";
    case LnsCounter::kCallsEnded: return "calls_ended";
    case LnsCounter::kCallsClosedByLac: return "calls_closed_by_lac";
    case LnsCounter::kProxyAccepted: return "proxy_lcp_accepted";
    case LnsCounter::kProxyRenegotiated: return "proxy_lcp_renegotiated";
    case LnsCounter::kFramesIn: return "frames_from_lac";
    case LnsCounter::kFramesOut: return "frames_to_lac";
    case LnsCounter::kFramesNotReady: return "frames_call_not_ready";
    case LnsCounter::kDatagramsIn: return "datagrams_in";
    case LnsCounter::kDatagramsOut: return "datagrams_out";
    case LnsCounter::kSendFailed: return "send_failed";
    case LnsCounter::kDropTruncated: return "drop_truncated";
    case LnsCounter::kDropBadVersion: return "drop_bad_version";
    case LnsCounter::kDropControlFlags: return "drop_control_flags";
    case LnsCounter::kDropBadLength: return "drop_bad_length";
    case LnsCounter::kDropBadOffset: return "drop_bad_offset";
    case LnsCounter::kDropUnknownTunnel: return "drop_unknown_tunnel";
    case LnsCounter::kDropUnknownSession: return "drop_unknown_session";
    case LnsCounter::kDropTunnelZero: return "drop_tunnel_zero";
    case LnsCounter::kDropDataOutOfOrder: return "drop_data_out_of_order";
    case LnsCounter::kControlRetransmitted: return "control_retransmitted";
    case LnsCounter::kTunnelAuthFailures: return "tunnel_auth_failures";
    case LnsCounter::kCount: break;
  }
  return "?";
}

inline constexpr std::size_t kLnsCounters = static_cast<std::size_t>(LnsCounter::kCount);

}  // namespace pppoe::l2tp
