// What a worker's LAC counts (issue 20), by name: published to the worker's shared slot after
// each event-loop turn and summed by the master for `pppoectl show ac` (proac_info -s) and the
// sysctl tree. Drops of bad L2TP input are here too, one counter per reason.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pppoe::l2tp {

enum class LacCounter : std::uint8_t {
  kTunnelsOpened,        ///< SCCRQs sent
  kTunnelsUp,
  kTunnelsFailed,        ///< never came up: no answer, StopCCN, bad authentication
  kTunnelsLost,          ///< went down after coming up
  kEndpointsHeldDown,
  kCallsPlaced,          ///< ICRQs sent ("routes created")
  kCallsUp,
  kCallsFailed,          ///< ended before they were up ("route create failures")
  kCallsEnded,           ///< ended after they were up, by either side ("routes deleted")
  kCallsClosedByLns,     ///< CDN or StopCCN from the LNS ("closed by destination")
  kCallsClosedBySubscriber,  ///< PADT, echo timeout, operator ("closed by source")
  kFramesUp,             ///< PPP frames sent to the LNS
  kFramesDown,           ///< PPP frames from the LNS
  kFramesDropped,        ///< upstream frames the tunnel could not take
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
  kCount
};

constexpr const char* to_string(LacCounter c) {
  switch (c) {
    case LacCounter::kTunnelsOpened: return "tunnels_opened";
    case LacCounter::kTunnelsUp: return "tunnels_up";
    case LacCounter::kTunnelsFailed: return "tunnels_failed";
    case LacCounter::kTunnelsLost: return "tunnels_lost";
    case LacCounter::kEndpointsHeldDown: return "endpoints_held_down";
    case LacCounter::kCallsPlaced: return "calls_placed";
    case LacCounter::kCallsUp: return "calls_up";
    case LacCounter::kCallsFailed: return "calls_failed";
    case LacCounter::kCallsEnded: return "calls_ended";
    case LacCounter::kCallsClosedByLns: return "calls_closed_by_lns";
    case LacCounter::kCallsClosedBySubscriber: return "calls_closed_by_subscriber";
    case LacCounter::kFramesUp: return "frames_to_lns";
    case LacCounter::kFramesDown: return "frames_from_lns";
    case LacCounter::kFramesDropped: return "frames_dropped";
    case LacCounter::kDatagramsIn: return "datagrams_in";
    case LacCounter::kDatagramsOut: return "datagrams_out";
    case LacCounter::kSendFailed: return "send_failed";
    case LacCounter::kDropTruncated: return "drop_truncated";
    case LacCounter::kDropBadVersion: return "drop_bad_version";
    case LacCounter::kDropControlFlags: return "drop_control_flags";
    case LacCounter::kDropBadLength: return "drop_bad_length";
    case LacCounter::kDropBadOffset: return "drop_bad_offset";
    case LacCounter::kDropUnknownTunnel: return "drop_unknown_tunnel";
    case LacCounter::kDropUnknownSession: return "drop_unknown_session";
    case LacCounter::kDropTunnelZero: return "drop_tunnel_zero";
    case LacCounter::kDropDataOutOfOrder: return "drop_data_out_of_order";
    case LacCounter::kControlRetransmitted: return "control_retransmitted";
    case LacCounter::kCount: break;
  }
  return "?";
}

inline constexpr std::size_t kLacCounters = static_cast<std::size_t>(LacCounter::kCount);

}  // namespace pppoe::l2tp
