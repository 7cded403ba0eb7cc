#include "radius/counters.hpp"

namespace pppoe::radius {

const char* to_string(AaaCounter c) {
  switch (c) {
    case AaaCounter::kAccessRequests: return "access_requests";
    case AaaCounter::kAccessAccepts: return "access_accepts";
    case AaaCounter::kAccessRejects: return "access_rejects";
    case AaaCounter::kAccessChallenges: return "access_challenges";
    case AaaCounter::kAccessNotHonoured: return "access_accepts_not_honoured";
    case AaaCounter::kAcctStarts: return "accounting_starts";
    case AaaCounter::kAcctUpdates: return "accounting_updates";
    case AaaCounter::kAcctStops: return "accounting_stops";
    case AaaCounter::kAcctResponses: return "accounting_responses";
    case AaaCounter::kAcctSpooled: return "accounting_spooled";
    case AaaCounter::kRetransmits: return "retransmits";
    case AaaCounter::kTimeouts: return "timeouts";
    case AaaCounter::kInvalidResponses: return "invalid_responses";
    case AaaCounter::kNoServer: return "no_server_answered";
    case AaaCounter::kFallbackLocal: return "fallback_local";
    case AaaCounter::kCount: break;
  }
  return "?";
}

}  // namespace pppoe::radius
