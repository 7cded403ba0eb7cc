// pppoetest -m create: emulates many PPPoE subscribers on one interface, each with its own
// locally administered MAC, through the same protocol library in the peer role: discovery,
// LCP, authentication, IPCP, IPv6CP; then ICMP echo through every session.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/ipv4.hpp"
#include "common/ipv6.hpp"
#include "proto/ether.hpp"
#include "proto/ppp/lcp.hpp"

namespace pppoe::loadtest {

struct LoadOptions {
  std::string interface;
  unsigned sessions = 1;
  double rate = 0;  ///< new sessions per second; 0 = as fast as possible
  std::string user = "test";
  std::string password = "test";
  std::vector<ppp::AuthMethod> auth{ppp::AuthMethod::kPap, ppp::AuthMethod::kChapMd5, ppp::AuthMethod::kMsChapV2};
  std::string service;
  std::optional<Ipv4Address> target;  ///< default: the access concentrator's IPCP address
  /// IPv6 pings from each session's SLAAC address (its advertised /64) to here; without it,
  /// link-local pings to the AC.
  std::optional<Ipv6Bytes> target6;
  /// DHCPv6 after the Router Advertisement (RFC 8415): a delegated prefix (IA_PD; pings from
  /// an address in it too), an address (IA_NA), with Rapid Commit or Solicit/Advertise/Request.
  bool pd = false, ia_na = false, rapid_commit = true;
  unsigned pings = 3;
  std::size_t ping_size = 56;
  double setup_timeout = 60;  ///< seconds for all sessions to come up
  double hold = 0;            ///< seconds to keep sessions up after the traffic check
  bool vanish = false;        ///< exit without PADT (simulates CPEs losing power)
  bool ipv6 = true;
  std::uint16_t max_payload = 0;  ///< RFC 4638 PPP-Max-Payload to request; 0 = none
  /// TR-101 line identification added to PADI/PADR as a DSLAM's intermediate agent would.
  std::string circuit_id, remote_id;
  bool progress = false;
  ether::VlanStack vlans;  ///< tags on every frame: 802.1Q, or QinQ (802.1ad outer, 802.1Q inner)
  bool reconnect = false;  ///< a held session the AC ends starts discovery again, like a CPE
  /// LCP Echo-Requests from the subscriber every this many seconds, the link dead after 3
  /// unanswered (a CPE's lcp-echo-interval: how it notices an AC that died without a PADT); 0: none.
  unsigned echo_interval = 0;
  /// Seconds after a failed setup (refused login, no PADO, a failed NCP) before the subscriber
  /// dials again, until the setup timeout, as a CPE retries after its hold-off; 0: a failure is final.
  double retry = 0;
  bool hold_ping = false;  ///< pings through the sessions while holding (what subscribers see)
  unsigned traffic_interval_ms = 1000;  ///< ... one per session every this many ms
  unsigned traffic_sessions = 0;        ///< ... through the first N sessions only (0 = all)
  double flood = 0;        ///< seconds of back-to-back pings after the traffic check (load)
  struct Transfer {
    bool enabled = false;
    Ipv4Address server;
    std::uint16_t port = 9001;
    std::uint32_t blocks = 800;
    std::size_t block_size = 1024;
    std::uint32_t corrupt = 0;  ///< blocks whose payload is altered after their digest (tests)
  } transfer;
};

/// Parses "100" (802.1Q) or "200.300" (QinQ: 802.1ad outer 200, 802.1Q inner 300).
std::optional<ether::VlanStack> parse_vlans(std::string_view text);

struct LoadReport {
  unsigned attempted = 0;
  unsigned established = 0;
  std::map<std::string, unsigned> failed_by_phase;
  /// With --retry: failed attempts that were dialled again, by the phase that failed, and the
  /// sessions that came up after at least one.
  std::map<std::string, unsigned> retried_by_phase;
  unsigned up_after_retry = 0;
  double setup_p50_ms = 0, setup_p95_ms = 0, setup_max_ms = 0;
  double setup_rate = 0;  ///< established sessions per second of setup wall time
  double setup_wall_s = 0;
  std::uint64_t discovery_retransmits = 0;  ///< PADIs and PADRs sent again after no answer
  std::uint64_t rx_dropped = 0;             ///< frames the kernel dropped at our socket (client overload)
  std::uint64_t pings_sent = 0, pings_received = 0, pings_corrupted = 0;
  std::uint64_t pings6_sent = 0, pings6_received = 0;  ///< link-local ICMPv6 to the AC
  unsigned sessions_with_traffic = 0;  ///< sessions whose every ping came back intact
  unsigned ipv6_up = 0;
  unsigned ipv6_slaac = 0;   ///< sessions that got a /64 in a Router Advertisement
  unsigned ipv6_failed = 0;  ///< with --target6: sessions up without one (they asked)
  double ra_p50_ms = 0, ra_max_ms = 0;  ///< IPv6CP opened -> the advertisement
  unsigned ipv6_pd = 0, ipv6_na = 0;    ///< sessions with a delegated prefix, with an IA_NA address
  double dhcpv6_p50_ms = 0, dhcpv6_max_ms = 0;  ///< IPv6CP opened -> the DHCPv6 Reply
  unsigned closed_by_server = 0;  ///< sessions the AC ended while we held them
  unsigned reconnected = 0;       ///< of those, how many came back up (--reconnect)
  std::uint64_t hold_sent = 0, hold_received = 0;
  std::uint64_t hold_lost_stable = 0;  ///< hold pings lost by sessions the AC never ended
  /// What subscribers see while held: the largest time between two hold-ping replies of one
  /// session (its traffic gap), sessions whose LCP left Opened (a flap: renegotiation, or the
  /// session ended), and authentications after the first (the AC asked again).
  double hold_largest_gap_ms = 0;
  /// Round-trip times of the hold pings (a reply more than 8 pings late is not timed).
  std::size_t hold_rtt_samples = 0;
  double hold_rtt_p50_ms = 0, hold_rtt_p99_ms = 0;
  unsigned flapped = 0;
  unsigned reauthenticated = 0;
  /// The same per session, for each session that carried hold traffic (--traffic-sessions).
  struct HeldSession {
    std::uint16_t session_id = 0;
    std::string mac;
    double largest_gap_ms = 0;
    std::uint64_t sent = 0, lost = 0;
    bool flapped = false, reauthenticated = false;
  };
  std::vector<HeldSession> held;
  std::uint64_t flood_sent = 0, flood_received = 0;
  struct TransferResult {
    bool connected = false;  ///< the server answered the HELLO
    bool finished = false;   ///< the server sent its RESULT
    bool match = false;
    std::uint32_t sent = 0, acked_ok = 0, acked_bad = 0, lost = 0;
    std::uint32_t server_blocks = 0, server_ok = 0, server_bad = 0;
  } transfer;
  [[nodiscard]] unsigned failed() const {
    unsigned f = 0;
    for (const auto& [phase, n] : failed_by_phase) f += n;
    return f;
  }
  [[nodiscard]] std::uint64_t pings_lost() const { return pings_sent - pings_received; }
  [[nodiscard]] std::uint64_t pings6_lost() const { return pings6_sent - pings6_received; }
  [[nodiscard]] bool success() const {
    return established == attempted && pings_received == pings_sent && pings6_received == pings6_sent &&
           pings_corrupted == 0 && ipv6_failed == 0;
  }
};

/// Runs the whole create mode. Returns the report, or an error text when the interface cannot
/// be used (exit code 3 in pppoetest).
std::expected<LoadReport, std::string> run_load(const LoadOptions& options);

}  // namespace pppoe::loadtest
