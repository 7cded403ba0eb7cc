// Every reason a frame or packet is dropped, each one a counter readable over the control
// socket (style.md habit 2: count and drop, never crash).
#pragma once

#include <array>
#include <cstdint>

namespace pppoe::dataplane {

enum class Drop : std::uint8_t {
  kEtherMalformed,
  kPppoeMalformed,
  kUnknownSession,
  kSessionMacMismatch,
  kPppMalformed,
  kDataBeforeUp,
  kSpoofedSource,
  kTunWriteFailed,
  kDownstreamNoSession,
  kDownstreamTooBig,
  kDownstreamMalformed,
  kPadiNotBroadcast,
  kPadiNoServiceName,
  kServiceUnavailable,
  kBadCookie,
  kDiscoveryNotForUs,
  kDiscoveryMalformed,
  kDiscoveryUnexpectedCode,
  kPadtSpoofed,
  kPadtUnknownSession,
  kMaxSessions,
  kPadtRateLimited,
  kPadiRateLimited,     ///< over net.graph.pppoe_lb.limits.padi_rate
  kPadiMacRateLimited,  ///< over limits.padi_rate_per_mac
  kPadoSuppressed,      ///< at or over limits.pado_stop_sessions or pado_stop_cpu, or no worker ACTIVE
  kMaxStarting,         ///< PADR while limits.max_starting sessions negotiate
  kMacSessionLimit,     ///< PADR from a MAC with limits.max_sessions_per_mac sessions
  kPppControlMalformed,  ///< LCP/IPCP/IPv6CP packet or option, PAP/CHAP message that does not parse
  kPppUnknownCode,       ///< control packet with an unknown code (answered with Code-Reject)
  kPppUnknownProtocol,   ///< unknown PPP protocol (answered with Protocol-Reject)
  kPppControlFlood,      ///< control frames of one session over limits.ppp_control_rate
  kPppOutOfPhase,        ///< PAP/CHAP/IPCP/IPv6CP before their phase (silently discarded)
  kRxQueueFull,          ///< frames the kernel dropped: this process's receive ring was full
  kStandbySilent,        ///< discovery or unknown-session frame seen by a standby pair's BACKUP (not answered)
  kNdMalformed,          ///< a Router Solicitation that fails RFC 4861 section 6.1.1's checks
  kRsRateLimited,        ///< a Router Solicitation within 3 s of the last answer (RFC 4861 MIN_DELAY_BETWEEN_RAS)
  kUnspecifiedSource,    ///< IPv6 from :: (duplicate address detection probes): nothing to answer on a point-to-point link
  kDhcpv6Malformed,      ///< a DHCPv6 message (or its UDP) that does not parse, or a bad UDP checksum
  kDhcpv6RateLimited,    ///< DHCPv6 messages of one session over dhcpv6-rate
  kDhcpv6Discarded,      ///< dropped as RFC 8415 section 16 says (identifiers missing or not ours)
  kPoliced,              ///< upstream over the session's rate limit (policer)
  kShaperQueueFull,      ///< downstream over the session's rate limit with its queue full (shaper)
  kFiltered,             ///< denied by the session's filter list
  kCount
};

constexpr const char* to_string(Drop d) {
  switch (d) {
    case Drop::kEtherMalformed: return "ether_malformed";
    case Drop::kPppoeMalformed: return "pppoe_malformed";
    case Drop::kUnknownSession: return "unknown_session";
    case Drop::kSessionMacMismatch: return "session_mac_mismatch";
    case Drop::kPppMalformed: return "ppp_malformed";
    case Drop::kDataBeforeUp: return "data_before_up";
    case Drop::kSpoofedSource: return "spoofed_source";
    case Drop::kTunWriteFailed: return "tun_write_failed";
    case Drop::kDownstreamNoSession: return "downstream_no_session";
    case Drop::kDownstreamTooBig: return "downstream_too_big";
    case Drop::kDownstreamMalformed: return "downstream_malformed";
    case Drop::kPadiNotBroadcast: return "padi_not_broadcast";
    case Drop::kPadiNoServiceName: return "padi_no_service_name";
    case Drop::kServiceUnavailable: return "service_unavailable";
    case Drop::kBadCookie: return "bad_cookie";
    case Drop::kDiscoveryNotForUs: return "discovery_not_for_us";
    case Drop::kDiscoveryMalformed: return "discovery_malformed";
    case Drop::kDiscoveryUnexpectedCode: return "discovery_unexpected_code";
    case Drop::kPadtSpoofed: return "padt_spoofed";
    case Drop::kPadtUnknownSession: return "padt_unknown_session";
    case Drop::kMaxSessions: return "max_sessions";
    case Drop::kPadtRateLimited: return "padt_rate_limited";
    case Drop::kPadiRateLimited: return "padi_rate_limited";
    case Drop::kPadiMacRateLimited: return "padi_mac_rate_limited";
    case Drop::kPadoSuppressed: return "pado_suppressed";
    case Drop::kMaxStarting: return "max_starting";
    case Drop::kMacSessionLimit: return "mac_session_limit";
    case Drop::kPppControlMalformed: return "ppp_control_malformed";
    case Drop::kPppUnknownCode: return "ppp_unknown_code";
    case Drop::kPppUnknownProtocol: return "ppp_unknown_protocol";
    case Drop::kPppControlFlood: return "ppp_control_flood";
    case Drop::kPppOutOfPhase: return "ppp_out_of_phase";
    case Drop::kStandbySilent: return "standby_silent";
    case Drop::kNdMalformed: return "nd_malformed";
    case Drop::kRsRateLimited: return "rs_rate_limited";
    case Drop::kUnspecifiedSource: return "unspecified_source";
    case Drop::kDhcpv6Malformed: return "dhcpv6_malformed";
    case Drop::kDhcpv6RateLimited: return "dhcpv6_rate_limited";
    case Drop::kPoliced: return "policed";
    case Drop::kShaperQueueFull: return "shaper_queue_full";
    case Drop::kFiltered: return "filtered";
    case Drop::kDhcpv6Discarded: return "dhcpv6_discarded";
    case Drop::kRxQueueFull: return "rx_queue_full";
    case Drop::kCount: return "?";
  }
  return "?";
}

class DropCounters {
 public:
  void count(Drop d) { ++counts_[static_cast<std::size_t>(d)]; }
  void count(Drop d, std::uint64_t n) { counts_[static_cast<std::size_t>(d)] += n; }
  [[nodiscard]] std::uint64_t get(Drop d) const { return counts_[static_cast<std::size_t>(d)]; }
  [[nodiscard]] std::uint64_t total() const {
    std::uint64_t t = 0;
    for (auto c : counts_) t += c;
    return t;
  }

 private:
  std::array<std::uint64_t, static_cast<std::size_t>(Drop::kCount)> counts_{};
};

}  // namespace pppoe::dataplane
