#include "master/worker_pool.hpp"

#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

#include "dataplane/frames.hpp"
#include "proto/pppoe.hpp"
#include "session/ppp_link.hpp"
#include "worker/worker_process.hpp"

namespace pppoe::master {

namespace {
std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

using dataplane::WorkerState;
using worker::Message;
using worker::MessageType;

const char* to_string(Algorithm a) {
  switch (a) {
    case Algorithm::kFewestSessions: return "fewest_sessions";
    case Algorithm::kRoundRobin: return "round_robin";
    case Algorithm::kMacHash: return "mac_hash";
  }
  return "?";
}

namespace {
std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }
}  // namespace

WorkerPool::WorkerPool(Config& config, dataplane::SharedState& shared, dataplane::SessionDispatchMap& dispatch,
                       const std::vector<dataplane::L2tpDispatch>& l2tp_dispatch, session::LocalSecrets& secrets,
                       SettingLines& lines, const ConfigSource& source, dataplane::PacketSocket& socket,
                       dataplane::NetInterface& routed, std::vector<int> close_in_child)
    : config_(config),
      shared_(shared),
      dispatch_(dispatch),
      l2tp_dispatch_(l2tp_dispatch),
      secrets_(secrets),
      lines_(lines),
      source_(source),
      socket_(socket),
      routed_(routed),
      close_in_child_(std::move(close_in_child)),
      owner_(dataplane::SessionTable::kCapacity, 0),
      pending_key_of_(dataplane::SessionTable::kCapacity, 0),
      mac_of_(dataplane::SessionTable::kCapacity, 0),
      up_(dataplane::SessionTable::kCapacity, 0) {
  // Session IDs in a shuffled FIFO: a just-freed ID is the last to be reused, so stale frames
  // of a dead session rarely hit a new one, and IDs do not reveal how many sessions exist.
  std::vector<std::uint16_t> ids;
  for (std::uint32_t i = 1; i <= pppoe_proto::kMaxSessionId; ++i) ids.push_back(static_cast<std::uint16_t>(i));
  std::uint32_t r = 0;
  while (::getrandom(&r, sizeof r, 0) != sizeof r) {
  }
  for (std::size_t i = ids.size() - 1; i > 0; --i) {
    r = r * 1664525u + 1013904223u;
    std::swap(ids[i], ids[r % (i + 1)]);
  }
  free_ids_.assign(ids.begin(), ids.end());
  for (std::size_t i = 0; i < dataplane::kMaxWorkers; ++i)
    shared_.workers[i].state = static_cast<std::uint32_t>(WorkerState::kUnused);
}

WorkerPool::~WorkerPool() = default;

std::vector<int> WorkerPool::channel_fds() const {
  std::vector<int> fds;
  for (const auto& s : slots_)
    if (s.pid > 0) fds.push_back(s.fd);
  return fds;
}

unsigned WorkerPool::current_workers() const {
  unsigned n = 0;
  for (const auto& s : slots_)
    if (s.pid > 0) ++n;
  return n;
}

unsigned WorkerPool::count_in(WorkerState st) const {
  unsigned n = 0;
  for (std::size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].pid > 0 && shared_.workers[i].state.load() == static_cast<std::uint32_t>(st)) ++n;
  return n;
}

std::expected<unsigned, std::string> WorkerPool::add_worker(std::string_view why, std::optional<unsigned> in_slot) {
  unsigned slot = 0;
  while (slot < slots_.size() && slots_[slot].pid != 0) ++slot;
  if (in_slot) {
    if (*in_slot >= slots_.size() || slots_[*in_slot].pid != 0) return std::unexpected(fmt::format("slot {} is in use", *in_slot));
    slot = *in_slot;
  }
  if (slot == slots_.size()) return std::unexpected(fmt::format("all {} worker slots in use", slots_.size()));
  auto fds = worker::Channel::make_pair();
  if (!fds) return std::unexpected(fmt::format("socketpair: {}", std::strerror(errno)));
  int pair[2] = {fds->first, fds->second};
  auto& stats = shared_.workers[slot];
  stats.sessions = 0;
  stats.bytes_in = stats.bytes_out = stats.packets_in = stats.packets_out = 0;
  stats.session_frames = stats.foreign_frames = stats.downstream_for_others = 0;
  stats.mss_clamped = stats.shaped_packets = 0;
  for (auto& d : stats.drops) d = 0;
  stats.state = static_cast<std::uint32_t>(WorkerState::kActive);
  stats.started_unix = unix_now();
  stats.draining_since_unix = 0;
  socket_.flush();  // nothing queued may be sent twice
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pair[0]);
    ::close(pair[1]);
    return std::unexpected(fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    // The child keeps only what a worker needs: shared memory, the dispatch map, its channel.
    for (int fd : close_in_child_) ::close(fd);
    for (const auto& cleanup : child_cleanups_) cleanup();
    if (fast_path_ != nullptr) fast_path_->close_links_in_child();
    for (const auto& s : slots_)
      if (s.fd >= 0) ::close(s.fd);
    ::close(pair[0]);
    signal(SIGCHLD, SIG_DFL);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    worker::run_worker_process({config_, shared_, dispatch_, l2tp_dispatch_, secrets_, lines_, source_,
                                static_cast<std::uint8_t>(slot), pair[1], fast_path_});
  }
  ::close(pair[1]);
  slots_[slot] = Slot{pid, pair[0], worker::Channel(pair[0]), 0, false};
  stats.pid = pid;
  if (on_channel_change) on_channel_change(pair[0], true);
  log::info("created worker {} (now {} workers){}{}", slot, current_workers(), why.empty() ? "" : ": ", why);
  return slot;
}

bool WorkerPool::drain(unsigned slot) {
  if (slot >= slots_.size() || slots_[slot].pid <= 0 || slots_[slot].stopping) return false;
  auto& st = shared_.workers[slot].state;
  std::uint32_t expected = static_cast<std::uint32_t>(WorkerState::kActive);
  if (!st.compare_exchange_strong(expected, static_cast<std::uint32_t>(WorkerState::kDraining))) return false;
  shared_.workers[slot].draining_since_unix = unix_now();
  log::info("worker {} marked DRAINING ({} sessions)", slot, slots_[slot].assigned);
  return true;
}

std::size_t WorkerPool::migrate(unsigned slot) {
  if (slot >= slots_.size() || slots_[slot].pid <= 0 || slots_[slot].stopping) return 0;
  std::size_t asked = 0;
  for (std::uint32_t sid = 1; sid <= pppoe_proto::kMaxSessionId; ++sid) {
    if (owner_[sid] != slot + 1) continue;
    auto rec = shared_.table.read(static_cast<std::uint16_t>(sid));
    if (!rec || !dataplane::can_adopt(*rec)) continue;
    Message m;
    m.type = MessageType::kMigrateOut;
    m.session_id = static_cast<std::uint16_t>(sid);
    if (!slots_[slot].channel.queue(m)) break;
    ++asked;
  }
  if (!slots_[slot].channel.flush()) log::warn("cannot send to worker {}", slot);
  log::info("worker {}: migrating {} of its {} sessions to the ACTIVE workers", slot, asked, slots_[slot].assigned);
  return asked;
}

void WorkerPool::move_session(unsigned from, std::uint16_t sid) {
  // The old owner has let the session go with its record complete. Where it lands: the choice
  // a new session of that client would get; no ACTIVE worker: back where it was.
  auto rec = shared_.table.read(sid);
  std::optional<unsigned> to = rec ? choose(rec->client_mac) : std::nullopt;
  if (!to || *to == from) to = from;
  if (*to != from) {
    owner_[sid] = static_cast<std::uint16_t>(*to + 1);
    if (slots_[from].assigned > 0) --slots_[from].assigned;
    ++slots_[*to].assigned;
    // The kernel's dispatch first, then the record: frames from here on reach the new owner,
    // which finds itself named in the record when the adopt message arrives.
    dispatch_.set(sid, *to + 1);
    shared_.table.update(sid, [&](dataplane::SessionRecord& r) {
      r.worker = static_cast<std::uint8_t>(*to);
      ++r.migrations;
    });
    ++migrated_sessions;
  }
  Message m;
  m.type = MessageType::kAdopt;
  m.session_id = sid;
  if (!slots_[*to].channel.queue(m)) log::warn("cannot send to worker {}", *to);
}

bool WorkerPool::cancel_drain(unsigned slot) {
  if (slot >= slots_.size() || slots_[slot].pid <= 0 || slots_[slot].stopping) return false;
  auto state = static_cast<WorkerState>(shared_.workers[slot].state.load());
  if (state != WorkerState::kDraining && state != WorkerState::kPendingRemoval) return false;
  shared_.workers[slot].state = static_cast<std::uint32_t>(WorkerState::kActive);
  shared_.workers[slot].draining_since_unix = 0;
  log::info("worker {} returns to ACTIVE", slot);
  return true;
}

std::optional<unsigned> WorkerPool::drain_candidate() const {
  std::optional<unsigned> best;
  for (unsigned i = 0; i < slots_.size(); ++i) {
    if (slots_[i].pid <= 0 || slots_[i].stopping ||
        shared_.workers[i].state.load() != static_cast<std::uint32_t>(WorkerState::kActive))
      continue;
    if (!best || slots_[i].assigned <= slots_[*best].assigned) best = i;
  }
  return best;
}

std::optional<unsigned> WorkerPool::any_draining() const {
  for (unsigned i = 0; i < slots_.size(); ++i)
    if (slots_[i].pid > 0 && !slots_[i].stopping &&
        shared_.workers[i].state.load() == static_cast<std::uint32_t>(WorkerState::kDraining))
      return i;
  return std::nullopt;
}

void WorkerPool::send(unsigned slot, const Message& m) {
  // Session starts and client PADTs come in storms: queued, flushed at the end of the loop
  // turn (flush_channels); everything else goes at once, after what is queued.
  bool storm = m.type == MessageType::kStart || m.type == MessageType::kPeerPadt;
  if (slots_[slot].pid <= 0 || !(storm ? slots_[slot].channel.queue(m) : slots_[slot].channel.send(m)))
    log::warn("cannot send to worker {}", slot);
}

unsigned WorkerPool::reload_workers(std::uint32_t generation) {
  Message m;
  m.type = MessageType::kReload;
  m.generation = generation;
  unsigned asked = 0;
  for (unsigned i = 0; i < slots_.size(); ++i) {
    if (slots_[i].pid <= 0 || slots_[i].stopping) continue;
    send(i, m);
    ++asked;
  }
  return asked;
}

void WorkerPool::flush_channels() {
  for (unsigned i = 0; i < slots_.size(); ++i)
    if (slots_[i].pid > 0 && !slots_[i].channel.flush()) log::warn("cannot send to worker {}", i);
}

void WorkerPool::tick(std::int64_t now, unsigned drain_timeout) {
  shared_.held_prefixes.expire(unix_ms_now(), [&](const dataplane::HeldPrefixes::Held& h) {
    shared_.ipv6_pool.release(h.wan);
    shared_.delegate_pool.release(h.delegated);
  });
  for (unsigned i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (s.pid <= 0 || s.stopping) continue;
    auto& stats = shared_.workers[i];
    auto state = static_cast<WorkerState>(stats.state.load());
    if (state == WorkerState::kDraining) {
      if (s.assigned == 0) {
        stats.state = static_cast<std::uint32_t>(WorkerState::kPendingRemoval);
        state = WorkerState::kPendingRemoval;
      } else if (now - stats.draining_since_unix.load() >= drain_timeout) {
        // Our choice (documented): a drain that outlasts drain_timeout ends the remaining
        // sessions cleanly (LCP Terminate, PADT, final accounting) and removes the worker.
        log::warn("worker {}: drain timeout after {} s, terminating its {} sessions", i, drain_timeout, s.assigned);
        stats.state = static_cast<std::uint32_t>(WorkerState::kPendingRemoval);
        Message m;
        m.type = MessageType::kShutdown;
        m.reason = static_cast<std::uint8_t>(session::EndReason::kAdminReset);
        send(i, m);
        s.stopping = true;
        continue;
      }
    }
    if (state == WorkerState::kPendingRemoval) {
      Message m;
      m.type = MessageType::kShutdown;
      m.reason = static_cast<std::uint8_t>(session::EndReason::kAdminReset);
      send(i, m);
      s.stopping = true;
    }
  }
}

void WorkerPool::reap_children() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    std::string how = WIFSIGNALED(status) ? fmt::format("died by signal {}", WTERMSIG(status))
                                          : fmt::format("exited with status {}", WEXITSTATUS(status));
    if (auto d = departed_.find(pid); d != departed_.end()) {
      // Already replaced when its channel closed; now the kernel has finished with it.
      log::info("worker {}'s previous process (pid {}) {}", d->second, pid, how);
      departed_.erase(d);
      continue;
    }
    unsigned slot = 0;
    while (slot < slots_.size() && slots_[slot].pid != pid) ++slot;
    if (slot == slots_.size()) continue;
    worker_gone(slot, how);
  }
}

void WorkerPool::worker_gone(unsigned slot, const std::string& how) {
  Slot& s = slots_[slot];
  const pid_t pid = s.pid;
  bool crashed = !s.stopping;
  // Messages the worker sent before it went (session ends) come first.
  receive_messages(slot);
  auto state = static_cast<WorkerState>(shared_.workers[slot].state.load());
  // A crashed worker's sessions are continued by a replacement in the same slot, so the
  // dispatch map, the indexes and the pool stay as they are (operator guide "High
  // availability"). A draining worker's too: the replacement drains them on.
  std::vector<std::uint16_t> adopt;
  std::size_t torn = 0;
  if (crashed) adopt = adoptable_sessions(slot, torn);
  // Handing over: the sessions stay in the table for the state file (hand_over_all).
  std::size_t ended = handing_over_ ? 0 : cleanup_dead_worker(slot, adopt);
  if (on_worker_gone) on_worker_gone(slot);
  if (on_channel_change) on_channel_change(s.fd, false);
  ::close(s.fd);
  s = Slot{};
  shared_.workers[slot].pid = 0;
  shared_.workers[slot].state = static_cast<std::uint32_t>(WorkerState::kUnused);
  shared_.workers[slot].sessions = 0;
  if (!crashed) {
    log::info("removed worker {} (now {} workers)", slot, current_workers());
    return;
  }
  ++crashes;
  if (!adopt.empty()) {
    if (auto r = add_worker("adopting a crashed worker's sessions", slot); r) {
      give_to_replacement(slot, adopt, state);
      log::error("worker {} (pid {}) {}; worker {} (pid {}) adopts its {} sessions; {} ended (PADT sent: {} not up, "
                 "{} torn records)",
                 slot, pid, how, slot, slots_[slot].pid, adopt.size(), ended, ended - torn, torn);
      return;
    } else {
      log::error("worker {}: no replacement ({}): its sessions end", slot, r.error());
      ended += cleanup_dead_worker(slot, {});
    }
  }
  log::error("worker {} (pid {}) {}; tore down its {} sessions (PADT sent)", slot, pid, how, ended);
  if (replace_crashed) (void)add_worker("replacing a crashed worker");
}

std::vector<std::uint16_t> WorkerPool::adoptable_sessions(unsigned slot, std::size_t& torn) const {
  std::vector<std::uint16_t> ids;
  for (std::uint32_t sid = 1; sid <= pppoe_proto::kMaxSessionId; ++sid) {
    if (owner_[sid] != slot + 1) continue;
    auto r = shared_.table.read_checked(static_cast<std::uint16_t>(sid));
    if (r.kind == dataplane::CheckedRead::Kind::kTorn) ++torn;  // died mid-write: never half-adopted
    if (r.kind == dataplane::CheckedRead::Kind::kConsistent && dataplane::can_adopt(r.record) && r.record.worker == slot)
      ids.push_back(static_cast<std::uint16_t>(sid));
  }
  return ids;
}

void WorkerPool::give_to_replacement(unsigned slot, const std::vector<std::uint16_t>& ids, WorkerState state) {
  Slot& s = slots_[slot];
  s.assigned = ids.size();
  if (state == WorkerState::kDraining) {  // it goes on draining; the drain timeout counts anew
    shared_.workers[slot].state = static_cast<std::uint32_t>(WorkerState::kDraining);
    shared_.workers[slot].draining_since_unix = unix_now();
  }
  for (std::uint16_t id : ids) {
    Message m;
    m.type = MessageType::kAdopt;
    m.session_id = id;
    if (!s.channel.queue(m)) log::warn("cannot send to worker {}", slot);
  }
  if (!s.channel.flush()) log::warn("cannot send to worker {}", slot);
  adopted_sessions += ids.size();
}

void WorkerPool::end_from_record(const dataplane::SessionRecord& r, const char* why) {
  dataplane::send_padt(socket_, r.client_mac, r.vlans, r.session_id, why, config_.ether_types().discovery);
  if (on_session_lost) on_session_lost(r);
}

void WorkerPool::leave_fast_path(std::uint16_t id, dataplane::SessionRecord& r) {
  const auto ifindex = static_cast<std::uint32_t>(socket_.ifindex());
  auto up = fast_path_->remove_session(ifindex, id);
  fast_path_->remove_routes({r.ipv4, r.ipv6_peer_id, Ipv6Prefix{r.ipv6_prefix, r.ipv6_prefix_len},
                             Ipv6Prefix{r.delegated_prefix, r.delegated_prefix_len}},
                            ifindex, id);
  auto down = fast_path_->remove_down_counters(ifindex, id);
  // A count below what the worker folded means the entry is not the one it folded from: nothing.
  if (up && up->packets >= r.fast_up_packets && up->octets >= r.fast_up_octets) {
    r.rx_packets += up->packets - r.fast_up_packets;
    r.rx_bytes += up->octets - r.fast_up_octets;
  }
  if (down && down->packets >= r.fast_down_packets && down->octets >= r.fast_down_octets) {
    shared_.downstream[id].packets.fetch_add(down->packets - r.fast_down_packets, std::memory_order_relaxed);
    shared_.downstream[id].bytes.fetch_add(down->octets - r.fast_down_octets, std::memory_order_relaxed);
  }
  dataplane::clear_fast_counts(r);
}

std::size_t WorkerPool::cleanup_dead_worker(unsigned slot, const std::vector<std::uint16_t>& keep) {
  std::size_t ended = 0;
  for (std::uint32_t sid = 1; sid <= pppoe_proto::kMaxSessionId; ++sid) {
    if (owner_[sid] != slot + 1) continue;
    auto id = static_cast<std::uint16_t>(sid);
    if (std::binary_search(keep.begin(), keep.end(), id)) continue;
    ++ended;
    auto checked = shared_.table.read_checked(id);
    if (checked.kind != dataplane::CheckedRead::Kind::kFree) {
      // Torn or not: enough of it (MAC, VLANs, address, accounting ID) to end it properly.
      dataplane::SessionRecord* rec = &checked.record;
      // The kernel stops forwarding before the PADT, and what it counted since the worker's
      // last fold goes into the Stop record.
      if (fast_path_ != nullptr) leave_fast_path(id, *rec);
      // Tell the client at once so it reconnects (to another worker) instead of waiting for
      // its LCP echo timeout.
      end_from_record(*rec, "worker failure");
      give_back_addresses(id, *rec);
      shared_.table.clear_abandoned(id);
    }
    free_session(id);
  }
  socket_.flush();
  return ended;
}

void WorkerPool::stop_all(Duration timeout, MessageType how) {
  for (unsigned i = 0; i < slots_.size(); ++i) {
    if (slots_[i].pid <= 0) continue;
    Message m;
    m.type = how;
    m.reason = static_cast<std::uint8_t>(session::EndReason::kShutdown);
    send(i, m);
    slots_[i].stopping = true;
  }
  auto deadline = Clock::now() + timeout;
  while (current_workers() > 0 && Clock::now() < deadline) {
    reap_children();
    std::this_thread::sleep_for(milliseconds(20));
  }
  for (auto& s : slots_)
    if (s.pid > 0) ::kill(s.pid, SIGKILL);
  while (current_workers() > 0) {
    reap_children();
    std::this_thread::sleep_for(milliseconds(5));
  }
}

void WorkerPool::on_channel_readable(int fd) {
  unsigned slot = 0;
  while (slot < slots_.size() && slots_[slot].fd != fd) ++slot;
  if (slot == slots_.size()) return;
  receive_messages(slot);
  Slot& s = slots_[slot];
  if (s.channel.closed() && !s.stopping && s.pid > 0) {
    // The worker's end closed without being asked to: the process is dying (a crash, a
    // SIGKILL). Its channel closes before its packet socket and TUN queue, whose teardown
    // waits for RCU grace periods (tens of milliseconds before SIGCHLD), so the replacement
    // starts now. SIGKILL makes sure no code of it runs any more; the reap comes later.
    ::kill(s.pid, SIGKILL);
    departed_[s.pid] = slot;
    worker_gone(slot, "is gone (its channel closed)");
  }
}

void WorkerPool::receive_messages(unsigned slot) {
  while (auto m = slots_[slot].channel.receive()) {
    if (m->type == MessageType::kLnsCall) {
      lns_call(slot, *m);
      continue;
    }
    if (m->type == MessageType::kReloaded) {  // about the worker, not a session
      if (on_reloaded) on_reloaded(slot, m->generation, m->reason == 0);
      continue;
    }
    if (owner_[m->session_id] != slot + 1) continue;  // stale or forged: not this worker's session
    switch (m->type) {
      case MessageType::kSessionUp: {
        end_pending(m->session_id);
        mark_up(m->session_id);
        if (m->ipv4 == 0) break;  // switched into an L2TP tunnel: the LNS gives the address
        Ipv4Address a{m->ipv4};
        if (!shared_.ipv4.insert(dataplane::SharedIndex::ipv4_key(a.value), m->session_id)) {
          log::warn("session {}: address {} already in use; disconnecting", m->session_id, a.to_string());
          (void)disconnect(m->session_id, static_cast<std::uint8_t>(session::EndReason::kPoolExhausted));
          break;
        }
        // Pools are routed to the TUN as prefixes; a fixed address outside them needs its own route.
        if (!shared_.pool.contains(a) && config_.tun_configure)
          if (auto r = routed_.add_route(a, 32); !r) log::error("{}", r.error());
        if (auto rec = shared_.table.read(m->session_id)) index_routes(m->session_id, *rec);
        break;
      }
      case MessageType::kIpv6Up: {
        if (!shared_.ipv6.insert(dataplane::SharedIndex::ipv6_key(m->ipv6_id), m->session_id))
          log::warn("session {}: IPv6 interface identifier in use elsewhere", m->session_id);
        Ipv6Prefix p{m->ipv6_prefix, m->ipv6_prefix_len};
        // Inserted once for the session's life (IPv6CP may open again with the same /64).
        if (!p.empty() && shared_.prefixes.owner(p) != m->session_id) {
          if (shared_.prefixes.insert(p, m->session_id))
            route_prefix(p, true);
          else
            log::warn("session {}: IPv6 prefix {} in use elsewhere: link-local only", m->session_id, p.to_string());
        }
        break;
      }
      case MessageType::kIpv6Down:
        if (shared_.ipv6.find(dataplane::SharedIndex::ipv6_key(m->ipv6_id)) == m->session_id)
          shared_.ipv6.erase(dataplane::SharedIndex::ipv6_key(m->ipv6_id));
        break;
      case MessageType::kPrefixDelegated: {
        Ipv6Prefix p{m->delegated_prefix, m->delegated_len};
        if (shared_.prefixes.insert(p, m->session_id))
          route_prefix(p, true);
        else
          log::warn("session {}: delegated prefix {} in use elsewhere: not routed to it", m->session_id, p.to_string());
        break;
      }
      case MessageType::kPrefixReturned:
        unindex_prefix(Ipv6Prefix{m->delegated_prefix, m->delegated_len}, m->session_id);
        break;
      case MessageType::kSessionEnded: {
        if (on_session_ended) on_session_ended(*m);
        unindex_routes(m->session_id);
        Ipv6Prefix wan{m->ipv6_prefix, m->ipv6_prefix_len}, delegated{m->delegated_prefix, m->delegated_len};
        unindex_prefix(wan, m->session_id);
        unindex_prefix(delegated, m->session_id);
        // Kept for the user (ipv6-prefix-hold); when that cannot be, back to the pools now.
        if (m->hold_prefixes &&
            !shared_.held_prefixes.hold(m->user_key, {wan, delegated},
                                        unix_ms_now() + std::int64_t{config_.ipv6_service.prefix_hold} * 1000)) {
          shared_.ipv6_pool.release(wan);
          shared_.delegate_pool.release(delegated);
        }
        if (m->ipv4 != 0) {
          Ipv4Address a{m->ipv4};
          if (shared_.ipv4.find(dataplane::SharedIndex::ipv4_key(a.value)) == m->session_id) {
            shared_.ipv4.erase(dataplane::SharedIndex::ipv4_key(a.value));
            if (!shared_.pool.contains(a) && config_.tun_configure) (void)routed_.delete_route(a, 32);
          }
        }
        free_session(m->session_id);
        break;
      }
      case MessageType::kStart:
      case MessageType::kPeerPadt:
      case MessageType::kDisconnect:
      case MessageType::kShutdown:
      case MessageType::kChangeTimeouts:
      case MessageType::kChangeRate:
      case MessageType::kMigrated:
        if (m->reason != 0) {  // the worker kept it (not continuable any more)
          // A step-down leaves nothing running here: it ends (its PADT muted).
          if (releasing_) (void)disconnect(m->session_id, static_cast<std::uint8_t>(session::EndReason::kAdminReset));
          break;
        }
        if (releasing_) release_session(m->session_id);
        else move_session(slot, m->session_id);
        break;
      case MessageType::kLnsStart:
      case MessageType::kAdopt:
      case MessageType::kMigrateOut:
      case MessageType::kHandover:
      case MessageType::kReload:
      case MessageType::kReloaded:
      case MessageType::kLnsCall:
        break;  // master -> worker only, or handled above
    }
  }
}

void WorkerPool::forget_taken_ids() {
  std::erase_if(free_ids_, [this](std::uint16_t sid) { return owner_[sid] != 0; });
}

std::optional<std::uint16_t> WorkerPool::take_free_id() {
  // An ID taken outside the FIFO (resume_session) and not yet forgotten: never handed out twice.
  // Outside the allowed range (standby pair): back to the end of the FIFO, for later.
  for (std::size_t left = free_ids_.size(); left > 0 && !free_ids_.empty(); --left) {
    std::uint16_t sid = free_ids_.front();
    free_ids_.pop_front();
    if (owner_[sid] != 0) continue;
    if (!id_range_ || (sid >= id_range_->first && sid <= id_range_->second)) return sid;
    free_ids_.push_back(sid);
  }
  return std::nullopt;
}

std::size_t WorkerPool::release_all() {
  releasing_ = true;
  std::size_t asked = 0, ended = 0;
  for (std::uint32_t sid = 1; sid <= pppoe_proto::kMaxSessionId; ++sid) {
    const unsigned owner = owner_[sid];
    if (owner == 0) continue;
    auto id = static_cast<std::uint16_t>(sid);
    auto rec = shared_.table.read(id);
    if (rec && dataplane::can_adopt(*rec)) {
      Message m;
      m.type = MessageType::kMigrateOut;
      m.session_id = id;
      if (slots_[owner - 1].channel.queue(m)) ++asked;
    } else {
      // Negotiating, or an L2TP call: nothing the peer could continue.
      ++ended;
      (void)disconnect(id, static_cast<std::uint8_t>(session::EndReason::kAdminReset));
    }
  }
  flush_channels();
  log::info("releasing {} sessions to the standby peer; {} that cannot be continued end", asked, ended);
  return asked;
}

void WorkerPool::index_routes(std::uint16_t sid, const dataplane::SessionRecord& rec) {
  // No kernel route per session: the operator routes the networks handed out to the TUN (one
  // aggregate); here the downstream lookup learns which session has which.
  policy::FramedRoutes indexed;
  for (std::size_t i = 0; i < policy::kMaxRoutes4; ++i) {
    if (rec.route4_len[i] == 0) continue;
    policy::Route4 r{rec.route4[i], rec.route4_len[i]};
    if (shared_.routes4.insert(Ipv6Prefix{std::uint64_t{r.network} << 32, r.length}, sid)) indexed.v4.push_back(r);
    else log::warn("session {}: route {} belongs to another session; not routed here", sid, r.to_string());
  }
  if (Ipv6Prefix p{rec.route6, rec.route6_len}; !p.empty()) {
    if (shared_.prefixes.insert(p, sid)) indexed.v6.push_back(p);
    else log::warn("session {}: IPv6 route {} belongs to another session; not routed here", sid, p.to_string());
  }
  if (!indexed.empty()) routes_[sid] = std::move(indexed);
}

void WorkerPool::unindex_routes(std::uint16_t sid) {
  auto it = routes_.find(sid);
  if (it == routes_.end()) return;
  for (const auto& r : it->second.v4) (void)shared_.routes4.erase(Ipv6Prefix{std::uint64_t{r.network} << 32, r.length}, sid);
  for (const auto& p : it->second.v6) (void)shared_.prefixes.erase(p, sid);
  routes_.erase(it);
}

void WorkerPool::give_back_addresses(std::uint16_t sid, const dataplane::SessionRecord& rec) {
  unindex_routes(sid);
  if (rec.ipv4 != 0) {
    Ipv4Address a{rec.ipv4};
    if (shared_.ipv4.find(dataplane::SharedIndex::ipv4_key(a.value)) == sid) {
      shared_.ipv4.erase(dataplane::SharedIndex::ipv4_key(a.value));
      if (!shared_.pool.contains(a) && config_.tun_configure) (void)routed_.delete_route(a, 32);
    }
    shared_.pool.release(a);
  }
  if (rec.ipv6_peer_id != 0 && shared_.ipv6.find(dataplane::SharedIndex::ipv6_key(rec.ipv6_peer_id)) == sid)
    shared_.ipv6.erase(dataplane::SharedIndex::ipv6_key(rec.ipv6_peer_id));
  Ipv6Prefix prefix{rec.ipv6_prefix, rec.ipv6_prefix_len};
  if (!prefix.empty()) {
    unindex_prefix(prefix, sid);
    shared_.ipv6_pool.release(prefix);
  }
  Ipv6Prefix delegated{rec.delegated_prefix, rec.delegated_prefix_len};
  if (!delegated.empty()) {
    unindex_prefix(delegated, sid);
    shared_.delegate_pool.release(delegated);
  }
}

void WorkerPool::route_prefix(Ipv6Prefix p, bool add) {
  // The pools are routed as a whole at start; a prefix RADIUS fixed outside them needs its own.
  if (!config_.tun_configure || shared_.ipv6_pool.contains(p) || shared_.delegate_pool.contains(p)) return;
  auto r = add ? routed_.add_ipv6_route(p.address(), p.length) : routed_.delete_ipv6_route(p.address(), p.length);
  if (!r) log::error("{}", r.error());
}

void WorkerPool::unindex_prefix(Ipv6Prefix p, std::uint16_t sid) {
  if (!p.empty() && shared_.prefixes.erase(p, sid)) route_prefix(p, false);
}

void WorkerPool::release_session(std::uint16_t sid) {
  auto rec = shared_.table.read(sid);
  if (!rec) {
    free_session(sid);
    return;
  }
  if (on_released)
    on_released(*rec, shared_.downstream[sid].packets.load(std::memory_order_relaxed),
                shared_.downstream[sid].bytes.load(std::memory_order_relaxed));
  give_back_addresses(sid, *rec);
  shared_.table.clear(sid);
  shared_.downstream[sid].packets = 0;
  shared_.downstream[sid].bytes = 0;
  free_session(sid);
}

std::expected<unsigned, std::string> WorkerPool::resume_session(const dataplane::SessionRecord& rec,
                                                                 std::uint64_t down_packets, std::uint64_t down_bytes) {
  const std::uint16_t sid = rec.session_id;
  if (sid == 0 || sid > pppoe_proto::kMaxSessionId) return std::unexpected(fmt::format("session ID {} out of range", sid));
  if (owner_[sid] != 0) return std::unexpected(fmt::format("session ID {} twice", sid));
  if (!dataplane::can_adopt(rec)) return std::unexpected("incomplete record");
  auto slot = choose(rec.client_mac);
  if (!slot) return std::unexpected("no ACTIVE worker");
  Ipv4Address a{rec.ipv4};
  const auto ipv4_key = dataplane::SharedIndex::ipv4_key(a.value);
  if (shared_.ipv4.find(ipv4_key)) return std::unexpected(fmt::format("address {} twice", a.to_string()));
  if (shared_.pool.contains(a) && !shared_.pool.reserve(a))
    return std::unexpected(fmt::format("address {} taken in the pool", a.to_string()));
  if (!shared_.ipv4.insert(ipv4_key, sid)) {
    shared_.pool.release(a);
    return std::unexpected("address index full");
  }
  // Pools are routed to the TUN as prefixes; a fixed address outside them needs its own route.
  if (!shared_.pool.contains(a) && config_.tun_configure)
    if (auto r = routed_.add_route(a, 32); !r) log::error("{}", r.error());
  if (rec.ipv6_opened && rec.ipv6_peer_id != 0)
    (void)shared_.ipv6.insert(dataplane::SharedIndex::ipv6_key(rec.ipv6_peer_id), sid);
  // The /64 and the delegated prefix go with the session, also where this configuration has no
  // pool for them any more; one that is taken is dropped (the session goes on without it).
  dataplane::SessionRecord adopted = rec;
  auto take = [&](dataplane::SharedPrefixPools& pool, std::uint64_t& upper, std::uint8_t& length, const char* what) {
    Ipv6Prefix p{upper, length};
    if (p.empty()) return;
    bool pooled = pool.contains(p);
    bool taken = pooled && !pool.reserve(p);
    if (!taken && !shared_.prefixes.insert(p, sid)) {
      taken = true;
      if (pooled) pool.release(p);
    }
    if (!taken) {
      route_prefix(p, true);
      return;
    }
    log::warn("session {}: {} {} taken: it continues without it", sid, what, p.to_string());
    upper = 0;
    length = 0;
  };
  take(shared_.ipv6_pool, adopted.ipv6_prefix, adopted.ipv6_prefix_len, "IPv6 prefix");
  take(shared_.delegate_pool, adopted.delegated_prefix, adopted.delegated_prefix_len, "delegated prefix");
  index_routes(sid, adopted);
  owner_[sid] = static_cast<std::uint16_t>(*slot + 1);
  ++slots_[*slot].assigned;
  ++allocated_;
  mark_up(sid);  // only sessions that were up are continued
  mac_of_[sid] = rec.client_mac.as_u64();
  ++per_mac_[mac_of_[sid]];
  shared_.table.update(sid, [&](dataplane::SessionRecord& r) {
    r = adopted;
    r.worker = static_cast<std::uint8_t>(*slot);
  });
  shared_.downstream[sid].packets = down_packets;
  shared_.downstream[sid].bytes = down_bytes;
  dispatch_.set(sid, *slot + 1);
  Message m;
  m.type = MessageType::kAdopt;
  m.session_id = sid;
  if (!slots_[*slot].channel.queue(m)) log::warn("cannot send to worker {}", *slot);
  return *slot;
}

std::vector<dataplane::SessionRecord> WorkerPool::hand_over_all(Duration timeout) {
  handing_over_ = true;
  stop_all(timeout, MessageType::kHandover);
  std::vector<dataplane::SessionRecord> kept;
  for (std::uint32_t sid = 1; sid <= pppoe_proto::kMaxSessionId; ++sid) {
    if (owner_[sid] == 0) continue;
    auto checked = shared_.table.read_checked(static_cast<std::uint16_t>(sid));
    if (checked.kind == dataplane::CheckedRead::Kind::kConsistent && dataplane::can_adopt(checked.record)) {
      kept.push_back(checked.record);
    } else if (checked.kind != dataplane::CheckedRead::Kind::kFree) {
      // A worker that could not hand it over (it died on the way): ended as for a crash.
      end_from_record(checked.record, "handover failed");
    }
  }
  socket_.flush();
  return kept;
}

void WorkerPool::mark_up(std::uint16_t sid) {
  if (up_[sid] != 0) return;
  up_[sid] = 1;
  ++up_count_;
}

void WorkerPool::free_session(std::uint16_t sid) {
  unsigned owner = owner_[sid];
  if (owner == 0) return;
  owner_[sid] = 0;
  dispatch_.set(sid, dataplane::SessionDispatchMap::kMasterOwner);
  if (slots_[owner - 1].assigned > 0) --slots_[owner - 1].assigned;
  --allocated_;
  if (up_[sid] != 0) {
    up_[sid] = 0;
    --up_count_;
  }
  end_pending(sid);
  if (auto it = per_mac_.find(mac_of_[sid]); it != per_mac_.end() && --it->second == 0) per_mac_.erase(it);
  free_ids_.push_back(sid);
}

void WorkerPool::end_pending(std::uint16_t sid) {
  if (pending_key_of_[sid] == 0) return;
  auto it = pending_.find(pending_key_of_[sid]);
  if (it != pending_.end() && it->second == sid) pending_.erase(it);
  pending_key_of_[sid] = 0;
  --negotiating_;
}

std::uint64_t WorkerPool::pending_key(const MacAddress& mac, const ether::VlanStack& vlans, Bytes host_uniq) {
  // FNV-1a over the identity of a discovery exchange; never 0.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  for (auto b : mac.octets) mix(b);
  for (std::uint8_t i = 0; i < vlans.count; ++i) {
    mix(static_cast<std::uint8_t>(vlans.tags[i].tci >> 8));
    mix(static_cast<std::uint8_t>(vlans.tags[i].tci));
  }
  for (auto b : host_uniq) mix(b);
  return h | 1;
}

std::optional<std::uint16_t> WorkerPool::find_pending(const MacAddress& mac, const ether::VlanStack& vlans,
                                                      Bytes host_uniq) const {
  auto it = pending_.find(pending_key(mac, vlans, host_uniq));
  if (it == pending_.end() || owner_[it->second] == 0) return std::nullopt;
  return it->second;
}

bool WorkerPool::takes_sessions(unsigned i) const {
  return slots_[i].pid > 0 && !slots_[i].stopping &&
         shared_.workers[i].state.load() == static_cast<std::uint32_t>(WorkerState::kActive);
}

bool WorkerPool::accepting() const {
  for (unsigned i = 0; i < slots_.size(); ++i)
    if (takes_sessions(i)) return true;
  return false;
}

std::optional<unsigned> WorkerPool::choose(const MacAddress& mac) {
  std::vector<unsigned> active;
  for (unsigned i = 0; i < slots_.size(); ++i)
    if (takes_sessions(i)) active.push_back(i);
  if (active.empty()) return std::nullopt;
  switch (algorithm) {
    case Algorithm::kFewestSessions:
      return *std::min_element(active.begin(), active.end(),
                               [&](unsigned a, unsigned b) { return slots_[a].assigned < slots_[b].assigned; });
    case Algorithm::kRoundRobin:
      return active[round_robin_++ % active.size()];
    case Algorithm::kMacHash:
      return active[(mac.as_u64() * 0x9e3779b97f4a7c15ull >> 32) % active.size()];
  }
  return active.front();
}

std::expected<std::uint16_t, Refusal> WorkerPool::create(const NewSession& ns) {
  if (allocated_ >= config_.max_sessions) return std::unexpected(Refusal::kMaxSessions);
  auto slot = choose(ns.client_mac);
  if (!slot) return std::unexpected(Refusal::kNoWorker);
  auto free_id = take_free_id();
  if (!free_id) return std::unexpected(Refusal::kNoSessionId);
  std::uint16_t sid = *free_id;
  owner_[sid] = static_cast<std::uint16_t>(*slot + 1);
  ++slots_[*slot].assigned;
  ++allocated_;
  shared_.table.update(sid, [&](dataplane::SessionRecord& r) {
    r = dataplane::SessionRecord{};
    r.session_id = sid;
    r.state = dataplane::SessionState::kNegotiating;
    r.worker = static_cast<std::uint8_t>(*slot);
    r.client_mac = ns.client_mac;
    r.vlans = ns.vlans;
    r.created_unix_ms = unix_ms();
  });
  shared_.downstream[sid].packets = 0;
  shared_.downstream[sid].bytes = 0;
  // The kernel sends this session's frames to its worker from now on, before the PADS leaves.
  dispatch_.set(sid, *slot + 1);
  std::uint64_t key = pending_key(ns.client_mac, ns.vlans, Bytes(ns.host_uniq));
  pending_[key] = sid;
  pending_key_of_[sid] = key;
  ++negotiating_;
  mac_of_[sid] = ns.client_mac.as_u64();
  ++per_mac_[mac_of_[sid]];
  Message m;
  m.type = MessageType::kStart;
  m.session_id = sid;
  m.mac = ns.client_mac;
  m.vlans = ns.vlans;
  m.max_payload = ns.max_payload;
  std::snprintf(m.circuit_id, sizeof m.circuit_id, "%s", ns.circuit_id.c_str());
  std::snprintf(m.remote_id, sizeof m.remote_id, "%s", ns.remote_id.c_str());
  starting_[sid] = m;
  return sid;
}

void WorkerPool::lns_call(unsigned slot, const Message& call) {
  // An L2TP call terminated here takes a session ID like a PPPoE session (the shared table, the
  // address index and `show sessions` are by session ID), owned by the worker holding its
  // tunnel. No dispatch entry: no PPPoE frame belongs to it.
  Message reply = call;
  reply.type = MessageType::kLnsStart;
  reply.session_id = 0;
  std::optional<std::uint16_t> free_id;
  if (allocated_ < config_.max_sessions && !slots_[slot].stopping) free_id = take_free_id();
  if (free_id) {
    std::uint16_t sid = *free_id;
    owner_[sid] = static_cast<std::uint16_t>(slot + 1);
    ++slots_[slot].assigned;
    ++allocated_;
    mac_of_[sid] = 0;
    shared_.table.update(sid, [&](dataplane::SessionRecord& r) {
      r = dataplane::SessionRecord{};
      r.session_id = sid;
      r.state = dataplane::SessionState::kNegotiating;
      r.worker = static_cast<std::uint8_t>(slot);
      r.created_unix_ms = unix_ms();
      r.lns = true;
      r.l2tp_endpoint = call.l2tp_endpoint;
      r.l2tp_tunnel = call.l2tp_tunnel;
      r.l2tp_session = call.l2tp_session;
    });
    shared_.downstream[sid].packets = 0;
    shared_.downstream[sid].bytes = 0;
    shared_.downstream[sid].l2tp_ns = 0;
    reply.session_id = sid;
  }
  send(slot, reply);
}

void WorkerPool::start(std::uint16_t sid) {
  auto it = starting_.find(sid);
  if (it == starting_.end()) return;
  send(owner_[sid] - 1u, it->second);
  starting_.erase(it);
}

bool WorkerPool::tell_owner(std::uint16_t sid, MessageType type, std::uint8_t reason, const MacAddress& mac) {
  if (owner_[sid] == 0) return false;
  Message m;
  m.type = type;
  m.session_id = sid;
  m.reason = reason;
  m.mac = mac;
  send(owner_[sid] - 1u, m);
  return true;
}

bool WorkerPool::send_to_owner(std::uint16_t sid, const Message& m) {
  if (owner_[sid] == 0) return false;
  send(owner_[sid] - 1u, m);
  return true;
}

bool WorkerPool::peer_terminated(std::uint16_t sid, const MacAddress& mac) {
  auto rec = owner_[sid] != 0 ? shared_.table.read(sid) : std::nullopt;
  if (!rec || rec->client_mac != mac) return false;
  return tell_owner(sid, MessageType::kPeerPadt, 0, mac);
}

bool WorkerPool::disconnect(std::uint16_t sid, std::uint8_t reason) {
  return tell_owner(sid, MessageType::kDisconnect, reason, {});
}

}  // namespace pppoe::master
