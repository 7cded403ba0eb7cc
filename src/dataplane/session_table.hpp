// The shared session table (design.md "Session table"): fixed-size records in shared memory,
// one per PPPoE session ID, written by the worker that owns the session and readable by every
// process without locks (a seqlock per record). Today one process uses it; the multi-worker
// issue maps it into the master and every worker, and crash recovery reads it back.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <optional>

#include "common/mac.hpp"
#include "proto/ether.hpp"

namespace pppoe::dataplane {

enum class SessionState : std::uint8_t { kFree = 0, kNegotiating = 1, kUp = 2, kTerminating = 3 };
const char* to_string(SessionState s);

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
  /// Reader side: a consistent copy, or nullopt if the slot is free.
  [[nodiscard]] std::optional<SessionRecord> read(std::uint16_t id) const;
  void clear(std::uint16_t id) {
    update(id, [](SessionRecord& r) { r = SessionRecord{}; });
  }

 private:
  struct Slot {
    std::atomic<std::uint32_t> seq{0};
    SessionRecord record;
  };
  Slot* slots_ = nullptr;
};

}  // namespace pppoe::dataplane
