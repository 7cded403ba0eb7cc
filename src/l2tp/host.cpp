#include "l2tp/host.hpp"

#include <arpa/inet.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

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
  TunnelEntry(Host& h, std::uint16_t tunnel_id, sockaddr_in to) : host(h), id(tunnel_id), peer(to) {}
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

std::uint16_t Host::new_id(const auto& taken) {
  for (;;) {
    auto id = static_cast<std::uint16_t>(ids_() & 0xffff);
    if (id != 0 && !taken.contains(id)) return id;
  }
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
  std::uint16_t id = new_id(tunnels_);
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

bool Host::send_data(std::uint16_t tunnel, std::uint16_t session, Bytes ppp) {
  auto it = tunnels_.find(tunnel);
  if (it == tunnels_.end()) return false;
  auto s = it->second->sessions.find(session);
  if (s == it->second->sessions.end() || s->second->session.state() != SessionState::kEstablished) return false;
  std::array<std::uint8_t, 2048> buf{};
  std::size_t n = encode_data(buf, it->second->tunnel->peer().tunnel_id, s->second->session.peer_id(), std::nullopt, ppp);
  if (n == 0) return false;
  transmit(it->second->peer, Bytes(buf.data(), n));
  ++counters_.data_out;
  return true;
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
    t.tunnel->receive(m->header, m->payload, now);
    return;
  }
  auto s = t.sessions.find(m->header.session_id);
  if (s == t.sessions.end() || s->second->session.state() != SessionState::kEstablished) {
    ++counters_.unknown_session;
    return;
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
  std::uint16_t id = new_id(tunnels_);
  settings->local_tunnel_id = id;
  auto entry = std::make_unique<TunnelEntry>(*this, id, from);
  entry->tunnel = std::make_unique<Tunnel>(*entry, *entry, std::move(*settings), random_octets);
  Tunnel& t = *entry->tunnel;
  tunnels_.emplace(id, std::move(entry));
  t.receive(m.header, m.payload, now);
}

void Host::poll(TimePoint now) {
  now_ = now;
  std::array<std::uint8_t, 4096> buf{};
  for (int i = 0; i < 256; ++i) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) break;
    on_datagram(Bytes(buf.data(), static_cast<std::size_t>(n)), from, now);
  }
}

void Host::tick(TimePoint now) {
  now_ = now;
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

const Tunnel* Host::tunnel(std::uint16_t id) const {
  auto it = tunnels_.find(id);
  return it == tunnels_.end() ? nullptr : it->second->tunnel.get();
}

const Session* Host::session(std::uint16_t tunnel, std::uint16_t session) const {
  auto it = tunnels_.find(tunnel);
  if (it == tunnels_.end()) return nullptr;
  auto s = it->second->sessions.find(session);
  return s == it->second->sessions.end() ? nullptr : &s->second->session;
}

}  // namespace pppoe::l2tp
