#include "worker/lns.hpp"

#include "worker/l2tp_hosts.hpp"

namespace pppoe::worker {

using l2tp::LnsCounter;

struct Lns::HostLink final : l2tp::HostEvents {
  Lns& lns;
  std::uint8_t endpoint;
  SocketEndpoint local;
  std::unique_ptr<l2tp::Host> host;
  HostLink(Lns& l, std::uint8_t e, SocketEndpoint at) : lns(l), endpoint(e), local(at) {}
  void tunnel_up(std::uint16_t t) override { lns.tunnel_up(*this, t); }
  void tunnel_down(std::uint16_t t, std::uint16_t result, const std::string& why) override {
    lns.tunnel_down(*this, t, result, why);
  }
  void session_up(std::uint16_t t, std::uint16_t s) override { lns.session_up(*this, t, s); }
  void session_down(std::uint16_t t, std::uint16_t s, std::uint16_t result, const std::string& why) override {
    lns.session_down(*this, t, s, result, why);
  }
  void data(std::uint16_t t, std::uint16_t s, Bytes ppp) override { lns.data(*this, t, s, ppp); }
  void data_sequenced(std::uint16_t t, std::uint16_t s) override { lns.data_sequenced(*this, t, s); }
};

std::expected<std::unique_ptr<Lns>, std::string> Lns::create(const std::vector<dataplane::L2tpDispatch>& dispatch,
                                                             const master::L2tpConfig& config, unsigned slot,
                                                             std::string host_name, LnsOwner& owner) {
  std::unique_ptr<Lns> lns(new Lns(config, std::move(host_name), owner));
  for (std::size_t i = 0; i < dispatch.size(); ++i) {
    SocketEndpoint at = dispatch[i].local();
    bool listen = false;
    for (const auto& l : config.listen) listen = listen || (l.address == at.address && l.port == at.port);
    if (!listen) continue;
    auto fd = dispatch[i].open_socket(slot);
    if (!fd) return std::unexpected(fd.error());
    auto link = std::make_unique<HostLink>(*lns, static_cast<std::uint8_t>(i), at);
    link->host = l2tp::Host::adopt(*fd, *link);
    // Our tunnel IDs carry the slot: the kernel sends the tunnel's datagrams to this worker.
    link->host->set_tunnel_ids(dataplane::L2tpDispatch::tunnel_id_base(slot), dataplane::L2tpDispatch::kIdsPerSlot);
    link->host->accept_tunnels([l = lns.get()](const SocketEndpoint& from, const std::string& name) {
      auto settings = l->policy(from, name);
      l->count(settings ? LnsCounter::kTunnelsAccepted : LnsCounter::kTunnelsRefused);
      return settings;
    });
    lns->hosts_.push_back(std::move(link));
  }
  return lns;
}

Lns::Lns(const master::L2tpConfig& config, std::string host_name, LnsOwner& owner)
    : config_(config), host_name_(std::move(host_name)), owner_(owner) {}

Lns::~Lns() = default;

std::optional<l2tp::TunnelSettings> Lns::policy(const SocketEndpoint& from, const std::string& host_name) {
  l2tp::TunnelSettings s;
  s.host_name = host_name_;
  if (config_.lacs.empty()) return s;  // no peers configured: any LAC, without tunnel authentication
  const master::L2tpLacPeer* peer = config_.lac_peer(from.address, host_name);
  if (peer == nullptr) return std::nullopt;
  s.secret = peer->secret;
  s.hello_interval = seconds(peer->hello_interval);
  return s;
}

std::vector<int> Lns::fds() const { return host_fds(hosts_); }

bool Lns::on_readable(int fd, TimePoint now) {
  now_ = now;  // the hosts' events read it
  return poll_host(hosts_, fd, now);
}

void Lns::tick(TimePoint now) {
  now_ = now;
  for (auto& h : hosts_) h->host->tick(now);
}

void Lns::flush() {
  for (auto& h : hosts_) h->host->flush();
}

void Lns::close_tunnels(TimePoint now) {
  now_ = now;
  for (auto& h : hosts_) {
    std::vector<std::uint16_t> ids;
    h->host->for_each_tunnel([&](std::uint16_t id, const l2tp::Tunnel&, const SocketEndpoint&, std::size_t, TimePoint) {
      ids.push_back(id);
    });
    for (std::uint16_t id : ids) h->host->close_tunnel(id, l2tp::result::kStopShuttingDown, "LNS shutting down", now);
    h->host->flush();
  }
}

Lns::HostLink* Lns::link(std::uint8_t endpoint) const {
  for (const auto& h : hosts_)
    if (h->endpoint == endpoint) return h.get();
  return nullptr;
}

void Lns::tunnel_up(HostLink& h, std::uint16_t tunnel) {
  count(LnsCounter::kTunnelsUp);
  const l2tp::Tunnel* t = h.host->tunnel(tunnel);
  auto peer = h.host->peer(tunnel);
  log::info("l2tp: tunnel {} from LAC '{}' at {} established", tunnel, t ? t->peer().host_name : "?",
            peer ? peer->to_string() : "?");
}

void Lns::tunnel_down(HostLink& h, std::uint16_t tunnel, std::uint16_t result, const std::string& why) {
  count(LnsCounter::kTunnelsDown);
  if (const l2tp::Tunnel* t = h.host->tunnel(tunnel)) count(LnsCounter::kTunnelAuthFailures, t->counters().auth_failures);
  // Never the secret: `why` comes from the tunnel's state machine, which names no secret.
  log::warn_limited(log_limit_, "l2tp: tunnel {} down (result {}): {}", tunnel, result, why);
}

void Lns::session_up(HostLink& h, std::uint16_t tunnel, std::uint16_t session) {
  count(LnsCounter::kCallsOffered);
  calls_[key(h.endpoint, tunnel, session)] = Call{};
  owner_.lns_call(h.endpoint, tunnel, session);
}

void Lns::session_down(HostLink& h, std::uint16_t tunnel, std::uint16_t session, std::uint16_t, const std::string& why) {
  auto it = calls_.find(key(h.endpoint, tunnel, session));
  if (it == calls_.end()) return;  // ours to end (disconnect()), or never completed
  std::uint16_t id = it->second.id;
  calls_.erase(it);
  if (id == 0) return;  // the master's answer finds it gone
  count(LnsCounter::kCallsClosedByLac);
  count(LnsCounter::kCallsEnded);
  owner_.lns_call_down(id, why, now_);
}

void Lns::data(HostLink& h, std::uint16_t tunnel, std::uint16_t session, Bytes ppp) {
  auto it = calls_.find(key(h.endpoint, tunnel, session));
  if (it == calls_.end() || it->second.id == 0) {
    count(LnsCounter::kFramesNotReady);
    return;
  }
  count(LnsCounter::kFramesIn);
  owner_.lns_frame(it->second.id, ppp, now_);
}

void Lns::data_sequenced(HostLink& h, std::uint16_t tunnel, std::uint16_t session) {
  auto it = calls_.find(key(h.endpoint, tunnel, session));
  if (it != calls_.end() && it->second.id != 0) owner_.lns_sequenced(it->second.id);
}

std::optional<LnsCall> Lns::attach(std::uint8_t endpoint, std::uint16_t tunnel, std::uint16_t session, std::uint16_t id,
                                   TimePoint now) {
  now_ = now;
  auto it = calls_.find(key(endpoint, tunnel, session));
  HostLink* h = link(endpoint);
  if (it == calls_.end() || h == nullptr) return std::nullopt;  // the LAC cleared it meanwhile
  if (id == 0) {
    // RFC 2661 section 4.4.2: result 4, "temporary lack of resources".
    count(LnsCounter::kCallsRefused);
    calls_.erase(it);
    h->host->disconnect(tunnel, session, l2tp::result::kCdnTemporary, "no session available", now);
    return std::nullopt;
  }
  const l2tp::Session* s = h->host->session(tunnel, session);
  const l2tp::Tunnel* t = h->host->tunnel(tunnel);
  auto peer = h->host->peer(tunnel);
  if (s == nullptr || t == nullptr || !peer) {
    calls_.erase(it);
    return std::nullopt;
  }
  it->second.id = id;
  count(LnsCounter::kCallsUp);
  LnsCall c;
  c.route = {endpoint, *peer, t->peer().tunnel_id, s->peer_id(), s->sequencing_required()};
  c.tunnel = tunnel;
  c.session = session;
  c.info = s->call();
  c.local = h->local;
  c.lac_host_name = t->peer().host_name;
  c.our_host_name = t->settings().host_name;
  return c;
}

void Lns::disconnect(std::uint8_t endpoint, std::uint16_t tunnel, std::uint16_t session, std::uint16_t result,
                     const std::string& why, TimePoint now) {
  auto it = calls_.find(key(endpoint, tunnel, session));
  if (it == calls_.end()) return;  // the LAC ended it
  calls_.erase(it);  // before the CDN: its session_down() is ours, not the LAC's
  count(LnsCounter::kCallsEnded);
  if (HostLink* h = link(endpoint)) h->host->disconnect(tunnel, session, result, why, now);
}

bool Lns::send(const LnsRoute& route, std::atomic<std::uint32_t>& ns, Bytes prefix, Bytes payload) {
  HostLink* h = link(route.endpoint);
  if (h == nullptr) return false;
  std::optional<std::uint16_t> seq;
  if (route.sequenced) seq = static_cast<std::uint16_t>(ns.fetch_add(1, std::memory_order_relaxed));
  if (!h->host->queue_data(route.peer.sockaddr(), route.peer_tunnel, route.peer_session, seq, prefix, payload)) return false;
  count(LnsCounter::kFramesOut);
  return true;
}

LnsCounters Lns::counters() const {
  LnsCounters c = counters_;
  for (const auto& h : hosts_) add_host_counters<LnsCounter>(c, *h->host);
  return c;
}

std::size_t Lns::publish(dataplane::L2tpTunnelTable& table, unsigned slot, std::size_t index, TimePoint now) const {
  for (const auto& h : hosts_)
    h->host->for_each_tunnel([&](std::uint16_t id, const l2tp::Tunnel& t, const SocketEndpoint& peer, std::size_t calls,
                                 TimePoint created) {
      if (index == dataplane::L2tpTunnelTable::kPerWorker) return;
      publish_tunnel(table, slot, index++, id, t, h->local, peer, calls, created, "-", now);
    });
  return index;
}

}  // namespace pppoe::worker
