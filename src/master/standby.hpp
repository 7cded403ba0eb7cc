// The standby pair (operator guide "High availability", the standby box): two pppoed on two
// boxes serve one subscriber network with one AC MAC; keepalived (VRRP) says which is MASTER.
//
// The MASTER streams its sessions to the BACKUP over the authenticated sync channel
// (sync/channel.hpp, payloads in sync/session_sync.hpp): a full snapshot whenever its
// connection to the peer (re)starts, then every new session and every ended one within 100 ms,
// and a changed record (counters, identifiers, timeouts after a CoA) at most every
// standby-sync-interval. The BACKUP holds the records without a word on the wire (the master
// mutes every process: SharedState's `silent`). When keepalived makes it MASTER, it continues
// every held session in its workers as after a restart: same session IDs and addresses, one LCP
// Echo-Request each (the access switches learn the new port), accounting under the same
// Acct-Session-Id, no PADT, no re-authentication.
//
// Readiness, for keepalived's track_file: a BACKUP holding the sessions of a live MASTER is
// ready once it has a complete snapshot and stays so while the stream keeps coming; it is not
// ready when the MASTER's stream has been missing for standby-stale-after seconds (its copy is
// outdated) or when the peer runs another session record version or another AC MAC. A BACKUP
// whose peer is not MASTER holds nothing and is ready (cold start, or the peer gone for good).
//
// Split brain: until the peer is confirmed BACKUP (its ROLE over the channel within the last
// 3 s), a MASTER hands new sessions only IDs and pool addresses from its own half (side a the
// lower, side b the upper), so two MASTERs never give out the same ID or address twice.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/mac.hpp"
#include "ctl/control_socket.hpp"
#include "dataplane/shared_state.hpp"
#include "master/config.hpp"
#include "sync/channel.hpp"
#include "sync/session_sync.hpp"
#include "sync/vrrp_notify.hpp"

namespace pppoe::master {

struct StandbyCounters {
  std::uint64_t takeovers = 0;        ///< BACKUP -> MASTER
  std::uint64_t step_downs = 0;       ///< MASTER -> BACKUP or FAULT
  std::uint64_t continued = 0;        ///< held sessions continued at takeovers
  std::uint64_t not_continued = 0;    ///< held sessions that could not be (ended properly)
  std::uint64_t clashes = 0;          ///< a held session whose ID is in use by another session here
  std::uint64_t released = 0;         ///< our sessions let go at step-downs
  std::uint64_t records_sent = 0, gones_sent = 0, snapshots_sent = 0;
  std::uint64_t records_received = 0, gones_received = 0, snapshots_received = 0;
  std::uint64_t refused_payloads = 0;  ///< authenticated messages whose payload did not decode
  std::uint64_t split_brain = 0;      ///< records received while MASTER (the peer is MASTER too)
};

class Standby {
 public:
  /// What the standby needs of the master process.
  struct Host {
    /// Unmute and continue these sessions; returns how many were continued.
    std::function<std::size_t(const std::vector<sync::SyncedSession>&)> take_over;
    /// Mute, and let go of every session (each comes back through hold()).
    std::function<void()> step_down;
    /// New sessions only from our half of IDs and pools (true), or from all (false).
    std::function<void(bool)> partition;
    /// Session IDs this process runs.
    std::function<bool(std::uint16_t)> owns;
    /// ...and for this client.
    std::function<bool(std::uint16_t, const MacAddress&)> runs_for;
  };

  static std::expected<std::unique_ptr<Standby>, std::string> open(const Config& config, MacAddress ac_mac,
                                                                   const dataplane::SharedState& shared, Host host,
                                                                   TimePoint now);
  ~Standby();
  Standby(const Standby&) = delete;
  Standby& operator=(const Standby&) = delete;

  /// The role keepalived gave before a restart of pppoed (role file) applies now: a restarted
  /// MASTER speaks at once. Call once, after open().
  void start(TimePoint now);
  /// In a forked worker: every descriptor closed.
  void close_in_child() {
    channel_->close_in_child();
    fifo_.close_in_child();
  }
  /// The channel's epoll descriptor and keepalived's FIFO: on_readable() when either is.
  [[nodiscard]] std::vector<int> fds() const;
  void on_readable(int fd, TimePoint now);
  /// Every 100 ms: the stream (MASTER), heartbeats, readiness, the ready file, the partition.
  void tick(TimePoint now);
  /// A session of ours let go at a step-down: held for a takeover.
  void hold(const dataplane::SessionRecord& r, std::uint64_t down_packets, std::uint64_t down_bytes);

  /// Whether a frame of a session we do not run may be answered with a PADT: only when the peer
  /// is confirmed BACKUP and we hold nothing of that ID (else it may be a session of the peer's
  /// on its way to us: the end of a split brain, a step-down).
  [[nodiscard]] bool may_end_unknown(std::uint16_t sid, TimePoint now) const {
    return role_ == sync::StandbyRole::kMaster && peer_confirmed_backup(now) && !held_.contains(sid);
  }
  [[nodiscard]] sync::StandbyRole role() const { return role_; }
  [[nodiscard]] bool ready() const { return ready_; }
  [[nodiscard]] const std::string& not_ready_why() const { return not_ready_why_; }
  [[nodiscard]] std::size_t held() const { return held_.size(); }
  [[nodiscard]] ctl::Json show(TimePoint now) const;

 private:
  struct Held {
    sync::SyncedSession session;
    std::uint64_t generation = 0;  ///< the snapshot it was (last) sent in
    bool mine = false;             ///< ours, released at a step-down: handed back to the peer
    bool handed_back = false;      ///<   and sent to it on the current connection
  };
  struct Sent {
    std::uint32_t version = 0;  ///< the table slot's sequence when sent
    TimePoint at{};
    bool present = false;
  };
  Standby(const Config& config, MacAddress ac_mac, const dataplane::SharedState& shared, Host host,
          std::unique_ptr<sync::Channel> channel, sync::VrrpFifo fifo, TimePoint now);
  void on_vrrp(sync::VrrpState state, const std::string& text, TimePoint now);
  void on_message(const sync::Message& m, TimePoint now);
  void become_master(const std::string& why, TimePoint now);
  void step_down(sync::StandbyRole to, const std::string& why, TimePoint now);
  /// Continues the held sessions (takeover, or the peer let go during a split brain).
  void continue_held();
  void announce(TimePoint now, bool snapshot_follows);
  void send_snapshot(TimePoint now);
  /// Not MASTER: the sessions we released go to the peer, which continues them if it is MASTER
  /// (the end of a split brain, or a step-down the peer's VRRP has not seen yet).
  void hand_back(TimePoint now);
  void stream_changes(TimePoint now);
  bool send_record(std::uint16_t sid, const dataplane::SessionRecord& r, TimePoint now);
  void update_readiness(TimePoint now);
  void write_ready_file();
  void write_role_file(const std::string& state);
  [[nodiscard]] bool peer_confirmed_backup(TimePoint now) const;

  const Config& config_;
  const dataplane::SharedState& shared_;
  Host host_;
  MacAddress ac_mac_;
  std::unique_ptr<sync::Channel> channel_;
  sync::VrrpFifo fifo_;
  sync::StandbyRole role_ = sync::StandbyRole::kBackup;
  std::string vrrp_text_ = "(nothing from keepalived yet)";
  TimePoint role_since_{};
  TimePoint started_{};
  // What we hold of the peer's sessions.
  std::unordered_map<std::uint16_t, Held> held_;
  std::uint64_t generation_ = 0;
  bool snapshot_complete_ = false;
  /// A snapshot of the MASTER completed and the stream since kept it whole. Stays set while a
  /// new snapshot of the same sessions arrives (a reconnect, the MASTER's pppoed restarted): a
  /// takeover in that window continues the copy we have rather than leaving every session.
  bool copy_whole_ = false;
  // What we know of the peer.
  std::optional<sync::RoleAnnouncement> peer_;
  TimePoint peer_heard_{};
  TimePoint stream_heard_{};  ///< last message of the MASTER peer's stream
  // What we streamed (MASTER).
  std::vector<Sent> sent_;
  std::uint64_t snapshot_for_connect_ = 0;  ///< channel connects when the last snapshot went
  bool need_snapshot_ = true;
  std::uint64_t handed_back_for_connect_ = 0;
  bool continue_pending_ = false;  ///< MASTER: records handed back by a BACKUP peer wait in held_
  TimePoint next_heartbeat_{};
  // Readiness and partition as last published.
  bool ready_ = false;
  std::string not_ready_why_ = "starting";
  bool ready_written_ = false;
  std::optional<bool> partitioned_;
  StandbyCounters counters_;
  log::RateLimit log_limit_{1, 5};
};

}  // namespace pppoe::master
