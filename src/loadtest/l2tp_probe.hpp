// pppoetest -m l2tp: checks an LNS the way a LAC uses it. One tunnel (with tunnel
// authentication when a secret is given), then N incoming calls with proxy LCP and PAP
// proxy authentication, as a PPPoE LAC places them; reports how long the tunnel took, how
// many calls came up and how fast, why the others failed, and the control channel's
// retransmissions; then clears every call (CDN) and the tunnel (StopCCN).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "l2tp/host.hpp"

namespace pppoe::loadtest {

struct L2tpProbeOptions {
  l2tp::Endpoint lns;
  l2tp::Endpoint local{Ipv4Address{}, 0};  ///< source address and port (0: any; LNSs expect 1701: --l2tp-port)
  std::string secret;                      ///< tunnel secret (never printed)
  std::string host_name = "pppoetest";
  unsigned calls = 1;
  std::string user = "test";
  std::string password = "test";  ///< never printed
  double timeout = 10;             ///< seconds for the tunnel, then for all calls
  double hold = 0;                 ///< seconds to keep the calls up before clearing them
};

struct L2tpProbeReport {
  bool tunnel_up = false;
  double tunnel_ms = 0;
  std::string tunnel_error;  ///< why it did not come up or went down
  std::string peer_host, peer_vendor;
  unsigned calls_placed = 0, calls_up = 0;
  std::map<std::string, unsigned> call_failures;  ///< by reason
  double calls_seconds = 0;  ///< from the first ICRQ to the LNS's acknowledgement of the last ICCN
  double call_ms_p50 = 0, call_ms_p95 = 0, call_ms_max = 0;  ///< each call's ICRQ to its ICRP (ICCN sent)
  bool cleared = false;  ///< every call and the tunnel acknowledged their clearing
  std::uint64_t retransmitted = 0, zlb_sent = 0, duplicates = 0;
  l2tp::HostCounters host;
};

L2tpProbeReport run_l2tp_probe(const L2tpProbeOptions& o, const volatile int& stop);
/// Console lines (a human reads them) or one JSON object.
std::string render_l2tp_probe(const L2tpProbeReport& r, bool json);

}  // namespace pppoe::loadtest
