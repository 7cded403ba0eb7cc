#include "l2tp/host.hpp"

#include <arpa/inet.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pppoe::l2tp {
namespace {

bool same_peer(const sockaddr_in& a, const sockaddr_in& b) {
  return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}

void random_octets(MutableBytes b) { RAND_bytes(b.data(), static_cast<int>(b.size())); }

}  // namespace

struct Host::SessionEntry final : SessionOutput {
  Host& host;
  std::uint16_t tunnel_id;
  Session session;
  // Data message sequencing (section 5.4): off until the peer sends Ns/Nr.
  bool sequenced = false;
  std::uint16_t data_ns = 0;       ///< our next Ns
  std::uint16_t data_expected = 0; ///< the peer's next Ns
  SessionEntry(Host& h, std::uint16_t tunnel, std::uint16_t id, const std::string& secret)
      : host(h), tunnel_id(tunnel), session(*this, id, secret) {}
  void send_session(std::uint16_t peer_session_id, Bytes avps) override;
  void random(MutableBytes out) override { random_octets(out); }
  void session_up() override { host.events_.session_up(tunnel_id, session.local_id()); }
  void session_down(std::uint16_t result, const std::string& why) override {
    host.events_.session_down(tunnel_id, session.local_id(), result, why);
  }
};

struct Host::TunnelEntry final : ReliableOutput, TunnelEvents {
  Host& host;
  std::uint16_t id;
  sockaddr_in peer;
  std::unique_ptr<Tunnel> tunnel;
  std::map<std::uint16_t, std::unique_ptr<SessionEntry>> sessions;
  bool down_reported = false;
  bool ack_pending = false;  ///< in Host::ack_pending_
  TimePoint created;
  TunnelEntry(Host& h, std::uint16_t tunnel_id, sockaddr_in to) : host(h), id(tunnel_id), peer(to), created(h.now_) {}
  void transmit(Bytes datagram) override { host.transmit(peer, datagram); }
  void tunnel_up() override { host.events_.tunnel_up(id); }
  void tunnel_down(std::uint16_t result, const std::string& why) override {
    // Its calls go with it (section 5.7), each reported once.
    for (auto& [sid, s] : sessions)
      if (s->session.state() != SessionState::kClosed) host.events_.session_down(id, sid, result, "the tunnel went down: " + why);
    sessions.clear();
    down_reported = true;
    host.events_.tunnel_down(id, result, why);
  }
  void session_message(std::uint16_t session_id, const ControlMessage& m) override {
    if (session_id == 0 && m.type == MessageType::kIcrq) {
      // LNS: a new incoming call; the reliable channel has already dropped any duplicate.
      std::uint16_t sid = host.new_id(sessions);
      auto s = std::make_unique<SessionEntry>(host, id, sid, tunnel->settings().secret);
      Session& session = s->session;
      sessions.emplace(sid, std::move(s));
      session.receive(m);
      return;
    }
    auto it = sessions.find(session_id);
    if (it == sessions.end()) {
      ++host.counters_.unknown_session;
      return;
    }
    it->second->session.receive(m);
  }
};

void Host::SessionEntry::send_session(std::uint16_t peer_session_id, Bytes avps) {
  auto it = host.tunnels_.find(tunnel_id);
  if (it != host.tunnels_.end()) it->second->tunnel->send_session(peer_session_id, avps, host.now_);
}

Host::Host(int fd, HostEvents& events) : fd_(fd), events_(events) {
  rx_ring_ = std::make_unique<dataplane::MultishotRing>(fd, dataplane::MultishotRing::Op::kRecvmsg, 256, 4096);
  if (!rx_ring_->ok()) {
    log::warn_limited(log_limit_, "l2tp: {}; recvmmsg batches instead", rx_ring_->failure());
    rx_ring_.reset();
  }
  std::uint32_t seed = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed);
  ids_.seed(seed);
}

Host::~Host() {
  tunnels_.clear();
  if (fd_ >= 0) ::close(fd_);
}

std::expected<std::unique_ptr<Host>, std::string> Host::open(Endpoint local, HostEvents& events) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(fmt::format("l2tp: socket: {}", std::strerror(errno)));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa = local.sockaddr();
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    int err = errno;
    ::close(fd);
    return std::unexpected(fmt::format("l2tp: bind {}: {}", local.to_string(), std::strerror(err)));
  }
  return std::unique_ptr<Host>(new Host(fd, events));
}

std::unique_ptr<Host> Host::adopt(int fd, HostEvents& events) { return std::unique_ptr<Host>(new Host(fd, events)); }

std::uint16_t Host::new_id(const auto& taken, std::uint16_t first, std::uint32_t count) {
  // Random IDs make a stale or forged message for an old tunnel or call unlikely to land on a
  // new one; the ranges are far larger than what one process holds at a time.
  for (int attempt = 0; attempt < 65536; ++attempt) {
    auto id = static_cast<std::uint16_t>(first + ids_() % count);
    if (id != 0 && !taken.contains(id)) return id;
  }
  return 0;  // the range is full
}

void Host::transmit(const sockaddr_in& to, Bytes datagram) {
  if (::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
    ++counters_.send_failed;
    return;
  }
  ++counters_.datagrams_out;
}

std::uint16_t Host::open_tunnel(Endpoint peer, TunnelSettings settings, TimePoint now) {
  now_ = now;
  std::uint16_t id = new_tunnel_id();
  if (id == 0) return 0;
  settings.local_tunnel_id = id;
  auto entry = std::make_unique<TunnelEntry>(*this, id, peer.sockaddr());
  entry->tunnel = std::make_unique<Tunnel>(*entry, *entry, std::move(settings), random_octets);
  Tunnel& t = *entry->tunnel;
  tunnels_.emplace(id, std::move(entry));
  t.open(now);
  return id;
}

std::uint16_t Host::place_call(std::uint16_t tunnel, const CallInfo& call, TimePoint now) {
  now_ = now;
  auto it = tunnels_.find(tunnel);
  if (it == tunnels_.end() || it->second->tunnel->state() != TunnelState::kEstablished) return 0;
  TunnelEntry& t = *it->second;
  std::uint16_t sid = new_id(t.sessions);
  auto s = std::make_unique<SessionEntry>(*this, tunnel, sid, t.tunnel->settings().secret);
  Session& session = s->session;
  t.sessions.emplace(sid, std::move(s));
  session.place(call);
  return sid;
}

void Host::disconnect(std::uint16_t tunnel, std::uint16_t session, std::uint16_t result, const std::string& why, TimePoint now) {
  now_ = now;
  auto it = tunnels_.find(tunnel);
  if (it == tunnels_.end()) return;
  auto s = it->second->sessions.find(session);
  if (s == it->second->sessions.end()) return;
  s->second->session.disconnect(result, error::kNone, why);
  it->second->sessions.erase(s);
}

void Host::close_tunnel(std::uint16_t tunnel, std::uint16_t result, const std::string& why, TimePoint now) {
  now_ = now;
  auto it = tunnels_.find(tunnel);
  if (it != tunnels_.end()) it->second->tunnel->close(result, error::kNone, why, now);
}

bool Host::send_data(std::uint16_t tunnel, std::uint16_t session, Bytes ppp, bool address_control) {
  auto it = tunnels_.find(tunnel);
  if (it == tunnels_.end()) return false;
  auto s = it->second->sessions.find(session);
  if (s == it->second->sessions.end() || s->second->session.state() != SessionState::kEstablished) return false;
  SessionEntry& e = *s->second;
  // RFC 1662 section 3.1: All-Stations address, Unnumbered Information.
  static constexpr std::uint8_t kAddressControl[] = {0xff, 0x03};
  Bytes prefix = address_control ? Bytes(kAddressControl) : Bytes{};
  std::optional<std::uint16_t> ns;
  if (e.sequenced) ns = e.data_ns;
  if (!queue_data(it->second->peer, it->second->tunnel->peer().tunnel_id, e.session.peer_id(), ns, prefix, ppp))
    return false;
  if (e.sequenced) ++e.data_ns;
  return true;
}

bool Host::queue_data(const sockaddr_in& peer, std::uint16_t peer_tunnel, std::uint16_t peer_session,
                      std::optional<std::uint16_t> ns, Bytes prefix, Bytes payload) {
  if (tx_->used == kBatch) flush();
  std::size_t i = tx_->used;
  MutableBytes buf = tx_->buffer(i);
  // Nr is reserved in data messages (section 5.4): sent as 0.
  std::optional<std::pair<std::uint16_t, std::uint16_t>> sequence;
  if (ns) sequence = std::pair{*ns, std::uint16_t{0}};
  // The frame after the header: encode an empty frame first to learn where it starts.
  std::size_t header = encode_data(buf, peer_tunnel, peer_session, sequence, {});
  std::size_t need = header + prefix.size() + payload.size();
  if (header == 0 || need > buf.size()) return false;
  // std::copy, not memcpy: an empty span may have no data pointer, which memcpy must not get.
  std::copy(prefix.begin(), prefix.end(), buf.begin() + static_cast<std::ptrdiff_t>(header));
  std::copy(payload.begin(), payload.end(), buf.begin() + static_cast<std::ptrdiff_t>(header + prefix.size()));
  tx_->peers[i] = peer;
  tx_->iov[i] = {buf.data(), need};
  tx_->msgs[i] = {};
  tx_->msgs[i].msg_hdr.msg_name = &tx_->peers[i];
  tx_->msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
  tx_->msgs[i].msg_hdr.msg_iov = &tx_->iov[i];
  tx_->msgs[i].msg_hdr.msg_iovlen = 1;
  ++tx_->used;
  ++counters_.data_out;
  return true;
}

void Host::flush() {
  std::size_t done = 0;
  while (done < tx_->used) {
    int n = ::sendmmsg(fd_, tx_->msgs.data() + done, static_cast<unsigned>(tx_->used - done), 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      counters_.send_failed += tx_->used - done;  // a full socket buffer: dropped, like a full link
      break;
    }
    ++counters_.tx_batches;
    counters_.datagrams_out += static_cast<std::uint64_t>(n);
    done += static_cast<std::size_t>(n);
  }
  tx_->used = 0;
}

void Host::on_datagram(Bytes d, const sockaddr_in& from, TimePoint now) {
  ++counters_.datagrams_in;
  auto m = decode(d);
  if (!m) {
    ++counters_.malformed[static_cast<std::size_t>(m.error())];
    log::warn_limited(log_limit_, "l2tp: malformed datagram from {}: {}", Ipv4Address{ntohl(from.sin_addr.s_addr)}.to_string(),
                      to_string(m.error()));
    return;
  }
  if (m->header.tunnel_id == 0) {
    if (m->header.control && policy_) return on_sccrq(*m, from, now);
    ++counters_.tunnel_zero;
    return;
  }
  auto it = tunnels_.find(m->header.tunnel_id);
  if (it == tunnels_.end() || !same_peer(it->second->peer, from)) {
    // Section 8.1: the LNS may answer from another port; the first SCCRP tells which.
    if (it != tunnels_.end() && it->second->tunnel->state() == TunnelState::kWaitCtlReply &&
        it->second->peer.sin_addr.s_addr == from.sin_addr.s_addr) {
      it->second->peer = from;
    } else {
      ++counters_.unknown_tunnel;
      return;
    }
  }
  TunnelEntry& t = *it->second;
  if (m->header.control) {
    if (!m->payload.empty() && !t.ack_pending) {
      t.ack_pending = true;
      ack_pending_.push_back(t.id);
    }
    t.tunnel->receive(m->header, m->payload, now);
    return;
  }
  auto s = t.sessions.find(m->header.session_id);
  if (s == t.sessions.end() || s->second->session.state() != SessionState::kEstablished) {
    ++counters_.unknown_session;
    return;
  }
  SessionEntry& e = *s->second;
  if (m->header.has_sequence) {
    // Section 5.4: once the peer numbers its data, we number ours; an Ns older than expected
    // (modulo 2^16) is a duplicate or reordered packet and is dropped.
    if (e.sequenced && static_cast<std::int16_t>(m->header.ns - e.data_expected) < 0) {
      ++counters_.data_out_of_order;
      return;
    }
    e.data_expected = static_cast<std::uint16_t>(m->header.ns + 1);
    if (!e.sequenced) {
      e.sequenced = true;
      events_.data_sequenced(t.id, m->header.session_id);
    }
  }
  ++counters_.data_in;
  events_.data(t.id, m->header.session_id, m->payload);
}

void Host::on_sccrq(const Message& m, const sockaddr_in& from, TimePoint now) {
  auto c = decode_avps(m.payload, "");
  const Avp* assigned = c ? c->find(AvpType::kAssignedTunnelId) : nullptr;
  const Avp* host_name = c ? c->find(AvpType::kHostName) : nullptr;
  if (!c || c->type != MessageType::kSccrq || !assigned || !assigned->u16() || !host_name) {
    ++counters_.tunnel_zero;
    return;
  }
  // A retransmitted SCCRQ belongs to the tunnel its first copy made: its channel acknowledges it.
  for (auto& [id, t] : tunnels_)
    if (same_peer(t->peer, from) && t->tunnel->peer().tunnel_id == *assigned->u16() && !t->tunnel->initiator()) {
      t->tunnel->receive(m.header, m.payload, now);
      return;
    }
  std::string name(host_name->text());
  std::optional<TunnelSettings> settings = policy_(Endpoint::from(from), name);
  if (!settings) {
    ++counters_.tunnels_refused;
    log::warn_limited(log_limit_, "l2tp: tunnel from {} ('{}') refused: not a configured peer", Endpoint::from(from).to_string(), name);
    settings = TunnelSettings{};
    settings->refuse_result = result::kStopNotAuthorized;
    settings->refuse_why = "not a configured peer";
  }
  std::uint16_t id = new_tunnel_id();
  if (id == 0) return;  // every ID of ours in use: the LAC will retry
  settings->local_tunnel_id = id;
  auto entry = std::make_unique<TunnelEntry>(*this, id, from);
  entry->tunnel = std::make_unique<Tunnel>(*entry, *entry, std::move(*settings), random_octets);
  Tunnel& t = *entry->tunnel;
  tunnels_.emplace(id, std::move(entry));
  t.receive(m.header, m.payload, now);
}

void Host::poll(TimePoint now) {
  now_ = now;
  if (rx_ring_) {
    std::size_t got = rx_ring_->drain(
        [&](Bytes buffer) {
          auto d = rx_ring_->recvmsg_parts(buffer);
          if (!d || d->from == nullptr || d->from_len < sizeof(sockaddr_in) || d->from->sa_family != AF_INET) {
            ++counters_.malformed[static_cast<std::size_t>(HeaderError::kBadLength)];  // larger than a buffer
            return;
          }
          sockaddr_in from{};
          std::memcpy(&from, d->from, sizeof from);
          on_datagram(d->payload, from, now);
        },
        256);
    if (got > 0) ++counters_.rx_batches;
    flush_acks();
    flush();
    return;
  }
  Batch& b = *rx_;
  for (int round = 0; round < 8; ++round) {  // at most 256 datagrams a turn, like the other sockets
    for (std::size_t i = 0; i < kBatch; ++i) {
      b.iov[i] = {b.buffer(i).data(), kDatagram};
      b.msgs[i] = {};
      b.msgs[i].msg_hdr.msg_name = &b.peers[i];
      b.msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
      b.msgs[i].msg_hdr.msg_iov = &b.iov[i];
      b.msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = ::recvmmsg(fd_, b.msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) break;
    ++counters_.rx_batches;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      if ((b.msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        ++counters_.malformed[static_cast<std::size_t>(HeaderError::kBadLength)];
        continue;
      }
      on_datagram(Bytes(b.buffer(i).data(), b.msgs[i].msg_len), b.peers[i], now);
    }
    if (static_cast<std::size_t>(n) < kBatch) break;
  }
  flush_acks();
  flush();
}

void Host::flush_acks() {
  for (std::uint16_t id : ack_pending_)
    if (auto it = tunnels_.find(id); it != tunnels_.end()) {
      it->second->ack_pending = false;
      it->second->tunnel->flush_ack();
    }
  ack_pending_.clear();
}

void Host::tick(TimePoint now) {
  now_ = now;
  flush();
  for (auto it = tunnels_.begin(); it != tunnels_.end();) {
    it->second->tunnel->tick(now);
    std::erase_if(it->second->sessions, [](const auto& s) { return s.second->session.state() == SessionState::kClosed; });
    if (it->second->tunnel->state() == TunnelState::kClosed)
      it = tunnels_.erase(it);
    else
      ++it;
  }
}

std::optional<TimePoint> Host::next_deadline() const {
  std::optional<TimePoint> t;
  for (const auto& [id, e] : tunnels_)
    if (auto d = e->tunnel->next_deadline(); d && (!t || *d < *t)) t = d;
  return t;
}

void Host::for_each_tunnel(const std::function<void(std::uint16_t, const Tunnel&, const Endpoint&, std::size_t,
                                                   TimePoint)>& f) const {
  for (const auto& [id, e] : tunnels_) f(id, *e->tunnel, Endpoint::from(e->peer), e->sessions.size(), e->created);
}

Endpoint Host::local() const {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) < 0) return {};
  return Endpoint::from(sa);
}

const Tunnel* Host::tunnel(std::uint16_t id) const {
  auto it = tunnels_.find(id);
  return it == tunnels_.end() ? nullptr : it->second->tunnel.get();
}

std::optional<Endpoint> Host::peer(std::uint16_t tunnel) const {
  auto it = tunnels_.find(tunnel);
  if (it == tunnels_.end()) return std::nullopt;
  return Endpoint::from(it->second->peer);
}

const Session* Host::session(std::uint16_t tunnel, std::uint16_t session) const {
  auto it = tunnels_.find(tunnel);
  if (it == tunnels_.end()) return nullptr;
  auto s = it->second->sessions.find(session);
  return s == it->second->sessions.end() ? nullptr : &s->second->session;
}

}  // namespace pppoe::l2tp
