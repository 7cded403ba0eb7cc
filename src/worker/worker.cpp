#include "worker/worker.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cstring>

#include "proto/ip.hpp"

namespace pppoe::worker {

using dataplane::Drop;
using session::EndReason;

namespace {
std::int64_t unix_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

std::uint32_t random_seed() {
  std::uint32_t s = 0;
  while (::getrandom(&s, sizeof s, 0) != sizeof s) {
  }
  return s;
}

void copy_text(char* dst, std::size_t cap, std::string_view src) {
  std::size_t n = std::min(cap - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

/// Writes Ethernet + PPPoE session headers + PPP protocol; returns the writer for the payload.
void write_session_headers(ByteWriter& w, const MacAddress& dst, const MacAddress& src,
                           const ether::VlanStack& vlans, std::uint16_t session_id, std::uint16_t protocol,
                           std::size_t payload_size) {
  ether::encode(ether::Header{dst, src, vlans, static_cast<std::uint16_t>(ether::EtherType::kPppoeSession)}, w);
  // RFC 2516 section 4: LENGTH covers the PPP protocol field and payload.
  pppoe_proto::encode_header({1, 1, pppoe_proto::Code::kSession, session_id,
                              static_cast<std::uint16_t>(payload_size + 2)},
                             w);
  w.u16(protocol);
}
}  // namespace

// One subscriber session as the worker sees it: identity, address, PPP link, counters.
class Worker::Session final : public session::LinkOutput, public session::AddressAssigner {
 public:
  Session(Worker& w, std::uint16_t id, const master::NewSession& ns, std::uint64_t key, TimePoint now)
      : worker_(w), id_(id), mac_(ns.client_mac), vlans_(ns.vlans), pending_key_(key), created_(now), last_data_(now) {
    session::LinkSettings ls;
    const auto& c = w.config_;
    ls.cp.restart_timer = seconds(c.restart_timer);
    ls.cp.max_configure = c.max_configure;
    ls.lcp.role = ppp::LinkRole::kAuthenticator;
    ls.lcp.auth_methods = c.auth;
    // RFC 4638: with PPP-Max-Payload agreed, MRU may go up to that value both ways.
    std::uint16_t max = ns.max_payload > 1492 ? ns.max_payload : 1492;
    ls.lcp.mru = ns.max_payload > 1492 ? ns.max_payload : c.mru;
    ls.lcp.max_peer_mru = max;
    ls.echo_interval = seconds(c.lcp_echo_interval);
    ls.echo_failures = c.lcp_echo_failure;
    ls.auth_timeout = seconds(c.auth_timeout);
    ls.ipv6 = c.ipv6;
    ppp::IpcpSettings ipcp;
    ipcp.role = ppp::LinkRole::kAuthenticator;
    ipcp.local = c.local_ip;
    ipcp.name_servers = c.name_servers;
    link_ = std::make_unique<session::ServerSession>(*this, w.auth_, *this, ls, ipcp, c.ac_name,
                                                     w.seed_ ^ (std::uint32_t{id} * 2654435761u));
    link_->set_ipv6_id_in_use_check([&w, id](std::uint64_t iid) {
      auto it = w.by_ipv6_id_.find(iid);
      return it != w.by_ipv6_id_.end() && it->second != id;
    });
  }

  // LinkOutput
  void send_ppp(ppp::Protocol protocol, Bytes payload) override {
    if (dead_) return;
    MutableBytes buf = worker_.socket_.tx_buffer();
    ByteWriter w(buf);
    write_session_headers(w, mac_, worker_.socket_.mac(), vlans_, id_, static_cast<std::uint16_t>(protocol),
                          payload.size());
    w.bytes(payload);
    if (!w.overflow()) worker_.socket_.commit(w.size());
  }
  void network_up() override {
    if (up_) return;
    up_ = true;
    up_since_ = now_;
    worker_.by_ipv4_[addr_.value] = id_;
    worker_.pending_.erase(pending_key_);
    ++worker_.counters_.sessions_up;
    worker_.table_.update(id_, [&](dataplane::SessionRecord& r) {
      r.state = dataplane::SessionState::kUp;
      r.ipv4 = addr_.value;
      r.peer_mru = link_->lcp().peer_mru();
      copy_text(r.user, sizeof r.user, link_->user());
      copy_text(r.auth, sizeof r.auth, ppp::to_string(link_->lcp().auth_method()));
      r.up_unix_ms = unix_ms();
    });
    log::info("session {} up: user '{}' mac {} address {}", id_, link_->user(), mac_.to_string(), addr_.to_string());
  }
  void link_dead(EndReason reason) override { worker_.end_session(*this, reason); }
  // Downstream IPv6 finds the session by the interface identifier IPv6CP agreed.
  void ipv6_up() override {
    worker_.by_ipv6_id_[link_->ipv6cp().peer_id()] = id_;
    ipv6_mapped_ = true;
  }
  void ipv6_down() override {
    if (!ipv6_mapped_) return;
    worker_.by_ipv6_id_.erase(link_->ipv6cp().peer_id());
    ipv6_mapped_ = false;
  }

  // AddressAssigner: remembers what it got so that it goes back to the pool.
  std::optional<Ipv4Address> assign(std::string_view user, std::optional<Ipv4Address> fixed) override {
    if (has_addr_) return addr_;
    auto a = worker_.assign(user, fixed);
    if (a) {
      addr_ = *a;
      has_addr_ = true;
    }
    return a;
  }

  Worker& worker_;
  std::uint16_t id_;
  MacAddress mac_;
  ether::VlanStack vlans_;
  std::uint64_t pending_key_;
  TimePoint created_;
  TimePoint last_data_;
  TimePoint up_since_{};
  TimePoint now_{};
  Ipv4Address addr_;
  bool has_addr_ = false;
  bool up_ = false;
  bool ipv6_mapped_ = false;
  bool dead_ = false;
  bool peer_padt_ = false;
  std::uint64_t rx_packets_ = 0, rx_bytes_ = 0, tx_packets_ = 0, tx_bytes_ = 0;
  std::unique_ptr<session::ServerSession> link_;
};

Worker::Worker(const master::Config& config, dataplane::PacketSocket& socket, dataplane::TunDevice* tun,
               dataplane::SessionTable& table, session::Authenticator& auth, std::uint8_t worker_id)
    : config_(config),
      socket_(socket),
      tun_(tun),
      table_(table),
      auth_(auth),
      worker_id_(worker_id),
      pool_(config.pool, config.local_ip),
      by_id_(dataplane::SessionTable::kCapacity),
      seed_(random_seed()) {
  // Session IDs are handed out in FIFO order so that a just-freed ID is the last to be
  // reused: stale frames of a dead session rarely hit a new one.
  std::vector<std::uint16_t> ids;
  for (std::uint32_t i = 1; i <= pppoe_proto::kMaxSessionId; ++i) ids.push_back(static_cast<std::uint16_t>(i));
  std::uint32_t r = seed_;
  for (std::size_t i = ids.size() - 1; i > 0; --i) {  // shuffled: IDs do not reveal session counts
    r = r * 1664525u + 1013904223u;
    std::swap(ids[i], ids[r % (i + 1)]);
  }
  free_ids_.assign(ids.begin(), ids.end());
}

Worker::~Worker() = default;

std::uint64_t Worker::pending_key(const MacAddress& mac, const ether::VlanStack& vlans, Bytes host_uniq) {
  // FNV-1a over the identity of a discovery exchange.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  for (auto b : mac.octets) mix(b);
  for (std::uint8_t i = 0; i < vlans.count; ++i) {
    mix(static_cast<std::uint8_t>(vlans.tags[i].tci >> 8));
    mix(static_cast<std::uint8_t>(vlans.tags[i].tci));
  }
  for (auto b : host_uniq) mix(b);
  return h;
}

std::optional<std::uint16_t> Worker::find_pending(const MacAddress& mac, const ether::VlanStack& vlans,
                                                  Bytes host_uniq) const {
  auto it = pending_.find(pending_key(mac, vlans, host_uniq));
  if (it == pending_.end()) return std::nullopt;
  const Session* s = by_id_[it->second].get();
  if (s == nullptr || s->dead_ || s->mac_ != mac) return std::nullopt;
  return it->second;
}

std::expected<std::uint16_t, master::Refusal> Worker::create(const master::NewSession& ns) {
  if (live_ >= config_.max_sessions) return std::unexpected(master::Refusal::kMaxSessions);
  if (free_ids_.empty()) return std::unexpected(master::Refusal::kNoSessionId);
  std::uint16_t id = free_ids_.front();
  free_ids_.pop_front();
  auto now = Clock::now();
  std::uint64_t key = pending_key(ns.client_mac, ns.vlans, Bytes(ns.host_uniq));
  by_id_[id] = std::make_unique<Session>(*this, id, ns, key, now);
  pending_[key] = id;
  ++live_;
  ++counters_.sessions_created;
  table_.update(id, [&](dataplane::SessionRecord& r) {
    r = dataplane::SessionRecord{};
    r.session_id = id;
    r.state = dataplane::SessionState::kNegotiating;
    r.worker = worker_id_;
    r.client_mac = ns.client_mac;
    r.vlans = ns.vlans;
    r.created_unix_ms = unix_ms();
  });
  return id;
}

void Worker::start(std::uint16_t session_id) {
  Session* s = by_id_[session_id].get();
  if (s == nullptr || s->dead_) return;
  s->now_ = Clock::now();
  s->link_->start(s->now_);
}

bool Worker::peer_terminated(std::uint16_t session_id, const MacAddress& mac) {
  Session* s = by_id_[session_id].get();
  if (s == nullptr || s->dead_ || s->mac_ != mac) return false;
  ++counters_.padt_received;
  s->peer_padt_ = true;
  s->link_->lower_down(EndReason::kPeerPadt, Clock::now());
  return true;
}

std::optional<Ipv4Address> Worker::assign(std::string_view, std::optional<Ipv4Address> fixed) {
  if (fixed) {
    if (!pool_.reserve(*fixed)) return std::nullopt;
    // Pools are routed to the TUN as prefixes; a fixed address outside them needs its own route.
    if (!pool_.contains(*fixed) && tun_ != nullptr && config_.tun_configure) {
      if (auto r = tun_->add_route(*fixed, 32); !r) {
        log::error("{}", r.error());
        pool_.release(*fixed);
        return std::nullopt;
      }
    }
    return fixed;
  }
  auto a = pool_.allocate();
  if (!a) ++counters_.pool_exhausted;
  return a;
}

void Worker::send_padt(const MacAddress& to, const ether::VlanStack& vlans, std::uint16_t session_id,
                       const char* reason) {
  MutableBytes buf = socket_.tx_buffer();
  ByteWriter w(buf);
  ether::encode(ether::Header{to, socket_.mac(), vlans, static_cast<std::uint16_t>(ether::EtherType::kPppoeDiscovery)}, w);
  pppoe_proto::Tags tags;
  tags.generic_error = reason;  // RFC 2516 section 5.5: a PADT may carry an error tag
  std::size_t n = pppoe_proto::encode_discovery(buf.subspan(w.size()), pppoe_proto::Code::kPadt, session_id, tags);
  if (n == 0 || w.overflow()) return;
  socket_.commit(w.size() + n);
  ++counters_.padt_sent;
}

void Worker::end_session(Session& s, EndReason reason) {
  if (s.dead_) return;
  s.dead_ = true;
  // RFC 2516 section 5.5: no frames after a PADT was received; otherwise tell the client.
  if (!s.peer_padt_) send_padt(s.mac_, s.vlans_, s.id_, session::to_string(reason));
  if (s.up_) by_ipv4_.erase(s.addr_.value);
  s.ipv6_down();
  if (s.has_addr_) {
    if (!pool_.contains(s.addr_) && tun_ != nullptr && config_.tun_configure) (void)tun_->delete_route(s.addr_, 32);
    pool_.release(s.addr_);
  }
  pending_.erase(s.pending_key_);
  ++counters_.sessions_ended;
  auto ri = static_cast<std::size_t>(reason);
  if (ri < counters_.ended_by_reason.size()) ++counters_.ended_by_reason[ri];
  if (reason == EndReason::kAuthFailed) {
    ++counters_.auth_failures;
    log::warn_limited(auth_log_, "session {}: authentication failed for user '{}' from {}", s.id_,
                      s.link_->user(), s.mac_.to_string());
  }
  log::info("session {} down: user '{}' mac {} reason {}", s.id_, s.link_->user(), s.mac_.to_string(),
            session::to_string(reason));
  table_.clear(s.id_);
  dead_.push_back(s.id_);
}

void Worker::on_session_frame(const ether::Header& eth, const pppoe_proto::Packet& pkt, TimePoint now) {
  std::uint16_t id = pkt.header.session_id;
  Session* s = by_id_[id].get();
  if (s == nullptr || s->dead_ || s->mac_ != eth.src || !(s->vlans_ == eth.vlans)) {
    drops_.count(s == nullptr || s->dead_ ? Drop::kUnknownSession : Drop::kSessionMacMismatch);
    // spec/002 PPPOE_TERM_UNKNOWN_SESSIONS: tell a client with a stale session at once, but
    // never faster than padt_unknown_rate, so spoofed floods cannot make us a reflector.
    if (now - padt_window_ >= seconds(1)) {
      padt_window_ = now;
      padt_in_window_ = 0;
    }
    if (id != 0 && padt_in_window_ < config_.padt_unknown_rate) {
      ++padt_in_window_;
      send_padt(eth.src, eth.vlans, id, "unknown session");
    } else {
      drops_.count(Drop::kPadtRateLimited);
    }
    return;
  }
  s->now_ = now;
  ByteReader r(pkt.payload);
  auto proto = r.u16();
  if (!proto || (*proto & 0x0100) != 0) {  // PFC-compressed or truncated: RFC 2516 section 7
    drops_.count(Drop::kPppMalformed);
    return;
  }
  Bytes payload = r.rest();
  s->link_->note_peer_activity(now);
  switch (static_cast<ppp::Protocol>(*proto)) {
    case ppp::Protocol::kIpv4: {
      if (!s->up_) {
        drops_.count(Drop::kDataBeforeUp);
        return;
      }
      auto ip = ip::decode_ipv4(payload);
      if (!ip || ip->src != s->addr_) {  // anti-spoofing: only the assigned address
        drops_.count(ip ? Drop::kSpoofedSource : Drop::kPppMalformed);
        return;
      }
      deliver_upstream(*s, payload.first(ip->total_length), now);
      return;
    }
    case ppp::Protocol::kIpv6: {
      if (!s->ipv6_mapped_) {
        drops_.count(Drop::kDataBeforeUp);
        return;
      }
      auto ip6 = ip::decode_ipv6(payload);
      if (!ip6) {
        drops_.count(Drop::kPppMalformed);
        return;
      }
      // Only link-local IPv6 so far, and only from the identifier IPv6CP agreed.
      if (ip::link_local_id(ip6->src) != s->link_->ipv6cp().peer_id()) {
        drops_.count(Drop::kSpoofedSource);
        return;
      }
      deliver_upstream(*s, payload, now);
      return;
    }
    case ppp::Protocol::kIpcp:
    case ppp::Protocol::kIpv6cp:
    case ppp::Protocol::kLcp:
    case ppp::Protocol::kPap:
    case ppp::Protocol::kChap:
      break;
  }
  s->link_->receive(static_cast<ppp::Protocol>(*proto), payload, now);
  reap();
}

void Worker::deliver_upstream(Session& s, Bytes packet, TimePoint now) {
  if (tun_ == nullptr || !tun_->write(packet)) {
    drops_.count(Drop::kTunWriteFailed);
    return;
  }
  s.last_data_ = now;
  ++s.rx_packets_;
  s.rx_bytes_ += packet.size();
  ++counters_.upstream_packets;
  counters_.upstream_bytes += packet.size();
}

void Worker::on_tun_packet(Bytes packet, TimePoint now) {
  Session* s = nullptr;
  if (!packet.empty() && (packet[0] >> 4) == 4) {
    auto ip = ip::decode_ipv4(packet);
    if (!ip) {
      drops_.count(Drop::kDownstreamMalformed);
      return;
    }
    auto it = by_ipv4_.find(ip->dst.value);
    if (it != by_ipv4_.end()) s = by_id_[it->second].get();
    if (s != nullptr && packet.size() > s->link_->lcp().peer_mru()) {
      // Respect the peer's MRU: tell the sender when DF is set (RFC 1191), else drop.
      drops_.count(Drop::kDownstreamTooBig);
      if (ip->dont_fragment && tun_ != nullptr) {
        std::array<std::uint8_t, 128> icmp{};
        std::size_t n = ip::build_icmp_frag_needed(icmp, config_.local_ip, packet, s->link_->lcp().peer_mru());
        if (n > 0) (void)tun_->write(Bytes(icmp.data(), n));
      }
      return;
    }
  } else if (!packet.empty() && (packet[0] >> 4) == 6) {
    auto ip6 = ip::decode_ipv6(packet);
    if (!ip6) {
      drops_.count(Drop::kDownstreamMalformed);
      return;
    }
    // Link-local destinations: the interface identifier names the session (RFC 5072 section 5).
    std::uint64_t iid = 0;
    for (int i = 8; i < 16; ++i) iid = (iid << 8) | ip6->dst[static_cast<std::size_t>(i)];
    auto it = by_ipv6_id_.find(iid);
    if (it != by_ipv6_id_.end()) s = by_id_[it->second].get();
    if (s != nullptr && packet.size() > s->link_->lcp().peer_mru()) {
      drops_.count(Drop::kDownstreamTooBig);
      return;
    }
  } else {
    drops_.count(Drop::kDownstreamMalformed);
    return;
  }
  if (s == nullptr || s->dead_) {
    drops_.count(Drop::kDownstreamNoSession);
    return;
  }
  MutableBytes buf = socket_.tx_buffer();
  ByteWriter w(buf);
  bool v6 = (packet[0] >> 4) == 6;
  write_session_headers(w, s->mac_, socket_.mac(), s->vlans_, s->id_,
                        static_cast<std::uint16_t>(v6 ? ppp::Protocol::kIpv6 : ppp::Protocol::kIpv4), packet.size());
  w.bytes(packet);
  if (w.overflow()) {
    drops_.count(Drop::kDownstreamTooBig);
    return;
  }
  socket_.commit(w.size());
  s->last_data_ = now;
  ++s->tx_packets_;
  s->tx_bytes_ += packet.size();
  ++counters_.downstream_packets;
  counters_.downstream_bytes += packet.size();
}

void Worker::tick(TimePoint now) {
  // O(sessions) per tick; the performance issue replaces this with a timer wheel.
  for (auto& p : by_id_) {
    Session* s = p.get();
    if (s == nullptr || s->dead_) continue;
    s->now_ = now;
    s->link_->tick(now);
    if (s->dead_) continue;
    if (s->up_) {
      if (config_.session_timeout != 0 && now - s->up_since_ >= seconds(config_.session_timeout))
        s->link_->close(EndReason::kSessionTimeout, now);
      else if (config_.idle_timeout != 0 && now - s->last_data_ >= seconds(config_.idle_timeout))
        s->link_->close(EndReason::kIdleTimeout, now);
      table_.update(s->id_, [&](dataplane::SessionRecord& r) {
        r.rx_packets = s->rx_packets_;
        r.rx_bytes = s->rx_bytes_;
        r.tx_packets = s->tx_packets_;
        r.tx_bytes = s->tx_bytes_;
      });
    }
  }
  reap();
}

void Worker::reap() {
  // Sessions are destroyed here, never inside their own callbacks.
  for (std::uint16_t d : dead_) {
    by_id_[d].reset();
    free_ids_.push_back(d);
    --live_;
  }
  dead_.clear();
}

bool Worker::disconnect(std::uint16_t session_id, EndReason reason, TimePoint now) {
  Session* s = by_id_[session_id].get();
  if (s == nullptr || s->dead_) return false;
  s->link_->close(reason, now);
  return true;
}

void Worker::shutdown(TimePoint now) {
  for (auto& p : by_id_) {
    if (p == nullptr || p->dead_) continue;
    p->link_->close(EndReason::kShutdown, now);
    p->link_->lower_down(EndReason::kShutdown, now);
  }
  reap();
}

std::optional<Worker::Detail> Worker::detail(std::uint16_t session_id) const {
  const Session* s = by_id_[session_id].get();
  if (s == nullptr) return std::nullopt;
  const auto& l = *s->link_;
  return Detail{session::to_string(l.phase()),       ppp::to_string(l.lcp_state()),
                ppp::to_string(l.ipcp_state()),      ppp::to_string(l.ipv6cp_state()),
                ppp::to_string(l.lcp().auth_method()), session::to_string(l.end_reason()),
                l.lcp().peer_magic(),                l.lcp().peer_mru(),
                l.echo_misses()};
}

}  // namespace pppoe::worker
