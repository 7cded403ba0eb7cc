// The shared session table (design.md "Session table"): fixed-size records in shared memory,
// one per PPPoE session ID, written by the worker that owns the session and readable by every
// process without locks (a seqlock per record). Today one process uses it; the multi-worker
// issue maps it into the master and every worker, and crash recovery reads it back.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "common/mac.hpp"
#include "proto/ether.hpp"

namespace pppoe::dataplane {

enum class SessionState : std::uint8_t { kFree = 0, kNegotiating = 1, kUp = 2, kTerminating = 3 };
const char* to_string(SessionState s);

/// Whether the kernel fast path forwards a session's IPv4 (issue 18), or why not: the first
/// thing it lacks that applies to the session. `pppoectl show session` says it.
enum class FastPathState : std::uint8_t {
  kNone = 0,     ///< no fast path in this pppoed (fast-path no, or it could not load)
  kForwarded,    ///< upstream and downstream IPv4 in the kernel
  kRateLimited,  ///< a rate limit (the kernel programs do not police)
  kFiltered,     ///< a filter list
  kFramedRoutes, ///< networks behind the subscriber (sources the kernel does not check)
  kL2tp,         ///< an L2TP call (LAC or LNS)
  kMapFull,      ///< the kernel's map refused the entry
};
const char* to_string(FastPathState s);

/// Plain data, no pointers: it must mean the same in every process that maps it.
struct SessionRecord {
  std::uint16_t session_id = 0;
  SessionState state = SessionState::kFree;
  std::uint8_t worker = 0;
  MacAddress client_mac;
  ether::VlanStack vlans;
  std::uint16_t peer_mru = 1492;
  std::uint32_t ipv4 = 0;          ///< host order; 0 until IPCP assigned
  std::uint64_t ipv6_peer_id = 0;  ///< IPv6CP interface identifier of the client
  char user[64] = {};
  // PPP phase (session::Phase) and automaton states (ppp::State) as their enum values, refreshed
  // by the owner within a second of a change; the master names them (to_string says "?" for
  // anything out of range).
  std::uint8_t phase = 0;
  std::uint8_t lcp = 0;
  std::uint8_t ipcp = 0;
  std::uint8_t ipv6cp = 0;
  std::uint32_t peer_magic = 0;
  std::uint32_t echo_misses = 0;
  char auth[12] = {};
  std::uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0;
  std::int64_t created_unix_ms = 0;
  std::int64_t up_unix_ms = 0;
  std::int64_t last_activity_unix_ms = 0;
  // AAA: what the master needs to find a session for RFC 5176 requests, and to send the Stop
  // record itself when the owning worker crashed.
  char acct_session_id[24] = {};
  bool acct_started = false;  ///< an Accounting Start went out: a Stop is owed
  bool radius_auth = false;
  std::uint8_t class_len = 0;
  std::uint8_t class_attr[64] = {};  ///< RADIUS Class (the first 64 octets)
  std::uint32_t session_timeout = 0, idle_timeout = 0;  ///< seconds in force; 0 = none
  // LAC: the L2TP call the session was switched into (0: terminated here). LNS: the call the
  // session came in on (our tunnel and session IDs, the LAC's session ID).
  std::uint16_t l2tp_tunnel = 0, l2tp_session = 0, l2tp_peer_session = 0;
  // LNS only: what any worker needs to send the session a data message (downstream from its
  // TUN queue): the LAC's tunnel ID and address, which of our endpoints the tunnel uses.
  bool lns = false;
  bool l2tp_sequenced = false;     ///< data messages carry Ns (shared counter in SessionTraffic)
  std::uint8_t l2tp_endpoint = 0;  ///< index of our endpoint (dataplane::L2tpDispatch)
  std::uint16_t l2tp_peer_tunnel = 0;
  std::uint16_t l2tp_peer_port = 0;
  std::uint32_t l2tp_peer_address = 0;  ///< host order

  // Adoption (operator guide "High availability"): when the owning worker dies, its
  // replacement continues the session from here without the peer noticing. Refreshed with
  // every publish while the network phase holds; `adoptable` says the block is complete (a
  // PPPoE-terminated session whose IPCP is Opened).
  bool adoptable = false;
  FastPathState fast_path = FastPathState::kNone;
  std::uint8_t auth_method = 0;  ///< ppp::AuthMethod
  std::uint8_t lcp_next_id = 0, ipcp_next_id = 0, ipv6cp_next_id = 0;
  bool ipv6_opened = false;
  std::uint16_t lcp_peer_mru = 0;  ///< the MRU the peer asked for (peer_mru above is Framed-MTU capped)
  std::uint16_t max_payload = 0;   ///< RFC 4638 PPP-Max-Payload agreed in discovery (0: none)
  std::uint32_t local_magic = 0;
  std::uint32_t local_ipv4 = 0;    ///< our IPCP address, host order
  std::uint64_t ipv6_local_id = 0;
  std::uint32_t interim_interval = 0;    ///< seconds; 0 = none
  std::int64_t timeout_base_unix_ms = 0;  ///< Session-Timeout counts from here (IPCP up or the last CoA)
  char circuit_id[64] = {};  ///< TR-101 line identification from the PADR (RADIUS attributes)
  char remote_id[64] = {};
  std::uint16_t migrations = 0;  ///< times moved live between workers (intended, not an affinity drift)
  // IPv6 beyond the link (operator guide "IPv6"): the session's /64, announced in Router
  // Advertisements, and its delegated prefix (DHCPv6-PD); upper 64 bits and length, 0 = none.
  std::uint64_t ipv6_prefix = 0;
  std::uint8_t ipv6_prefix_len = 0;
  std::uint8_t delegated_prefix_len = 0;
  std::uint64_t delegated_prefix = 0;
  // The DHCPv6 binding (RFC 8415): the IAIDs of the delegated prefix and of the IA_NA address,
  // the client's DUID (its first 20 octets and its length), when it was last bound or renewed.
  std::uint32_t pd_iaid = 0, na_iaid = 0;
  bool na_bound = false;
  std::uint8_t duid_len = 0;
  std::uint8_t duid[20] = {};
  std::int64_t dhcpv6_bound_unix_ms = 0;
  // Service policy (operator guide "Service policy"): the rate limits in force, kbit/s and
  // bucket depth in octets; 0 kbit/s = no limit that way. Whoever forwards for the session
  // reads them here; their state (TAT, drop counters) is in SharedState::policy.
  std::uint32_t rate_down_kbps = 0, rate_down_burst = 0;
  std::uint32_t rate_up_kbps = 0, rate_up_burst = 0;
  std::uint32_t filter_id = 0;  ///< the session's filter list (policy::filter_id of its name; 0: none)
  // Networks behind the subscriber's router (Framed-Route, Framed-IPv6-Route, Framed-IP-Netmask,
  // ppp.secret route=): network (host order) or upper 64 bits, and length; 0 = none.
  std::uint32_t route4[2] = {};
  std::uint8_t route4_len[2] = {};
  std::uint8_t route6_len = 0;
  std::uint64_t route6 = 0;
  // The kernel fast path's counts the owning worker has folded into rx_* above and into
  // SharedState::downstream (written together with rx_*): what the kernel counted beyond them
  // when the worker dies is added by its replacement, or by the master for the Stop record.
  std::uint64_t fast_up_packets = 0, fast_up_octets = 0, fast_down_packets = 0, fast_down_octets = 0;
};

/// Nothing of the session is in the kernel's counters beyond its own counters (it left the
/// fast path, or entered it with the kernel's counters from zero).
inline void clear_fast_counts(SessionRecord& r) {
  r.fast_up_packets = r.fast_up_octets = r.fast_down_packets = r.fast_down_octets = 0;
}

/// The layout (and meaning) of SessionRecord as it leaves the process: in the handover state
/// file and on the standby sync channel. Bump it with every change of the record; a reader of
/// another version refuses to continue sessions from it.
inline constexpr std::uint32_t kSessionRecordVersion = 5;

/// A record from outside the process (a state file, the standby peer), copied into a record
/// and made safe to read: booleans 0 or 1, texts terminated, a VLAN count of at most 2 and a
/// Class length within its buffer. nullopt when `bytes` is not one record long.
std::optional<SessionRecord> record_from_bytes(std::span<const std::uint8_t> bytes);

/// A record a replacement worker can continue the session from: up, terminated here (an L2TP
/// call's tunnel state died with its worker), and with a complete adoption block.
inline bool can_adopt(const SessionRecord& r) {
  return r.state == SessionState::kUp && r.adoptable && !r.lns && r.l2tp_tunnel == 0 && r.ipv4 != 0 &&
         r.auth_method <= 3 && r.local_magic != 0 && r.lcp_peer_mru >= 64;
}

/// What a reader found in a slot whose writer may have died mid-write.
struct CheckedRead {
  enum class Kind : std::uint8_t { kFree, kConsistent, kTorn } kind = Kind::kFree;
  /// kConsistent: the record. kTorn: the bytes as they are (for a PADT and a Stop, never to
  /// continue the session from).
  SessionRecord record;
};

class SessionTable {
 public:
  static constexpr std::size_t kCapacity = 65536;  ///< indexed by PPPoE session ID

  SessionTable();
  ~SessionTable();
  SessionTable(const SessionTable&) = delete;
  SessionTable& operator=(const SessionTable&) = delete;

  /// Writer side: runs `update` on the record under its seqlock.
  template <typename F>
  void update(std::uint16_t id, F&& update) {
    Slot& s = slots_[id];
    s.seq.fetch_add(1, std::memory_order_acq_rel);
    std::atomic_thread_fence(std::memory_order_release);
    update(s.record);
    std::atomic_thread_fence(std::memory_order_release);
    s.seq.fetch_add(1, std::memory_order_acq_rel);
  }
  /// Reader side: a consistent copy, or nullopt if the slot is free (or its writer stayed inside
  /// update() for 20 ms: a writer that died there; read_checked() tells those apart).
  [[nodiscard]] std::optional<SessionRecord> read(std::uint16_t id) const;
  /// For a slot whose writer is gone (a crashed worker): a sequence left odd means the writer
  /// died inside update(), and the record is torn.
  [[nodiscard]] CheckedRead read_checked(std::uint16_t id) const;
  /// The slot's seqlock sequence: changes with every update (the standby sync sends a record
  /// again when it has).
  [[nodiscard]] std::uint32_t version(std::uint16_t id) const { return slots_[id].seq.load(std::memory_order_acquire); }
  void clear(std::uint16_t id) {
    update(id, [](SessionRecord& r) { r = SessionRecord{}; });
  }
  /// clear() for a slot whose writer died, perhaps inside update(): the sequence is made even
  /// again first, or every later reader would take the slot for torn.
  void clear_abandoned(std::uint16_t id) {
    Slot& s = slots_[id];
    if (std::uint32_t q = s.seq.load(std::memory_order_acquire); (q & 1u) != 0) s.seq.store(q + 1, std::memory_order_release);
    clear(id);
  }

 private:
  struct Slot {
    std::atomic<std::uint32_t> seq{0};
    SessionRecord record;
  };
  Slot* slots_ = nullptr;
};

}  // namespace pppoe::dataplane
