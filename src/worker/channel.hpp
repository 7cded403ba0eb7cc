// Messages between the master and one worker over a stream socketpair: fixed-size records.
// The control plane only; data never passes here.
//
// A stream socket rather than SOCK_SEQPACKET: a datagram socketpair queues only
// net.unix.max_dgram_qlen (10) messages, and a storm of session events needs thousands.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/mac.hpp"
#include "proto/ether.hpp"

namespace pppoe::worker {

enum class MessageType : std::uint8_t {
  // master -> worker
  kStart,       ///< a session was created in discovery (PADS sent): start PPP
  kPeerPadt,    ///< the client sent PADT
  kDisconnect,  ///< end a session (operator, drain timeout, conflict)
  kShutdown,    ///< end every session and exit
  kChangeTimeouts,  ///< RADIUS CoA: new session/idle timeouts for one session
  kLnsStart,    ///< LNS: the session ID for an L2TP call (0: refused), answering kLnsCall
  kAdopt,       ///< continue a session from its shared record (a crashed worker's, or one migrated here)
  kMigrateOut,  ///< hand this session to another worker: publish its record and let it go silently
  kHandover,    ///< restart/upgrade: publish every session, let go of those that can be continued, exit
  kChangeRate,  ///< RADIUS CoA or pppoectl: a new rate limit for one session
  kReload,      ///< the configuration changed: read the master's snapshot (generation in `generation`)
  // worker -> master
  kSessionUp,     ///< IPCP opened: index the address
  kIpv6Up,        ///< IPv6CP opened: index the interface identifier
  kIpv6Down,
  kSessionEnded,  ///< gone: unindex, free the session ID
  kLnsCall,       ///< LNS: an L2TP call came in on one of our tunnels; needs a session ID
  kMigrated,      ///< answer to kMigrateOut: reason 0 = let go (record complete), 1 = kept (cannot move now)
  kPrefixDelegated,  ///< DHCPv6 delegated a prefix to the session: index it
  kPrefixReturned,   ///< ... and the client released it: unindex
  kReloaded,         ///< answer to kReload: reason 0 = applied, 1 = failed (the worker logged why)
};

struct Message {
  MessageType type = MessageType::kStart;
  std::uint8_t reason = 0;  ///< session::EndReason for kDisconnect / kShutdown
  std::uint16_t session_id = 0;
  std::uint16_t max_payload = 0;
  MacAddress mac;
  ether::VlanStack vlans;
  std::uint32_t ipv4 = 0;
  std::uint64_t ipv6_id = 0;
  /// kIpv6Up, kSessionEnded: the session's /64 (upper 64 bits, length; 0 = none).
  std::uint64_t ipv6_prefix = 0;
  std::uint8_t ipv6_prefix_len = 0;
  /// kPrefixDelegated, kPrefixReturned, kSessionEnded: the delegated prefix (0 = none).
  std::uint8_t delegated_len = 0;
  std::uint64_t delegated_prefix = 0;
  /// kSessionEnded: keep the prefixes for this user (HeldPrefixes::key_of) instead of freeing them.
  bool hold_prefixes = false;
  std::uint64_t user_key = 0;
  /// kChangeTimeouts: new values in seconds (0 = none) for the fields flagged in `reason`
  /// (bit 0 session timeout, bit 1 idle timeout).
  std::uint32_t session_timeout = 0, idle_timeout = 0;
  /// kChangeRate: the limits (kbit/s, bucket octets; 0 kbit/s = none) for the directions
  /// flagged in `reason` (bit 0 down, bit 1 up), and the filter list (bit 2; 0 = none); the
  /// others stay.
  std::uint32_t rate_down_kbps = 0, rate_down_burst = 0, rate_up_kbps = 0, rate_up_burst = 0;
  std::uint32_t filter_id = 0;
  /// kReload, kReloaded: which reload (the master counts them from 1).
  std::uint32_t generation = 0;
  /// kSessionEnded: for `pppoectl show failures` (NUL-terminated): the user, the PPP phase it
  /// was in (session::Phase) and why authentication failed, in words, when it did.
  std::uint8_t phase = 0;
  bool was_up = false;
  char user[64] = {};
  char detail[96] = {};
  /// kStart: TR-101 line identification from the PADR (NUL-terminated).
  char circuit_id[64] = {};
  char remote_id[64] = {};
  /// kLnsCall / kLnsStart: our endpoint index (dataplane::L2tpDispatch), tunnel and session IDs.
  std::uint8_t l2tp_endpoint = 0;
  std::uint16_t l2tp_tunnel = 0, l2tp_session = 0;
};

/// One end of the socketpair.
class Channel {
 public:
  /// Creates a connected pair; [0] for the master, [1] for the worker.
  static std::optional<std::pair<int, int>> make_pair();
  Channel() = default;
  explicit Channel(int fd) : fd_(fd) {}

  [[nodiscard]] int fd() const { return fd_; }
  /// Sends one record now (after anything queued). Waits only if the peer's 4 MiB buffer is
  /// full; false if the peer is gone.
  bool send(const Message& m);
  /// Queues one record for the next flush(): per-session events of one event-loop turn go in
  /// one system call instead of one each. Flushes by itself when 64 are queued.
  bool queue(const Message& m);
  /// Sends everything queued; false if the peer is gone.
  bool flush();
  /// One record if a whole one has arrived; reads what the socket has without blocking.
  std::optional<Message> receive();
  /// True once the peer closed its end and every record was read.
  [[nodiscard]] bool closed() const { return closed_ && rx_.size() < sizeof(Message); }

 private:
  bool write_all(const std::uint8_t* p, std::size_t left);
  int fd_ = -1;
  std::vector<std::uint8_t> rx_;
  std::vector<std::uint8_t> tx_;
  bool closed_ = false;
};

}  // namespace pppoe::worker
