// The master's view of its workers (handbook 30.6): spawning, states (ACTIVE, DRAINING,
// PENDING_REMOVAL), choice of worker for a new session, session IDs and the dispatch map, and
// cleanup when a worker dies.
#pragma once

#include <sys/types.h>

#include <array>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "dataplane/bpf_dispatch.hpp"
#include "dataplane/fast_path.hpp"
#include "dataplane/l2tp_dispatch.hpp"
#include "dataplane/packet_socket.hpp"
#include "dataplane/shared_state.hpp"
#include "dataplane/net_interface.hpp"
#include "master/config.hpp"
#include "master/config_source.hpp"
#include "master/session_directory.hpp"
#include "session/secrets.hpp"
#include "worker/channel.hpp"

namespace pppoe::master {

/// How a new session picks its worker (30.6.7.1, 30.6.8.3); sysctl net.graph.pppoe_lb.algorithm.
enum class Algorithm : std::uint8_t { kFewestSessions = 0, kRoundRobin = 1, kMacHash = 2 };
const char* to_string(Algorithm a);

class WorkerPool final : public SessionDirectory {
 public:
  /// `close_in_child`: descriptors of the master that a forked worker must not keep (more can be
  /// added later with also_close_in_child).
  /// `config`, `secrets` and `lines` are the master's running ones: a forked worker changes its
  /// copies of them on a reload (kReload), from `source`'s overrides and the master's snapshot.
  WorkerPool(Config& config, dataplane::SharedState& shared, dataplane::SessionDispatchMap& dispatch,
             const std::vector<dataplane::L2tpDispatch>& l2tp_dispatch, session::LocalSecrets& secrets,
             SettingLines& lines, const ConfigSource& source, dataplane::PacketSocket& socket,
             dataplane::NetInterface& routed, std::vector<int> close_in_child);
  ~WorkerPool() override;
  void also_close_in_child(int fd) { close_in_child_.push_back(fd); }
  /// For descriptor sets that change (control connections): run in every forked worker.
  void also_in_child(std::function<void()> cleanup) { child_cleanups_.push_back(std::move(cleanup)); }
  /// The kernel fast path the workers enable sessions in (null: none); set before they start.
  void set_fast_path(dataplane::FastPath* fp) { fast_path_ = fp; }

  // --- workers ---
  /// Starts a worker in the lowest free slot (or in `in_slot`); returns the slot.
  std::expected<unsigned, std::string> add_worker(std::string_view why, std::optional<unsigned> in_slot = std::nullopt);
  /// Marks an ACTIVE worker DRAINING (no new sessions); false if it is not ACTIVE.
  bool drain(unsigned slot);
  /// Live migration: asks the worker to let go of each of its sessions that is up (not L2TP);
  /// each lands on an ACTIVE worker (move_session). Returns how many were asked.
  std::size_t migrate(unsigned slot);
  /// Returns a DRAINING worker to ACTIVE (the "change of heart"); false if it is not DRAINING.
  bool cancel_drain(unsigned slot);
  /// The ACTIVE worker to drain when scaling down: fewest sessions, highest slot on ties.
  std::optional<unsigned> drain_candidate() const;
  std::optional<unsigned> any_draining() const;
  /// Sends the messages queued for the workers this loop turn (session starts, client PADTs).
  void flush_channels();
  /// Drain completion and drain timeout, removal of PENDING_REMOVAL workers.
  void tick(std::int64_t unix_now, unsigned drain_timeout);
  /// SIGCHLD: reaps exited workers; a worker that exits without being asked to has crashed
  /// (replaced even without sessions to adopt when `replace_crashed`).
  void reap_children();
  /// Asks every worker to end its sessions (kShutdown) or to hand them over (kHandover) and
  /// exit; waits up to `timeout`, then kills what is left.
  void stop_all(Duration timeout, worker::MessageType how = worker::MessageType::kShutdown);
  /// Restart or upgrade: every worker publishes its sessions and exits without ending them;
  /// returns the records to write to the state file. Sessions that cannot be continued were
  /// ended by their workers (or here, PADT and Stop, for a worker that died on the way).
  std::vector<dataplane::SessionRecord> hand_over_all(Duration timeout);
  /// A session from the state file: its ID, address, indexes and dispatch entry taken again
  /// and an ACTIVE worker told to adopt it. Returns the worker, or why it could not be.
  std::expected<unsigned, std::string> resume_session(const dataplane::SessionRecord& rec, std::uint64_t down_packets,
                                                      std::uint64_t down_bytes);
  /// A session no worker will end (its worker died, or it cannot be continued after a
  /// restart): PADT to the client, accounting Stop (on_session_lost). The socket is flushed by
  /// the caller.
  void end_from_record(const dataplane::SessionRecord& r, const char* why);
  /// After resume_session calls: their IDs out of the free FIFO (once, not per session).
  void forget_taken_ids();
  /// The standby pair's MASTER stepping down: every worker lets go of its continuable sessions
  /// without a word to the peer (as for a migration), each handed to on_released and freed
  /// here; the others are disconnected (silently: the caller has muted the wire). Returns how
  /// many were asked to let go. Ends with stop_releasing().
  std::size_t release_all();
  void stop_releasing() { releasing_ = false; }
  /// A released session's record and downstream counters, just before its ID is freed.
  std::function<void(const dataplane::SessionRecord&, std::uint64_t down_packets, std::uint64_t down_bytes)> on_released;
  /// New sessions take IDs only in [first, last] (the standby pair's half while its peer is
  /// unconfirmed); nullopt: any free ID.
  void restrict_ids(std::optional<std::pair<std::uint16_t, std::uint16_t>> range) { id_range_ = range; }

  /// Reload: asks every running worker to apply the snapshot of reload `generation`; returns
  /// how many were asked (each answers through on_reloaded).
  unsigned reload_workers(std::uint32_t generation);
  std::function<void(unsigned slot, std::uint32_t generation, bool ok)> on_reloaded;
  /// A worker's session ended (kSessionEnded, with its user, phase and failure detail).
  std::function<void(const worker::Message&)> on_session_ended;

  /// Messages from the workers (their socketpair ends are in channel_fds()).
  void on_channel_readable(int fd);
  [[nodiscard]] std::vector<int> channel_fds() const;
  /// Called after workers changed, so the event loop can (un)watch their channels.
  std::function<void(int fd, bool added)> on_channel_change;
  /// Called when a worker has exited, before its slot is reused: its counters are final.
  std::function<void(unsigned slot)> on_worker_gone;
  /// A session of a crashed worker is about to be forgotten (accounting Stop on its behalf).
  std::function<void(const dataplane::SessionRecord&)> on_session_lost;

  // --- SessionDirectory (discovery) ---
  std::optional<std::uint16_t> find_pending(const MacAddress& mac, const ether::VlanStack& vlans,
                                            Bytes host_uniq) const override;
  std::expected<std::uint16_t, Refusal> create(const NewSession& s) override;
  void start(std::uint16_t session_id) override;
  bool peer_terminated(std::uint16_t session_id, const MacAddress& mac) override;
  [[nodiscard]] std::size_t session_count() const override { return allocated_; }
  /// Sessions whose IPCP (or L2TP switch) opened and that have not ended: counted as the
  /// messages come, so that reading it costs nothing whatever the session count.
  [[nodiscard]] std::size_t up_count() const { return up_count_; }
  [[nodiscard]] std::size_t starting_count() const override { return negotiating_; }
  [[nodiscard]] bool accepting() const override;
  [[nodiscard]] bool has_session(std::uint16_t session_id) const override { return owner_[session_id] != 0; }
  /// This ID runs here for this client: known to the master itself, never a torn read of the
  /// shared table (a PADT sent to this pair would end the running session).
  [[nodiscard]] bool runs_for(std::uint16_t session_id, const MacAddress& mac) const {
    return owner_[session_id] != 0 && mac_of_[session_id] == mac.as_u64();
  }
  [[nodiscard]] std::size_t free_session_ids() const { return free_ids_.size(); }
  [[nodiscard]] std::size_t sessions_of(const MacAddress& mac) const override {
    auto it = per_mac_.find(mac.as_u64());
    return it == per_mac_.end() ? 0 : it->second;
  }

  /// Operator disconnect.
  bool disconnect(std::uint16_t session_id, std::uint8_t reason);
  /// Any message for the worker owning `session_id`; false if nobody owns it.
  bool send_to_owner(std::uint16_t session_id, const worker::Message& m);

  [[nodiscard]] unsigned current_workers() const;
  [[nodiscard]] unsigned count_in(dataplane::WorkerState s) const;
  [[nodiscard]] bool alive(unsigned slot) const { return slots_[slot].pid > 0; }
  [[nodiscard]] std::size_t assigned(unsigned slot) const { return slots_[slot].assigned; }
  [[nodiscard]] pid_t pid(unsigned slot) const { return slots_[slot].pid; }
  [[nodiscard]] std::uint16_t owner_of(std::uint16_t sid) const { return owner_[sid]; }

  Algorithm algorithm = Algorithm::kFewestSessions;
  std::uint64_t crashes = 0;
  std::uint64_t adopted_sessions = 0;  ///< crashed workers' sessions continued by their replacements
  std::uint64_t migrated_sessions = 0;  ///< sessions moved live between workers
  /// With the governor on, a crashed worker without sessions to adopt is replaced too.
  bool replace_crashed = false;
  std::uint64_t padt_unknown_sent = 0;

 private:
  struct Slot {
    pid_t pid = 0;
    int fd = -1;           ///< master end of the socketpair
    worker::Channel channel;
    std::size_t assigned = 0;  ///< sessions the master gave it that have not ended
    bool stopping = false;     ///< asked to exit (removal or shutdown)
  };
  std::optional<unsigned> choose(const MacAddress& mac);
  /// Worker i is running, not being stopped, and ACTIVE: it takes new sessions.
  [[nodiscard]] bool takes_sessions(unsigned i) const;
  /// The next free session ID of the shuffled FIFO (skipping IDs resumed from a state file).
  std::optional<std::uint16_t> take_free_id();
  void free_session(std::uint16_t sid);
  /// LNS: a worker asks for a session ID for an L2TP call; answered with kLnsStart.
  void lns_call(unsigned slot, const worker::Message& call);
  /// A crashed worker's sessions that a replacement can continue (can_adopt); `torn` counts
  /// records the worker left half-written.
  std::vector<std::uint16_t> adoptable_sessions(unsigned slot, std::size_t& torn) const;
  /// A worker process is gone (reaped, or its channel closed): its sessions adopted by a
  /// replacement in the same slot, or ended; a removal when it was asked to stop.
  void worker_gone(unsigned slot, const std::string& how);
  /// Handles every whole message the worker's channel holds.
  void receive_messages(unsigned slot);
  /// `from` let session `sid` go (kMigrated): it goes to an ACTIVE worker (kAdopt there).
  void move_session(unsigned from, std::uint16_t sid);
  /// The replacement in `slot` takes `ids` (kAdopt each), in the state its predecessor was in.
  void give_to_replacement(unsigned slot, const std::vector<std::uint16_t>& ids, dataplane::WorkerState state);
  /// Ends a dead worker's sessions except `keep` (sorted): PADT, accounting Stop, address and
  /// ID back. Returns how many it ended.
  std::size_t cleanup_dead_worker(unsigned slot, const std::vector<std::uint16_t>& keep);
  /// A dead worker's session `id` that ends: its kernel fast path entries removed, and what the
  /// kernel counted since the worker's last fold added to its record `r` (rx; `r` may be torn,
  /// its session ID is not trusted) and to the downstream counters.
  void leave_fast_path(std::uint16_t id, dataplane::SessionRecord& r);
  void send(unsigned slot, const worker::Message& m);
  /// Sends a message about session `sid` to the worker that owns it; false if nobody does.
  bool tell_owner(std::uint16_t sid, worker::MessageType type, std::uint8_t reason, const MacAddress& mac);
  static std::uint64_t pending_key(const MacAddress& mac, const ether::VlanStack& vlans, Bytes host_uniq);

  Config& config_;
  dataplane::SharedState& shared_;
  dataplane::SessionDispatchMap& dispatch_;
  const std::vector<dataplane::L2tpDispatch>& l2tp_dispatch_;
  session::LocalSecrets& secrets_;
  SettingLines& lines_;
  const ConfigSource& source_;
  dataplane::PacketSocket& socket_;
  dataplane::NetInterface& routed_;  ///< pppoe0: the routes to sessions' addresses
  std::vector<int> close_in_child_;
  std::vector<std::function<void()>> child_cleanups_;
  dataplane::FastPath* fast_path_ = nullptr;
  std::array<Slot, dataplane::kMaxWorkers> slots_{};
  std::unordered_map<pid_t, unsigned> departed_;  ///< replaced at channel close, not reaped yet -> slot
  /// Framed-Routes indexed per session (to take out again when it ends).
  std::unordered_map<std::uint16_t, policy::FramedRoutes> routes_;
  bool handing_over_ = false;  ///< workers exiting for a handover keep their sessions in the table
  bool releasing_ = false;     ///< a migrated session goes to on_released instead of another worker
  std::optional<std::pair<std::uint16_t, std::uint16_t>> id_range_;
  /// A session that left its worker for good (release_all): freed here without a PADT.
  void release_session(std::uint16_t sid);
  /// A session's address, its indexes and its /32 route (a fixed address) given back, for a
  /// session no worker will end.
  /// A TUN route for a prefix outside every pool (fixed by RADIUS), added or removed.
  void route_prefix(Ipv6Prefix p, bool add);
  /// Takes `sid`'s prefix out of the downstream index (and its own route, if it had one).
  void unindex_prefix(Ipv6Prefix p, std::uint16_t sid);
  void give_back_addresses(std::uint16_t sid, const dataplane::SessionRecord& rec);
  /// The session's Framed-Routes (from its record) into the downstream indexes, and out again.
  void index_routes(std::uint16_t sid, const dataplane::SessionRecord& rec);
  void unindex_routes(std::uint16_t sid);
  std::vector<std::uint16_t> owner_;  ///< session ID -> slot + 1 (0 = free)
  std::deque<std::uint16_t> free_ids_;
  std::unordered_map<std::uint64_t, std::uint16_t> pending_;
  std::unordered_map<std::uint16_t, worker::Message> starting_;  ///< created, PADS not yet sent
  std::vector<std::uint64_t> pending_key_of_;
  void end_pending(std::uint16_t sid);
  std::size_t negotiating_ = 0;                     ///< sessions with a pending_key_of_
  std::vector<std::uint64_t> mac_of_;               ///< by session ID
  std::vector<std::uint8_t> up_;                    ///< by session ID: 1 once kSessionUp came
  std::size_t up_count_ = 0;
  void mark_up(std::uint16_t sid);
  std::unordered_map<std::uint64_t, std::uint32_t> per_mac_;
  std::size_t allocated_ = 0;
  unsigned round_robin_ = 0;
};

}  // namespace pppoe::master
