// Everything the master and the workers share, created by the master before any fork.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "dataplane/drop_counters.hpp"
#include "dataplane/l2tp_tunnel_table.hpp"
#include "dataplane/session_policy.hpp"
#include "policy/filter.hpp"
#include "dataplane/session_table.hpp"
#include "dataplane/shared_index.hpp"
#include "dataplane/shared_memory.hpp"
#include "dataplane/held_prefixes.hpp"
#include "dataplane/prefix_index.hpp"
#include "dataplane/shared_pools.hpp"
#include "dataplane/shared_prefix_pool.hpp"
#include "l2tp/lac_counters.hpp"
#include "l2tp/lns_counters.hpp"
#include "radius/counters.hpp"

namespace pppoe::dataplane {

/// Worker states with the numbers of the seed's sysctl (handbook 30.6.4.4, 30.6.11.8).
enum class WorkerState : std::uint32_t { kActive = 0, kDraining = 1, kPendingRemoval = 2, kUnused = 3 };
const char* to_string(WorkerState s);

inline constexpr std::size_t kMaxWorkers = 64;

/// RADIUS servers whose figures a worker publishes, per kind, in priority order (metrics).
inline constexpr std::size_t kPublishedRadiusServers = 8;
/// Authentication answers by method (ppp::AuthMethod: none, PAP, CHAP-MD5, MS-CHAPv2).
inline constexpr std::size_t kAuthMethods = 4;
enum class AuthOutcome : std::uint8_t { kAccepted, kRejected, kNoAnswer, kCount };

/// One RADIUS server as one process sees it (radius::ServerStats).
struct RadiusServerCounters {
  std::atomic<std::uint64_t> requests, retransmits, timeouts, responses, latency_sum_us;
  std::array<std::atomic<std::uint64_t>, 11> latency;  ///< per radius::ServerStats bucket
  std::atomic<std::uint64_t> outstanding;              ///< sent, not answered yet (a gauge)
};

/// One worker's live figures, written by that worker (counters) or the master (state, pid).
struct WorkerSlot {
  std::atomic<std::uint32_t> state;  ///< WorkerState; kActive is 0, so slots start "unused" via `pid`
  std::atomic<std::int32_t> pid;     ///< 0: no worker in this slot
  std::atomic<std::int64_t> started_unix;
  std::atomic<std::int64_t> draining_since_unix;
  std::atomic<std::uint64_t> sessions;
  std::atomic<std::uint64_t> bytes_in, bytes_out, packets_in, packets_out;
  std::atomic<std::uint64_t> session_frames;          ///< 0x8864 frames the kernel gave this worker
  std::atomic<std::uint64_t> foreign_frames;          ///< ...of those, for sessions it does not own (affinity errors)
  std::atomic<std::uint64_t> downstream_for_others;   ///< TUN packets it encapsulated for other workers' sessions
  std::atomic<std::uint64_t> mss_clamped;             ///< TCP SYNs whose MSS option it lowered (both ways)
  std::atomic<std::uint64_t> shaped_packets;          ///< downstream packets a shaper held back, then sent
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Drop::kCount)> drops;
  // Session totals of this worker's life, published by the worker after each event-loop turn.
  std::atomic<std::uint64_t> sessions_started, sessions_up, sessions_ended, auth_failures, pool_exhausted, padt_sent;
  std::array<std::atomic<std::uint64_t>, 16> ended_by_reason;
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(radius::AaaCounter::kCount)> aaa;
  std::atomic<std::uint32_t> radius_dead_auth, radius_dead_acct;  ///< bit i: server i in hold-down
  std::atomic<std::uint32_t> radius_in_flight_auth, radius_in_flight_acct;  ///< requests in progress
  std::array<std::atomic<std::uint64_t>, l2tp::kLacCounters> lac;  ///< l2tp::LacCounter
  std::array<std::atomic<std::uint64_t>, l2tp::kLnsCounters> lns;  ///< l2tp::LnsCounter
  std::array<std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(AuthOutcome::kCount)>, kAuthMethods> auth;
  /// Authentication servers first, then accounting servers.
  std::array<RadiusServerCounters, 2 * kPublishedRadiusServers> radius_servers;
};

/// Downstream counters per session: any worker may encapsulate for any session.
struct SessionTraffic {
  std::atomic<std::uint64_t> packets;
  std::atomic<std::uint64_t> bytes;
  /// LNS sessions with sequenced data (RFC 2661 section 5.4): the next Ns of the session's
  /// data messages, taken by whichever worker sends one.
  std::atomic<std::uint32_t> l2tp_ns;
};

/// `pppoectl debug user NAME | mac MAC on`: a subscriber whose frames are logged, decoded,
/// until a time (a slot is free while `until_unix` is 0).
struct DebugTarget {
  std::atomic<std::uint64_t> mac;        ///< MacAddress::as_u64(); 0: by user
  std::atomic<std::uint64_t> user_key;   ///< HeldPrefixes::key_of(user); 0: by MAC
  std::atomic<std::int64_t> until_unix;
};
inline constexpr std::size_t kDebugTargets = 16;

/// Written by the master (config, sysctl), read by the workers.
struct LiveSettings {
  std::array<DebugTarget, kDebugTargets> debug;
  std::atomic<std::uint32_t> debug_targets;  ///< slots in use: 0 makes every check one load
  /// Whether a subscriber (MAC, user key; 0 = unknown) is being debugged at `now_unix`.
  [[nodiscard]] bool debugged(std::uint64_t mac, std::uint64_t user_key, std::int64_t now_unix) const {
    if (debug_targets.load(std::memory_order_relaxed) == 0) return false;
    for (const auto& t : debug) {
      if (t.until_unix.load(std::memory_order_relaxed) < now_unix) continue;
      std::uint64_t m = t.mac.load(std::memory_order_relaxed), u = t.user_key.load(std::memory_order_relaxed);
      if ((m != 0 && m == mac) || (u != 0 && u == user_key)) return true;
    }
    return false;
  }
  std::atomic<std::uint32_t> ppp_control_rate;  ///< limits.ppp_control_rate; 0 = no limit
  /// The standby pair (operator guide "High availability"): nonzero while this box is not the
  /// MASTER; every process then drops what it would send on the subscriber interface.
  std::atomic<std::uint32_t> silent;
  std::atomic<std::uint32_t> pool_part;  ///< PoolPart new sessions' addresses come from
};

struct SharedState {
  SharedState(const std::vector<session::AddressRange>& pool_ranges, Ipv4Address local, const NamedRanges& named = {},
              const std::vector<PrefixPoolSpec>& ipv6_pools = {}, const std::vector<PrefixPoolSpec>& delegate_pools = {})
      : pool(pool_ranges, named, local),
        ipv6_pool(ipv6_pools),
        delegate_pool(delegate_pools),
        workers(kMaxWorkers),
        downstream(SessionTable::kCapacity),
        policy(SessionTable::kCapacity),
        filter_hits(policy::kMaxFilterLists * policy::kMaxFilterRules) {}
  SessionTable table;
  SharedPools pool;
  SharedPrefixPools ipv6_pool;      ///< the sessions' /64s (ipv6-pool)
  SharedPrefixPools delegate_pool;  ///< delegated prefixes (ipv6-delegate-pool)
  SharedPrefixIndex prefixes;       ///< /64s, delegated prefixes, Framed-IPv6-Routes -> session ID (downstream IPv6)
  /// Framed-Routes -> session ID (downstream IPv4 when no address matches): IPv4 networks as
  /// the upper 32 of 64 bits, so the IPv6 prefix index serves (lengths 1..32).
  SharedPrefixIndex routes4{18};
  HeldPrefixes held_prefixes;       ///< ended sessions' prefixes kept for their users (ipv6-prefix-hold)
  SharedIndex ipv4{18};  ///< IPv4 address -> session ID
  SharedIndex ipv6{18};  ///< IPv6CP interface identifier -> session ID
  SharedArray<WorkerSlot> workers;
  SharedArray<SessionTraffic> downstream;
  SharedArray<PolicyState> policy;  ///< rate limits' state; pages touched only by sessions with limits
  /// Packets each filter rule decided (list index x kMaxFilterRules + rule), all workers.
  SharedArray<std::atomic<std::uint64_t>> filter_hits;
  SharedArray<LiveSettings> live{1};
  L2tpTunnelTable tunnels{kMaxWorkers};  ///< LAC tunnels, published by their workers
  /// Settings an operator changes at run time (sysctl), in shared memory so workers see them.
  LiveSettings& settings() { return live[0]; }
};

}  // namespace pppoe::dataplane
