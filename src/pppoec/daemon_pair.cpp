// The router pair (spec/004's two routers following CARP, on Linux with keepalived):
//
// - Role: keepalived's notify FIFO says MASTER or not for the sync group we follow. We start
//   as BACKUP, silent, and take the role keepalived gives.
// - MASTER: the session is ours; its record goes to the peer at every change that matters
//   (before the interface gets new addresses) and at least every `set pair interval`.
// - BACKUP: nothing is sent on the wire, nothing answered; the MASTER's record is held, the
//   interface configured from it (addresses, routes, ppp.linkup) so that NAT and routes are in
//   place before the moment they are needed.
// - Takeover (BACKUP -> MASTER): the held record is resumed as a restart resumes the state
//   file: same session ID and addresses, an LCP Echo-Request at once (the AC and the switches
//   learn where the shared MAC is now), no discovery, no authentication. When the AC does not
//   confirm it (PADT, or no echo reply within the resume window), PADT and a fresh dial.
// - Demotion (MASTER -> BACKUP, also the end of a split brain): silent at once, no LCP
//   Terminate, no PADT: the other router continues the session.
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "pppoec/daemon.hpp"

namespace pppoe::pppoec {

const char* to_string(PairRole r) {
  switch (r) {
    case PairRole::kNone: return "none";
    case PairRole::kBackup: return "BACKUP";
    case PairRole::kMaster: return "MASTER";
  }
  return "?";
}

namespace {
std::string age(TimePoint now, TimePoint then) {
  if (then == TimePoint{}) return "never";
  return fmt::format("{} ms ago", std::chrono::duration_cast<milliseconds>(now - then).count());
}

std::int64_t age_ms(TimePoint now, TimePoint then) {
  if (then == TimePoint{}) return -1;
  return std::chrono::duration_cast<milliseconds>(now - then).count();
}
}  // namespace

std::expected<void, std::string> Daemon::pair_open() {
  const PairSettings& p = profile_.pair;
  if (our_mac_ == socket_.mac())
    return std::unexpected(fmt::format("the shared MAC {} is {}'s own: it must differ from both routers' (spec/004)",
                                       our_mac_.to_string(), profile_.device.interface));
  if (options_.mode != Mode::kDdial) return std::unexpected("a pair runs in -ddial mode only");
  auto fifo = sync::VrrpFifo::open(p.vrrp_fifo, p.vrrp_name);
  if (!fifo) return std::unexpected(fifo.error());
  vrrp_.emplace(std::move(*fifo));
  sync::ChannelSettings cs{{p.listen, p.listen_port}, {p.peer, p.peer_port}, p.key, sync::host_name("pppoec")};
  auto channel = sync::Channel::open(std::move(cs));
  if (!channel) return std::unexpected(channel.error());
  pair_ = std::move(*channel);
  role_ = PairRole::kBackup;
  role_since_ = now_;
  stage_ = Stage::kStandby;
  log::info("{}: pair: BACKUP until keepalived says MASTER for '{}' ({}); sync {} <-> {}", profile_.ifname,
            p.vrrp_name, p.vrrp_fifo, pair_->settings().listen.to_string(), pair_->settings().peer.to_string());
  // What we held before a restart: the MASTER's last record (refreshed as soon as it streams).
  if (!options_.state_path.empty() && ::access(options_.state_path.c_str(), F_OK) == 0) {
    if (auto rec = load_record(options_.state_path); rec && rec->our_mac == our_mac_) {
      held_ = std::move(*rec);
      held_at_ = now_;
      iface_->up(record_addresses(*held_));
      if (held_->link.ipv6_opened) iface_->add_link_local(held_->link.ipv6_local_id);
    }
  }
  return {};
}

LinkAddresses Daemon::record_addresses(const SessionRecord& r) const {
  std::uint16_t want = profile_.mtu != 0 ? profile_.mtu : 1492;
  std::uint16_t limit = r.max_payload > 1492 ? r.max_payload : 1492;
  if (r.link.peer_mru != 0) limit = std::min(limit, r.link.peer_mru);
  return {r.link.local, r.link.peer, r.link.name_servers, std::min(want, limit)};
}

void Daemon::on_vrrp_state(sync::VrrpState state, const std::string& text) {
  vrrp_state_ = text;
  if (state == sync::VrrpState::kMaster)
    become_master("keepalived: " + text);
  else
    become_backup("keepalived: " + text);
}

void Daemon::become_master(const std::string& why) {
  if (role_ == PairRole::kMaster) return;
  role_ = PairRole::kMaster;
  role_since_ = now_;
  ++pair_counters_.takeovers;
  stage_ = Stage::kIdle;
  if (held_) {
    log::info("{}: pair: MASTER ({}): taking over session {} from the peer's record ({} old)", profile_.ifname, why,
              held_->session_id, age(now_, held_at_));
    takeover_pending_ = true;
    resume_from(*held_, "the peer's record");
    // The old MASTER may still send a frame or two before keepalived silences it, and teach
    // the access switch its port again: a second Echo-Request shortly after moves the
    // session's MAC back here even when no data flows upstream.
    reannounce_at_ = now_ + milliseconds(250);
    held_.reset();
    return;
  }
  log::info("{}: pair: MASTER ({}): no session held: dialling", profile_.ifname, why);
  dial("pair MASTER without a session");
}

void Daemon::become_backup(const std::string& why) {
  if (role_ == PairRole::kBackup) return;
  bool live = link_ && (stage_ == Stage::kUp || stage_ == Stage::kResuming);
  if (live) {
    held_ = make_record();  // what we give up is what we would take back
    held_at_ = now_;
  }
  role_ = PairRole::kBackup;  // silent from here: nothing below sends
  role_since_ = now_;
  reannounce_at_ = {};
  ++pair_counters_.demotions;
  takeover_pending_ = false;
  link_.reset();  // no Terminate-Request, no PADT: the other router continues the session
  discovery_.reset();
  pending_.clear();
  stage_ = Stage::kStandby;
  log::info("{}: pair: BACKUP ({}): silent{}", profile_.ifname, why,
            live ? fmt::format("; holding session {} for a takeover", held_->session_id) : "");
}

void Daemon::on_pair_message(const sync::Message& m) {
  if (m.type == sync::MessageType::kGone) {
    auto gone = sync::decode_gone(m.payload);
    if (!gone) {
      ++pair_counters_.records_refused;
      return;
    }
    ++pair_counters_.gone_received;
    if (role_ == PairRole::kMaster) return;
    log::info("{}: pair: the peer's session {} ended ({}): nothing held", profile_.ifname, gone->session_id, gone->reason);
    held_.reset();
    remove_state();
    configure_interface_down();
    return;
  }
  auto rec = decode_record(as_text(m.payload));
  if (!rec || rec->our_mac != our_mac_) {
    ++pair_counters_.records_refused;
    log::warn_limited(pair_log_, "{}: pair: record refused: {}", profile_.ifname,
                      rec ? fmt::format("for MAC {}, ours is {}", rec->our_mac.to_string(), our_mac_.to_string()) : rec.error());
    return;
  }
  if (role_ == PairRole::kMaster) {
    // Both MASTER for a moment (the VRRP link cut): we speak for the session ourselves.
    ++pair_counters_.records_ignored;
    return;
  }
  ++pair_counters_.records_applied;
  bool changed = !held_ || held_->session_id != rec->session_id || held_->link.local != rec->link.local ||
                 held_->link.peer != rec->link.peer || held_->link.ipv6_opened != rec->link.ipv6_opened;
  held_ = std::move(*rec);
  held_at_ = now_;
  if (!changed) return;
  // A new session or new addresses: configured here now, kept in the state file for a restart.
  iface_->up(record_addresses(*held_));
  if (held_->link.ipv6_opened) iface_->add_link_local(held_->link.ipv6_local_id);
  if (!options_.state_path.empty())
    if (auto s = save_record(options_.state_path, *held_); !s) log::warn("state file: {}", s.error());
  log::info("{}: pair: holding the peer's session {} ({} -> {})", profile_.ifname, held_->session_id,
            held_->link.local.to_string(), held_->link.peer.to_string());
}

void Daemon::publish_record() {
  if (role_ != PairRole::kMaster || !pair_ || !link_) return;
  if (stage_ != Stage::kUp && stage_ != Stage::kResuming) return;
  std::string text = encode(make_record());
  pair_->send(sync::MessageType::kRecord, as_bytes(text), now_);
  next_publish_ = now_ + milliseconds(profile_.pair.interval_ms);
}

void Daemon::publish_gone(const std::string& reason) {
  if (role_ != PairRole::kMaster || !pair_) return;
  pair_->send(sync::MessageType::kGone, sync::encode_gone({discovery_.session_id(), reason}), now_);
}

void Daemon::pair_tick() {
  if (!pair_) return;
  pair_->tick(now_);
  if (reannounce_at_ != TimePoint{} && now_ >= reannounce_at_) {
    reannounce_at_ = {};
    if (role_ == PairRole::kMaster && link_ && (stage_ == Stage::kUp || stage_ == Stage::kResuming)) link_->probe();
  }
  if (now_ >= next_publish_) publish_record();
}

std::string Daemon::show_pair() const {
  if (role_ == PairRole::kNone) return fmt::format("{}: not in a pair (no set pair)\n", profile_.ifname);
  const auto& st = pair_->stats();
  const auto& c = pair_counters_;
  std::string refused;
  for (std::size_t i = 0; i < sync::kRefusalKinds; ++i)
    if (st.refused[i] != 0) refused += fmt::format(" {} {}", sync::to_string(static_cast<sync::Refusal>(i)), st.refused[i]);
  return fmt::format(
      "{}: pair role {} for {} s (keepalived '{}': {}), shared MAC {}\n"
      " Peer: {} '{}', to peer {}, from peer {}\n"
      " Sync: sent {} (last {}), acknowledged {} (last {}), received {} (last {}), not sent {}\n"
      " Held: {}\n"
      " Takeovers {} (resumed {}, redialled {}), demotions {}; records applied {}, ignored as MASTER {}, refused {}\n"
      " Refused connections/messages:{}{}; handshake timeouts {}\n",
      profile_.ifname, pppoec::to_string(role_), std::chrono::duration_cast<seconds>(now_ - role_since_).count(),
      profile_.pair.vrrp_name, vrrp_state_, our_mac_.to_string(), pair_->settings().peer.to_string(), st.peer_node,
      pair_->outgoing_up() ? "up" : "down", pair_->incoming_up() ? "up" : "down", st.sent, age(now_, st.last_sent),
      st.acked, age(now_, st.last_acked), st.received, age(now_, st.last_received), st.send_dropped,
      held_ ? fmt::format("session {} ({} -> {}), state age {}", held_->session_id, held_->link.local.to_string(),
                          held_->link.peer.to_string(), age(now_, held_at_))
            : std::string("nothing"),
      c.takeovers, c.takeovers_resumed, c.takeovers_redialled, c.demotions, c.records_applied, c.records_ignored,
      c.records_refused, refused.empty() ? " none" : refused,
      vrrp_ && vrrp_->malformed() ? fmt::format(", FIFO lines malformed {}", vrrp_->malformed()) : "",
      st.handshake_timeouts);
}

ctl::Json Daemon::pair_json() const {
  if (role_ == PairRole::kNone) return nullptr;
  const auto& st = pair_->stats();
  const auto& c = pair_counters_;
  ctl::Json refused = ctl::Json::object();
  for (std::size_t i = 0; i < sync::kRefusalKinds; ++i) refused[sync::to_string(static_cast<sync::Refusal>(i))] = st.refused[i];
  ctl::Json j = {{"role", pppoec::to_string(role_)},
                 {"role_for_ms", age_ms(now_, role_since_)},
                 {"vrrp_name", profile_.pair.vrrp_name},
                 {"vrrp_state", vrrp_state_},
                 {"peer", pair_->settings().peer.to_string()},
                 {"peer_node", st.peer_node},
                 {"to_peer_up", pair_->outgoing_up()},
                 {"from_peer_up", pair_->incoming_up()},
                 {"sent", st.sent},
                 {"acked", st.acked},
                 {"received", st.received},
                 {"not_sent", st.send_dropped},
                 {"last_sent_ms", age_ms(now_, st.last_sent)},
                 {"last_acked_ms", age_ms(now_, st.last_acked)},
                 {"last_received_ms", age_ms(now_, st.last_received)},
                 {"held_session_id", held_ ? unsigned{held_->session_id} : 0u},
                 {"held_age_ms", held_ ? age_ms(now_, held_at_) : std::int64_t{-1}},
                 {"takeovers", c.takeovers},
                 {"takeovers_resumed", c.takeovers_resumed},
                 {"takeovers_redialled", c.takeovers_redialled},
                 {"demotions", c.demotions},
                 {"records_applied", c.records_applied},
                 {"records_ignored", c.records_ignored},
                 {"records_refused", c.records_refused},
                 {"refused", refused},
                 {"handshake_timeouts", st.handshake_timeouts},
                 {"fifo_malformed", vrrp_ ? vrrp_->malformed() : std::uint64_t{0}}};
  return j;
}

}  // namespace pppoe::pppoec
