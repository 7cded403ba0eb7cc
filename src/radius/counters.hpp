// RADIUS counters of one process, published in its shared worker slot and summed by the master
// for `pppoectl show radius` and the sysctl tree.
#pragma once

#include <cstdint>

namespace pppoe::radius {

/// RADIUS counters of one process (the names ProL2TP's show, spec/003).
enum class AaaCounter : std::uint8_t {
  kAccessRequests,
  kAccessAccepts,
  kAccessRejects,
  kAccessChallenges,
  kAccessNotHonoured,  ///< Accept we could not use (no MS-CHAP2-Success, bad MPPE keys)
  kAcctStarts,
  kAcctUpdates,
  kAcctStops,
  kAcctResponses,
  kAcctSpooled,        ///< Stop records written to the spool: no server answered
  kRetransmits,
  kTimeouts,
  kInvalidResponses,   ///< bad authenticator / Message-Authenticator, unknown Id, malformed
  kNoServer,           ///< requests no server answered
  kFallbackLocal,      ///< authentications answered from ppp.secret because no server answered
  kCount,
};
const char* to_string(AaaCounter c);

}  // namespace pppoe::radius
