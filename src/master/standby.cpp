#include "master/standby.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace pppoe::master {
namespace {

constexpr Duration kHeartbeat = seconds(1);
/// A peer whose ROLE is older than this is not confirmed BACKUP any more (split-brain rule).
constexpr Duration kConfirmation = seconds(3);

std::int64_t ms_between(TimePoint later, TimePoint earlier) {
  return std::chrono::duration_cast<milliseconds>(later - earlier).count();
}

}  // namespace

std::expected<std::unique_ptr<Standby>, std::string> Standby::open(const Config& config, MacAddress ac_mac,
                                                                   const dataplane::SharedState& shared, Host host,
                                                                   TimePoint now) {
  const auto& sb = config.standby;
  sync::ChannelSettings cs{sb.listen, sb.peer, sb.key, sync::host_name("pppoed")};
  cs.name = "standby";
  cs.key_label = "pppoed standby";
  cs.max_queued = std::size_t{256} << 20;  // a snapshot of 64,000 sessions is ~37 MB
  cs.silence_timeout = 3 * kHeartbeat;     // both ends send a ROLE every second
  auto channel = sync::Channel::open(std::move(cs));
  if (!channel) return std::unexpected(channel.error());
  auto fifo = sync::VrrpFifo::open(sb.vrrp_fifo, sb.vrrp_name);
  if (!fifo) return std::unexpected(fifo.error());
  return std::unique_ptr<Standby>(new Standby(config, ac_mac, shared, std::move(host), std::move(*channel),
                                              std::move(*fifo), now));
}

Standby::Standby(const Config& config, MacAddress ac_mac, const dataplane::SharedState& shared, Host host,
                 std::unique_ptr<sync::Channel> channel, sync::VrrpFifo fifo, TimePoint now)
    : config_(config),
      shared_(shared),
      host_(std::move(host)),
      ac_mac_(ac_mac),
      channel_(std::move(channel)),
      fifo_(std::move(fifo)),
      role_since_(now),
      started_(now),
      sent_(dataplane::SessionTable::kCapacity) {
  log::info("standby: BACKUP until keepalived says MASTER (following '{}' on {}); sync {} <-> {}, side {}",
            config_.standby.vrrp_name, config_.standby.vrrp_fifo, config_.standby.listen.to_string(),
            config_.standby.peer.to_string(), config_.standby.side);
}

Standby::~Standby() = default;

std::vector<int> Standby::fds() const { return {channel_->fd(), fifo_.fd()}; }

void Standby::on_readable(int fd, TimePoint now) {
  if (fd == fifo_.fd()) {
    fifo_.read([&](sync::VrrpState state, const std::string& text) { on_vrrp(state, text, now); });
    return;
  }
  channel_->poll(now, [&](const sync::Message& m) { on_message(m, now); });
}

void Standby::start(TimePoint now) {
  // The role keepalived gave last: from the role file, then from what keepalived wrote into
  // the FIFO while no pppoed read it. Acted on once; the ready file is first written after
  // this, so a restarted MASTER never tells keepalived it is not ready, not even for a moment.
  std::string last;
  {
    std::ifstream in(config_.role_file_path());
    in >> last;
  }
  fifo_.read([&](sync::VrrpState state, const std::string& text) {
    vrrp_text_ = text;
    last = state == sync::VrrpState::kMaster ? "MASTER" : state == sync::VrrpState::kBackup ? "BACKUP" : "FAULT";
  });
  if (!last.empty()) write_role_file(last);
  if (last == "MASTER") {
    if (vrrp_text_.starts_with("(")) vrrp_text_ = "MASTER (before pppoed started)";
    become_master("keepalived's last word before pppoed started", now);
  } else if (last == "FAULT") {
    role_ = sync::StandbyRole::kFault;
  }
  update_readiness(now);
}

void Standby::write_role_file(const std::string& state) {
  const std::string path = config_.role_file_path();
  std::ofstream out(path + ".tmp", std::ios::trunc);
  out << state << "\n";
  out.close();
  if (!out || ::rename((path + ".tmp").c_str(), path.c_str()) != 0)
    log::warn_limited(log_limit_, "standby: role file {}: {}", path, std::strerror(errno));
}

void Standby::on_vrrp(sync::VrrpState state, const std::string& text, TimePoint now) {
  vrrp_text_ = text;
  write_role_file(state == sync::VrrpState::kMaster ? "MASTER" : state == sync::VrrpState::kBackup ? "BACKUP" : "FAULT");
  if (state == sync::VrrpState::kMaster) {
    become_master("keepalived: " + text, now);
  } else {
    step_down(state == sync::VrrpState::kBackup ? sync::StandbyRole::kBackup : sync::StandbyRole::kFault,
              "keepalived: " + text, now);
  }
}

void Standby::become_master(const std::string& why, TimePoint now) {
  if (role_ == sync::StandbyRole::kMaster) return;
  role_ = sync::StandbyRole::kMaster;
  role_since_ = now;
  ++counters_.takeovers;
  need_snapshot_ = true;  // the peer gets everything we now run
  continue_pending_ = false;
  std::fill(sent_.begin(), sent_.end(), Sent{});
  log::info("standby: MASTER ({}): continuing {} held sessions", why, held_.size());
  continue_held();
  announce(now, false);
  update_readiness(now);
}

void Standby::step_down(sync::StandbyRole to, const std::string& why, TimePoint now) {
  if (role_ == to) return;
  bool was_master = role_ == sync::StandbyRole::kMaster;
  role_ = to;
  role_since_ = now;
  if (was_master) {
    ++counters_.step_downs;
    // Snapshot entries of a new stream replace what we hold; ours start a generation of their own.
    ++generation_;
    snapshot_complete_ = false;
    copy_whole_ = false;  // what we hold now is ours, not a copy of the new MASTER's
    host_.step_down();
    log::info("standby: {} ({}): silent; our sessions go to the held table for the peer to continue", to_string(to), why);
  } else {
    log::info("standby: {} ({})", to_string(to), why);
  }
  announce(now, false);
  update_readiness(now);
}

void Standby::continue_held() {
  std::vector<sync::SyncedSession> sessions;
  sessions.reserve(held_.size());
  for (const auto& [sid, h] : held_) {
    if (host_.owns(sid)) {
      // Already ours: the same session when its client and accounting ID agree (continued
      // already: the peer streamed it during a split brain and handed it back after stepping
      // down), else two sessions on one ID: the held one ends. The client is the pool's own
      // knowledge; a table read that fails (a worker preempted inside its update) must not turn
      // the running session into a clash, whose PADT would end it.
      auto cur = shared_.table.read(sid);
      bool same = host_.runs_for(sid, h.session.record.client_mac) &&
                  (!cur || std::strncmp(cur->acct_session_id, h.session.record.acct_session_id, sizeof cur->acct_session_id) == 0);
      if (!same) {
        ++counters_.clashes;
        sessions.push_back(h.session);  // take_over ends what it cannot continue
      }
      continue;
    }
    sessions.push_back(h.session);
  }
  auto t0 = Clock::now();
  std::size_t continued = host_.take_over(sessions);
  counters_.continued += continued;
  counters_.not_continued += sessions.size() - continued;
  if (!sessions.empty())
    log::info("standby: continued {} of {} held sessions in {} ms", continued, sessions.size(), ms_between(Clock::now(), t0));
  held_.clear();
}

void Standby::hold(const dataplane::SessionRecord& r, std::uint64_t down_packets, std::uint64_t down_bytes) {
  held_[r.session_id] = {{r, down_packets, down_bytes}, generation_, true, false};
  ++counters_.released;
}

void Standby::on_message(const sync::Message& m, TimePoint now) {
  auto refuse = [&](const std::string& why) {
    ++counters_.refused_payloads;
    log::warn_limited(log_limit_, "standby: {} message from the peer refused: {}", sync::to_string(m.type), why);
  };
  switch (m.type) {
    case sync::MessageType::kRole: {
      auto a = sync::decode_role(m.payload);
      if (!a) return refuse(a.error());
      bool was_master = peer_ && peer_->role == sync::StandbyRole::kMaster;
      if (!peer_ || peer_->role != a->role)
        log::info("standby: the peer ({}) is {}{}", channel_->stats().peer_node, to_string(a->role),
                  a->ready ? "" : fmt::format(", not ready: {}", a->not_ready_why));
      peer_ = *a;
      peer_heard_ = now;
      if (a->role == sync::StandbyRole::kMaster) stream_heard_ = now;
      if (a->snapshot_follows) {
        ++generation_;
        snapshot_complete_ = false;
      }
      // The peer let go (a split brain ends, or it stepped down before keepalived moved us):
      // what it streamed to us is ours to continue now.
      if (role_ == sync::StandbyRole::kMaster && was_master && a->role != sync::StandbyRole::kMaster && !held_.empty())
        continue_held();
      return;
    }
    case sync::MessageType::kRecord: {
      auto s = sync::decode_session(m.payload);
      if (!s) return refuse(s.error());
      ++counters_.records_received;
      stream_heard_ = now;
      held_[s->record.session_id] = {*s, generation_};
      if (role_ == sync::StandbyRole::kMaster) {
        if (peer_ && peer_->role != sync::StandbyRole::kMaster) {
          continue_pending_ = true;  // handed back by a peer that stepped down: ours to run
        } else if (counters_.split_brain++ == 0) {
          log::warn("standby: the peer streams sessions while we are MASTER too (split brain): held until it steps down");
        }
      }
      return;
    }
    case sync::MessageType::kGone: {
      auto g = sync::decode_gone(m.payload);
      if (!g) return refuse(sync::to_string(g.error()));
      ++counters_.gones_received;
      stream_heard_ = now;
      held_.erase(g->session_id);
      return;
    }
    case sync::MessageType::kSnapshotDone: {
      ++counters_.snapshots_received;
      stream_heard_ = now;
      // What the MASTER does not run is gone, except our own released sessions not yet handed
      // back (the end of a split brain: the peer's snapshot may come before they reach it).
      std::erase_if(held_, [&](const auto& kv) {
        return kv.second.generation < generation_ && !(kv.second.mine && !kv.second.handed_back);
      });
      snapshot_complete_ = true;
      copy_whole_ = true;
      log::info("standby: snapshot from the peer complete: holding {} sessions", held_.size());
      return;
    }
    case sync::MessageType::kHello:
    case sync::MessageType::kAck: return;
  }
}

void Standby::announce(TimePoint now, bool snapshot_follows) {
  sync::RoleAnnouncement a;
  a.role = role_;
  a.ready = ready_;
  a.snapshot_follows = snapshot_follows;
  a.ac_mac = ac_mac_;
  a.sessions = static_cast<std::uint32_t>(role_ == sync::StandbyRole::kMaster ? 0 : held_.size());
  a.not_ready_why = ready_ ? "" : not_ready_why_;
  (void)channel_->send(sync::MessageType::kRole, sync::encode_role(a), now);
  next_heartbeat_ = now + kHeartbeat;
}

bool Standby::send_record(std::uint16_t sid, const dataplane::SessionRecord& r, TimePoint now) {
  sync::SyncedSession s{r, shared_.downstream[sid].packets.load(std::memory_order_relaxed),
                        shared_.downstream[sid].bytes.load(std::memory_order_relaxed)};
  if (!channel_->send(sync::MessageType::kRecord, sync::encode_session(s), now)) return false;
  ++counters_.records_sent;
  return true;
}

void Standby::send_snapshot(TimePoint now) {
  announce(now, true);
  std::size_t n = 0;
  for (std::uint32_t id = 1; id <= pppoe_proto::kMaxSessionId; ++id) {
    auto sid = static_cast<std::uint16_t>(id);
    Sent& s = sent_[sid];
    s = Sent{};
    if (!host_.owns(sid)) continue;
    std::uint32_t version = shared_.table.version(sid);
    auto r = shared_.table.read(sid);
    if (!r || !dataplane::can_adopt(*r)) continue;
    if (!send_record(sid, *r, now)) return;  // the connection went: a new one gets a new snapshot
    s = {version, now, true};
    ++n;
  }
  if (!channel_->send(sync::MessageType::kSnapshotDone, {}, now)) return;
  ++counters_.snapshots_sent;
  need_snapshot_ = false;
  log::info("standby: snapshot of {} sessions sent to the peer", n);
}

void Standby::stream_changes(TimePoint now) {
  const Duration interval = milliseconds(config_.standby.sync_interval_ms);
  for (std::uint32_t id = 1; id <= pppoe_proto::kMaxSessionId; ++id) {
    auto sid = static_cast<std::uint16_t>(id);
    Sent& s = sent_[sid];
    if (!host_.owns(sid)) {
      if (s.present) {
        if (!channel_->send(sync::MessageType::kGone, sync::encode_gone({sid, "ended"}), now)) return;
        ++counters_.gones_sent;
        s = Sent{};
      }
      continue;
    }
    std::uint32_t version = shared_.table.version(sid);
    if (s.present && (version == s.version || now - s.at < interval)) continue;
    auto r = shared_.table.read(sid);
    if (!r || !dataplane::can_adopt(*r)) {
      // Not (or no longer) continuable: negotiating, renegotiating, an L2TP call.
      if (s.present) {
        if (!channel_->send(sync::MessageType::kGone, sync::encode_gone({sid, "not continuable"}), now)) return;
        ++counters_.gones_sent;
        s = Sent{};
      }
      continue;
    }
    if (!send_record(sid, *r, now)) return;
    s = {version, now, true};
  }
}

void Standby::hand_back(TimePoint now) {
  if (channel_->stats().connects != handed_back_for_connect_) {
    handed_back_for_connect_ = channel_->stats().connects;
    for (auto& [sid, h] : held_) h.handed_back = false;  // a new connection: everything again
  }
  std::size_t n = 0;
  for (auto& [sid, h] : held_) {
    if (!h.mine || h.handed_back) continue;
    if (!channel_->send(sync::MessageType::kRecord, sync::encode_session(h.session), now)) return;
    h.handed_back = true;
    ++counters_.records_sent;
    ++n;
  }
  if (n > 0) {
    log::info("standby: handed {} released sessions back to the peer", n);
    announce(now, false);
  }
}

void Standby::tick(TimePoint now) {
  channel_->tick(now);
  if (role_ != sync::StandbyRole::kMaster && channel_->outgoing_up()) hand_back(now);
  if (role_ == sync::StandbyRole::kMaster && continue_pending_) {
    continue_pending_ = false;
    continue_held();
  }
  if (role_ == sync::StandbyRole::kMaster && channel_->outgoing_up()) {
    if (channel_->stats().connects != snapshot_for_connect_) {
      snapshot_for_connect_ = channel_->stats().connects;
      need_snapshot_ = true;
    }
    if (need_snapshot_) send_snapshot(now);
    else stream_changes(now);
  }
  if (now >= next_heartbeat_) announce(now, false);
  update_readiness(now);
  bool partitioned = role_ == sync::StandbyRole::kMaster && !peer_confirmed_backup(now);
  if (partitioned_ != partitioned) {
    partitioned_ = partitioned;
    host_.partition(partitioned);
    if (partitioned)
      log::warn("standby: the peer is not confirmed BACKUP: new sessions take IDs and addresses of side {}'s half only",
                config_.standby.side);
    else if (role_ == sync::StandbyRole::kMaster)
      log::info("standby: the peer is confirmed BACKUP: new sessions take any free ID and address");
  }
}

bool Standby::peer_confirmed_backup(TimePoint now) const {
  return peer_ && peer_->role != sync::StandbyRole::kMaster && now - peer_heard_ < kConfirmation;
}

void Standby::update_readiness(TimePoint now) {
  std::string why;
  const Duration stale = seconds(config_.standby.stale_after);
  if (role_ == sync::StandbyRole::kMaster) {
    why.clear();
  } else if (peer_ && peer_->record_version != dataplane::kSessionRecordVersion) {
    why = fmt::format("the peer's session record version is {}, ours {}: upgrade both", peer_->record_version,
                      dataplane::kSessionRecordVersion);
  } else if (peer_ && peer_->ac_mac != ac_mac_) {
    why = fmt::format("the peer serves with AC MAC {}, we with {}: subscribers' sessions would not follow",
                      peer_->ac_mac.to_string(), ac_mac_.to_string());
  } else if (peer_ && peer_->role == sync::StandbyRole::kMaster) {
    if (now - stream_heard_ > stale)
      why = fmt::format("no sync from the MASTER for {} s: our copy of its sessions is outdated", ms_between(now, stream_heard_) / 1000);
    else if (!snapshot_complete_ && !copy_whole_)
      why = "the MASTER's snapshot is not complete yet";
  } else if (!peer_ && now - started_ < stale) {
    why = "waiting for the peer's sync";
  }
  const bool ready = why.empty();
  const bool changed = ready != ready_;
  if (changed && ready_written_) {
    if (ready) log::info("standby: ready (a takeover would continue {} sessions)", held_.size());
    else log::warn("standby: not ready: {}", why);
  }
  ready_ = ready;
  not_ready_why_ = why;
  if (changed || !ready_written_) write_ready_file();  // retried every tick until it works
  if (changed) announce(now, false);
}

void Standby::write_ready_file() {
  // keepalived's track_file (weight 0): 0 = may become MASTER, anything else = FAULT.
  const std::string path = config_.ready_file_path();
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    log::warn_limited(log_limit_, "standby: ready file {}: {}", tmp, std::strerror(errno));
    return;
  }
  const char* text = ready_ ? "0\n" : "1\n";
  bool ok = ::write(fd, text, 2) == 2;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    log::warn_limited(log_limit_, "standby: ready file {}: {}", path, std::strerror(errno));
    return;
  }
  ready_written_ = true;
}

ctl::Json Standby::show(TimePoint now) const {
  const auto& st = channel_->stats();
  ctl::Json refused = ctl::Json::object();
  for (std::size_t i = 0; i < sync::kRefusalKinds; ++i)
    refused[sync::to_string(static_cast<sync::Refusal>(i))] = st.refused[i];
  refused["payload"] = counters_.refused_payloads;
  auto ago = [&](TimePoint t) -> ctl::Json {
    if (t == TimePoint{}) return nullptr;
    return ms_between(now, t);
  };
  ctl::Json peer = {{"node", st.peer_node},
                    {"address", config_.standby.peer.to_string()},
                    {"heard_ms_ago", ago(peer_heard_)}};
  if (peer_) {
    peer["role"] = to_string(peer_->role);
    peer["ready"] = peer_->ready;
    peer["not_ready_why"] = peer_->not_ready_why;
    peer["ac_mac"] = peer_->ac_mac.to_string();
  }
  const auto& c = counters_;
  return {{"ok", true},
          {"role", to_string(role_)},
          {"keepalived", vrrp_text_},
          {"keepalived_malformed_lines", fifo_.malformed()},
          {"role_for_s", ms_between(now, role_since_) / 1000},
          {"ready", ready_},
          {"not_ready_why", not_ready_why_},
          {"side", std::string(1, config_.standby.side)},
          {"partitioned", partitioned_.value_or(false)},
          {"held_sessions", held_.size()},
          {"snapshot_complete", snapshot_complete_},
          {"stream_heard_ms_ago", ago(stream_heard_)},
          {"peer", peer},
          {"channel",
           {{"outgoing_up", channel_->outgoing_up()},
            {"incoming_up", channel_->incoming_up()},
            {"connects", st.connects},
            {"accepts", st.accepts},
            {"sent", st.sent},
            {"received", st.received},
            {"acked", st.acked},
            {"send_dropped", st.send_dropped},
            {"handshake_timeouts", st.handshake_timeouts},
            {"refused", refused}}},
          {"counters",
           {{"takeovers", c.takeovers},
            {"step_downs", c.step_downs},
            {"continued", c.continued},
            {"not_continued", c.not_continued},
            {"clashes", c.clashes},
            {"released", c.released},
            {"records_sent", c.records_sent},
            {"gones_sent", c.gones_sent},
            {"snapshots_sent", c.snapshots_sent},
            {"records_received", c.records_received},
            {"gones_received", c.gones_received},
            {"snapshots_received", c.snapshots_received},
            {"split_brain_records", c.split_brain}}}};
}

}  // namespace pppoe::master
