// A worker: everything about its sessions. PPP negotiation and keep-alive, authentication,
// addresses, and the data plane between PPPoE session frames (0x8864) and its TUN queue.
//
// Upstream:   the kernel's BPF dispatch gives this worker only its own sessions' frames ->
//             session by ID (O(1) array) -> MAC/VLAN and source checks -> TUN queue
// Downstream: a packet from this worker's TUN queue, for ANY session -> shared index by
//             destination -> shared session record -> PPPoE frame (design.md: whichever
//             worker read it encapsulates it)
//
// The data path allocates nothing: frames are built in the socket's TX batch buffers.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "dataplane/drop_counters.hpp"
#include "dataplane/fast_path.hpp"
#include "dataplane/packet_socket.hpp"
#include "dataplane/shared_state.hpp"
#include "dataplane/routed_port.hpp"
#include "master/config.hpp"
#include "proto/pppoe.hpp"
#include "radius/aaa.hpp"
#include "session/server_session.hpp"
#include "worker/channel.hpp"
#include "worker/shaper_queue.hpp"
#include "worker/lac.hpp"
#include "worker/lns.hpp"
#include "worker/timer_wheel.hpp"

namespace pppoe::worker {

struct WorkerCounters {
  std::uint64_t sessions_started = 0;
  std::uint64_t sessions_up = 0;
  std::uint64_t sessions_adopted = 0;  ///< continued from a record (a crashed worker's, or migrated here)
  std::uint64_t sessions_migrated_out = 0;
  std::uint64_t sessions_ended = 0;
  std::uint64_t auth_failures = 0;
  std::uint64_t pool_exhausted = 0;
  std::uint64_t padt_sent = 0;
  std::uint64_t mss_clamped = 0;     ///< TCP SYNs whose MSS was lowered, both ways
  std::uint64_t shaped_packets = 0;  ///< downstream packets sent late by a shaper
  std::array<std::uint64_t, session::kEndReasons> ended_by_reason{};
  /// Authentication answers by method (ppp::AuthMethod) and dataplane::AuthOutcome.
  std::array<std::array<std::uint64_t, static_cast<std::size_t>(dataplane::AuthOutcome::kCount)>, dataplane::kAuthMethods>
      auth{};
};

/// A process's RADIUS servers' figures into its slot (the master publishes its own too).
void publish_radius_servers(const radius::Aaa& aaa, dataplane::WorkerSlot& slot);

class RouterAdvertiser;
class Dhcpv6Server;

class Worker final : public LacOwner, public LnsOwner {
 public:
  Worker(const master::Config& config, dataplane::PacketSocket& socket, dataplane::RoutedPort* routed,
         dataplane::SharedState& shared, radius::Aaa& aaa, std::uint8_t slot, Channel& master);
  ~Worker() override;

  /// LAC (l2tp-realm configured): sessions of a realm go to an LNS (lac.hpp).
  void set_lac(std::unique_ptr<Lac> lac) { lac_ = std::move(lac); }
  [[nodiscard]] Lac* lac() const { return lac_.get(); }
  /// LNS (l2tp-listen configured): calls from LACs terminated here.
  void set_lns(std::unique_ptr<Lns> lns) { lns_ = std::move(lns); }
  /// The kernel fast path (its maps, inherited from the master): sessions go on it at IPCP up.
  void set_fast_path(dataplane::FastPath* fp) { fast_path_ = fp; }
  [[nodiscard]] Lns* lns() const { return lns_.get(); }

  /// A message from the master (channel.hpp).
  void on_message(const Message& m, TimePoint now);
  /// A session-stage frame (ethertype 0x8864) the kernel dispatched to us.
  void on_session_frame(const ether::Header& eth, const pppoe_proto::Packet& pkt, TimePoint now);
  /// A frame the kernel gave us that does not parse.
  void count_drop(dataplane::Drop reason) { drops_.count(reason); }
  /// One IP packet read from our TUN queue.
  void on_tun_packet(Bytes packet, TimePoint now);
  /// Sends what the shapers held back and is due now; when the next is due (nullopt: none).
  std::optional<TimePoint> release_shaped(TimePoint now);
  /// Timers of every session; reaps the dead ones; publishes counters.
  void tick(TimePoint now);
  /// A RADIUS socket is readable: answers reach their sessions.
  void on_aaa_readable(int fd, TimePoint now);
  /// Copies our counters into the shared worker slot (after each event-loop turn).
  void publish_counters();
  /// RADIUS counters and server states into the shared slot: after RADIUS answers and each
  /// 100 ms tick (not on every packet turn), and at exit.
  void publish_aaa(TimePoint now);
  /// LAC and LNS counters into the shared slot (each tick and at shutdown).
  void publish_l2tp();
  /// Hands the upstream packets queued so far to the TUN (one system call per batch) and to
  /// the L2TP tunnels (one per tunnel socket); after each receive batch and each turn.
  void flush_upstream();
  /// Ends every session (LCP Terminate, PADT).
  void shutdown(session::EndReason reason, TimePoint now);

  [[nodiscard]] std::size_t session_count() const { return live_; }
  /// The master asked this worker to exit (kShutdown), wherever the message was read.
  [[nodiscard]] bool shutdown_requested() const { return shutdown_requested_; }
  [[nodiscard]] const WorkerCounters& counters() const { return counters_; }

 private:
  // LacOwner
  void call_up(std::uint16_t session) override;
  void call_down(std::uint16_t session, const std::string& why) override;
  void call_frame(std::uint16_t session, Bytes ppp) override;
  // LnsOwner
  void lns_call(std::uint8_t endpoint, std::uint16_t tunnel, std::uint16_t session) override;
  void lns_call_down(std::uint16_t id, const std::string& why, TimePoint now) override;
  void lns_frame(std::uint16_t id, Bytes ppp, TimePoint now) override;
  void lns_sequenced(std::uint16_t id) override;
  /// The master's session ID for an L2TP call: the session starts (proxy LCP or LCP anew).
  void lns_start(const Message& m, TimePoint now);
  class Session;
  friend class Session;
  /// What the LNS learns of the subscriber in ICRQ/ICCN.
  l2tp::CallInfo call_info(const Session& s, const session::AuthRequest& request);

  void start_session(const Message& m, TimePoint now);
  /// kAdopt: a crashed worker's session, continued from its shared record (operator guide
  /// "High availability"); a record that cannot be continued is ended cleanly instead.
  void adopt_session(const Message& m, TimePoint now);
  /// kMigrateOut: the session's record is published complete and the session let go without a
  /// word to the peer or to accounting; the master hands it to another worker (kAdopt).
  void migrate_out(std::uint16_t id);
  /// Publishes `s` and, if its record can be continued elsewhere, forgets it without a word to
  /// the peer or to accounting (migration, handover). False: it stays.
  bool let_go(Session& s);
  /// kHandover: every session published; those that can be continued are let go silently (the
  /// next pppoed adopts them from the state file), the others ended properly.
  void hand_over(TimePoint now);
  /// Frames that arrived for `id` before its start (or adopt) message: handled now.
  void replay_early(std::uint16_t id, TimePoint now);
  std::optional<Ipv4Address> assign(std::optional<Ipv4Address> fixed, std::string_view pool);
  void end_session(Session& s, session::EndReason reason);
  void deliver_upstream(Session& s, Bytes packet, TimePoint now);
  /// A downstream packet for session `sid`: the record checked, the rate limit applied unless
  /// `shaped` (the shaper's queue releases it), TCP MSS clamped, encapsulated and sent.
  void forward_downstream(std::uint16_t sid, Bytes packet, TimePoint now, bool shaped);
  /// TCP MSS clamping where the packet cannot be changed in place (the receive ring, the TUN
  /// reader's buffer): a SYN whose MSS `mtu` cannot carry is copied into `copy` and lowered
  /// there; anything else (or `mtu` 0) comes back as it was.
  using ClampBuffer = std::array<std::uint8_t, 1600>;
  Bytes clamp_copy(Bytes packet, std::uint16_t mtu, ClampBuffer& copy);
  /// The rate limit a session gets: its own (ppp.secret, RADIUS) per direction, else the
  /// config's default; named QoS policies looked up; bursts filled in.
  policy::RateLimit rate_for(const session::AuthResult& granted, std::uint16_t id);
  /// Puts `rate` in force for `s` (network up, CoA, pppoectl): the record, and a full bucket.
  void apply_rate(Session& s, const policy::RateLimit& rate);
  /// Kernel fast path (issue 18): whether `s` can go on it, or the first reason it cannot.
  dataplane::FastPathState fast_path_verdict(const Session& s) const;
  /// On or off the fast path as the session's features now allow (IPCP up, adoption, CoA,
  /// IPv6CP up or down, a prefix delegated or returned).
  /// `adopted`: the record a replacement continues the session from.
  void update_fast_path(Session& s, const dataplane::SessionRecord* adopted = nullptr);
  /// Its entries in the kernel's maps, counters from zero (or, for a session adopted from a
  /// dead worker, on from what that worker folded); false: a map refused them.
  bool enter_fast_path(Session& s, const dataplane::SessionRecord* adopted = nullptr);
  /// A session on the fast path whose addresses changed: the kernel's entries made to match.
  void refresh_fast_path(Session& s);
  /// What the kernel's maps hold for `s`: its destinations, its sources, its downstream headers.
  static dataplane::FastPathAddresses fast_path_addresses(const Session& s);
  dataplane::FastPathSession fast_path_session(const Session& s, const dataplane::FastPathAddresses& a) const;
  dataplane::FastPathDown fast_path_down(const Session& s) const;
  /// What the kernel counted for `s` since the last fold, into its counters and idle time.
  void fold_fast_path(Session& s);
  void fold_fast_counters(Session& s, const dataplane::FastPathCounters* up, const dataplane::FastPathDownCounters* down);
  /// Off the fast path, the final counts folded: before a PADT, a hand-over, a feature it lacks.
  void leave_fast_path(Session& s);
  /// Every few seconds: every fast session's counters (show session, interim accounting).
  void fold_fast_paths(TimePoint now);
  /// Puts the filter list `id` (policy::filter_id; 0: none) in force for `s`. False: no such list.
  bool apply_filter(Session& s, std::uint32_t id);
  /// Whether `list` (the config's `index`-th) denies `packet`; counts the rule that decided.
  bool filtered(const policy::FilterList& list, std::size_t index, Bytes packet, bool upstream);
  /// A PPP frame of session `s` (protocol field onwards), from PPPoE or from an L2TP call.
  void receive_ppp(Session& s, Bytes frame, TimePoint now);
  /// Downstream to an LNS session (any worker): an L2TP data message to its LAC.
  bool send_to_lac(std::uint16_t id, const dataplane::SessionRecord& rec, ppp::Protocol protocol, Bytes payload);
  void publish(Session& s);
  /// Something happened to `s` (a frame, a message, an answer, a timer): its timers are
  /// rescheduled at the next tick and its shared record published within a second.
  void touch(Session& s);
  /// Traffic only: the shared record (counters) is published within a second.
  void mark_dirty(Session& s);
  /// When the session's next timer is due (none: nothing to do until an event).
  std::optional<TimePoint> next_due(const Session& s) const;
  void reschedule_touched();
  void run_timers(Session& s, TimePoint now);
  /// The session's Router Advertisement (its /64), now; schedules the next one.
  void send_router_advertisement(Session& s, TimePoint now);
  /// An upstream UDP/IPv6 packet of `s`: true if it was for the DHCPv6 server (answered or
  /// dropped and counted), false to let it pass like any packet.
  bool serve_dhcpv6(Session& s, Bytes packet, TimePoint now);
  void reap();
  void tell_master(Message m);
  /// An AAA answer for session `id`, if it is still the session that asked (`generation`).
  void auth_answer(std::uint16_t id, std::uint64_t generation, const session::AuthResult& r);
  /// `pppoectl debug`: one PPP control frame of a debugged subscriber, decoded, into the log.
  void debug_frame(const Session& s, const char* direction, std::uint16_t protocol, Bytes payload) const;
  /// Sessions whose authentication failed, and why (AuthResult::reason), until they end.
  std::unordered_map<std::uint16_t, std::string> auth_failures_;
  void account(Session& s, radius::AcctStatus status, session::EndReason reason, TimePoint now);
  /// A prefix was assigned after the Start went out (the /64 when IPv6CP opened later than
  /// IPCP, a delegated prefix when DHCPv6 bound it): an Interim-Update at once, so that RADIUS
  /// learns it now and not at the next interval (RFC 2866 section 5.1, RFC 4818).
  void account_new_prefix(Session& s, TimePoint now);
  std::string next_acct_session_id();

  const master::Config& config_;
  dataplane::PacketSocket& socket_;
  dataplane::SharedState& shared_;
  dataplane::WorkerSlot& slot_stats_;
  radius::Aaa& aaa_;
  std::uint8_t slot_;
  Channel& master_;
  dataplane::RoutedPort* routed_;  ///< pppoe0: null in tests without one
  std::unique_ptr<Lac> lac_;
  std::unique_ptr<Lns> lns_;
  std::size_t published_tunnels_ = 0;  ///< records of ours in the shared tunnel table
  std::vector<std::unique_ptr<Session>> by_id_;  ///< our sessions, indexed by PPPoE session ID
  std::vector<std::uint16_t> dead_;
  std::size_t live_ = 0;
  bool shutdown_requested_ = false;
  /// Frames of sessions the master created for us but whose start message has not arrived yet:
  /// the client can answer the PADS faster than the master writes to us. Bounded; replayed by
  /// start_session.
  struct EarlyFrame {
    ether::Header eth;
    std::vector<std::uint8_t> pppoe;
  };
  std::unordered_map<std::uint16_t, std::vector<EarlyFrame>> early_;
  static constexpr std::size_t kMaxEarlySessions = 1024, kMaxEarlyFrames = 4;
  std::uint32_t seed_;
  std::uint64_t generation_ = 0;
  std::uint32_t acct_counter_ = 0;
  std::uint32_t call_serial_ = 0;
  std::int64_t started_unix_ = 0;
  std::uint32_t pid_ = 0;
  TimePoint next_publish_{};
  TimerWheel wheel_{TimePoint{}};  ///< origin 0: fine for the steady clock and injected time alike
  std::vector<std::uint16_t> touched_;  ///< sessions to reschedule at the next tick
  std::vector<std::uint16_t> dirty_;    ///< sessions to publish at the next second
  WorkerCounters counters_;
  dataplane::DropCounters drops_;
  log::RateLimit auth_log_{20, 50};
  log::RateLimit ipv6_log_{20, 50};
  std::unique_ptr<RouterAdvertiser> ra_;  ///< with an ipv6-pool: the sessions' Router Advertisements
  std::unique_ptr<Dhcpv6Server> dhcp_;    ///< ... and their DHCPv6 server
  ShaperQueue shaper_;                    ///< downstream packets rate limits hold back
  dataplane::FastPath* fast_path_ = nullptr;  ///< the kernel fast path's maps (null: none)
  static constexpr Duration kFastFoldInterval = seconds(5);
  TimePoint next_fast_fold_{};
  log::RateLimit policy_log_{20, 50};
};

}  // namespace pppoe::worker
