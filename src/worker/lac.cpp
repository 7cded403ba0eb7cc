#include "worker/lac.hpp"

#include "worker/l2tp_hosts.hpp"

#include <ctime>
#include <cstring>

namespace pppoe::worker {

struct Lac::HostLink final : l2tp::HostEvents {
  Lac& lac;
  std::size_t index;
  SocketEndpoint local;
  std::unique_ptr<l2tp::Host> host;
  HostLink(Lac& l, std::size_t i, SocketEndpoint e) : lac(l), index(i), local(e) {}
  void tunnel_up(std::uint16_t t) override { lac.tunnel_up(*this, t); }
  void tunnel_down(std::uint16_t t, std::uint16_t result, const std::string& why) override {
    lac.tunnel_down(*this, t, result, why);
  }
  void session_up(std::uint16_t t, std::uint16_t s) override { lac.session_up(*this, t, s); }
  void session_down(std::uint16_t t, std::uint16_t s, std::uint16_t result, const std::string& why) override {
    lac.session_down(*this, t, s, result, why);
  }
  void data(std::uint16_t t, std::uint16_t s, Bytes ppp) override { lac.data(*this, t, s, ppp); }
};

/// This worker's tunnel for one profile, and the sessions waiting for it to come up.
struct Lac::ProfileTunnel {
  const master::L2tpTunnelProfile* profile = nullptr;
  HostLink* host = nullptr;
  std::uint16_t id = 0;       ///< our tunnel ID; 0: none open
  bool up = false;
  std::size_t endpoint = 0;   ///< index in profile->lns of the LNS tried or in use
  TimePoint opened_at{};      ///< when the SCCRQ went out (connect_timeout counts from here)
  std::deque<Waiting> waiting;
};

namespace {
std::uint64_t endpoint_key(const SocketEndpoint& e) { return std::uint64_t{e.address.value} << 16 | e.port; }
}  // namespace

std::expected<std::unique_ptr<Lac>, std::string> Lac::create(const std::vector<const dataplane::L2tpDispatch*>& dispatch,
                                                             unsigned slot, std::string default_host_name,
                                                             LacOwner& owner) {
  std::unique_ptr<Lac> lac(new Lac(owner, std::move(default_host_name)));
  for (const auto* d : dispatch) {
    auto fd = d->open_socket(slot);
    if (!fd) return std::unexpected(fd.error());
    auto link = std::make_unique<HostLink>(*lac, lac->hosts_.size(), d->local());
    link->host = l2tp::Host::adopt(*fd, *link);
    link->host->set_tunnel_ids(dataplane::L2tpDispatch::tunnel_id_base(slot), dataplane::L2tpDispatch::kIdsPerSlot);
    lac->hosts_.push_back(std::move(link));
  }
  return lac;
}

Lac::Lac(LacOwner& owner, std::string host_name) : owner_(owner), default_host_name_(std::move(host_name)) {}

Lac::~Lac() = default;

std::vector<int> Lac::fds() const { return host_fds(hosts_); }

bool Lac::on_readable(int fd, TimePoint now) {
  now_ = now;  // the hosts' events read it
  return poll_host(hosts_, fd, now);
}

void Lac::tick(TimePoint now) {
  now_ = now;
  for (auto& h : hosts_) h->host->tick(now);
  std::erase_if(held_down_, [&](const auto& e) { return e.second <= now; });
  // An LNS that has not answered the SCCRQ in time: give it up (StopCCN; tunnel_down() holds it
  // down and opens the next) rather than wait out every retransmission.
  std::vector<ProfileTunnel*> late;
  for (auto& [key, t] : tunnels_)
    if (t->id != 0 && !t->up && now - t->opened_at >= seconds(t->profile->connect_timeout)) late.push_back(t.get());
  for (ProfileTunnel* t : late) {
    const l2tp::Tunnel* tunnel = t->host->host->tunnel(t->id);
    if (tunnel == nullptr || tunnel->state() != l2tp::TunnelState::kWaitCtlReply) continue;
    t->host->host->close_tunnel(t->id, l2tp::result::kStopGeneralError,
                                fmt::format("no answer within {} s", t->profile->connect_timeout), now);
  }
}

void Lac::flush() {
  for (auto& h : hosts_) h->host->flush();
}

void Lac::close_tunnels(TimePoint now) {
  now_ = now;
  closing_ = true;
  for (auto& [key, t] : tunnels_) {
    fail_waiting(*t, "shutting down");
    if (t->id != 0) t->host->host->close_tunnel(t->id, l2tp::result::kStopShuttingDown, "shutting down", now);
  }
  flush();
}

std::size_t Lac::publish(dataplane::L2tpTunnelTable& table, unsigned slot, std::size_t index, TimePoint now) const {
  for (const auto& h : hosts_)
    h->host->for_each_tunnel([&](std::uint16_t id, const l2tp::Tunnel& t, const SocketEndpoint& peer, std::size_t calls,
                                 TimePoint created) {
      if (index == dataplane::L2tpTunnelTable::kPerWorker) return;
      std::string_view profile = "-";
      for (const auto& [p, pt] : tunnels_)
        if (pt->host == h.get() && pt->id == id) profile = p->name;
      publish_tunnel(table, slot, index++, id, t, h->local, peer, calls, created, profile, now);
    });
  return index;
}

std::optional<radius::TunnelAccounting> Lac::tunnel_accounting(std::uint16_t session) const {
  auto it = calls_.find(session);
  if (it == calls_.end() || it->second.profile == nullptr) return std::nullopt;
  const Call& c = it->second;
  const ProfileTunnel& t = *c.profile;
  radius::TunnelAccounting a;
  if (!c.host->local.address.is_zero()) a.client_endpoint = c.host->local.address.to_string();
  a.server_endpoint = t.profile->lns[t.endpoint].address.to_string();
  a.connection = std::to_string(c.serial);
  a.client_auth_id = t.profile->host_name.empty() ? default_host_name_ : t.profile->host_name;
  if (const l2tp::Tunnel* tunnel = c.host->host->tunnel(c.tunnel)) a.server_auth_id = tunnel->peer().host_name;
  a.assignment_id = t.profile->assignment_id;
  return a;
}

std::optional<std::array<std::uint16_t, 3>> Lac::call_ids(std::uint16_t session) const {
  auto it = calls_.find(session);
  if (it == calls_.end()) return std::nullopt;
  const l2tp::Session* s = it->second.host->host->session(it->second.tunnel, it->second.l2tp_session);
  return std::array<std::uint16_t, 3>{it->second.tunnel, it->second.l2tp_session, s != nullptr ? s->peer_id() : std::uint16_t{0}};
}

LacCounters Lac::counters() const {
  LacCounters c = counters_;
  for (const auto& h : hosts_) add_host_counters<l2tp::LacCounter>(c, *h->host);
  return c;
}

Lac::HostLink* Lac::host_for(const SocketEndpoint& source) {
  for (auto& h : hosts_)
    if (h->local.address == source.address && h->local.port == source.port) return h.get();
  return nullptr;
}

std::uint64_t Lac::call_key(const HostLink& h, std::uint16_t tunnel, std::uint16_t session) {
  return std::uint64_t{h.index} << 32 | std::uint64_t{tunnel} << 16 | session;
}

Lac::ProfileTunnel* Lac::tunnel_of(HostLink& h, std::uint16_t tunnel) {
  for (auto& [key, t] : tunnels_)
    if (t->host == &h && t->id == tunnel) return t.get();
  return nullptr;
}

void Lac::connect(std::uint16_t session, const master::L2tpTunnelProfile& profile, l2tp::CallInfo call, TimePoint now) {
  now_ = now;
  auto& slot = tunnels_[&profile];
  if (!slot) {
    slot = std::make_unique<ProfileTunnel>();
    slot->profile = &profile;
    slot->host = host_for(profile.source);
  }
  ProfileTunnel& t = *slot;
  if (t.host == nullptr) {  // the master opens a dispatch for every source; a bug if not
    count(l2tp::LacCounter::kCallsFailed);
    owner_.call_down(session, "no socket for the tunnel's source address");
    return;
  }
  if (t.up) return place(t, {session, std::move(call)});
  t.waiting.push_back({session, std::move(call)});
  if (t.id == 0) open_next(t);
}

void Lac::connect(std::uint16_t session, const std::vector<session::TunnelChoice>& choices, l2tp::CallInfo call,
                  TimePoint now) {
  // RFC 2868 section 3.7: the Tunnel-Assignment-Id names the tunnel; with the LNSs in the key,
  // a server that moves an assignment to other LNSs gets a new tunnel, not a wrong one.
  std::string key = choices.front().assignment_id;
  for (const auto& c : choices) key += fmt::format("|{}:{}", c.server.to_string(), c.server_port);
  auto& p = radius_profiles_[key];
  if (!p) {
    p = std::make_unique<master::L2tpTunnelProfile>();
    p->name = "radius:" + (choices.front().assignment_id.empty() ? choices.front().server.to_string()
                                                                  : choices.front().assignment_id);
    // Our source: Tunnel-Client-Endpoint when a socket of ours has that address.
    p->source = master::L2tpConfig::kDefaultSource;
    if (const auto& client = choices.front().client; client && host_for({*client, 1701}) != nullptr)
      p->source = {*client, 1701};
  }
  // The server may change passwords and names between answers: the latest counts.
  p->lns.clear();
  p->lns_secret.clear();
  for (const auto& c : choices) {
    p->lns.push_back({c.server, c.server_port});
    p->lns_secret.push_back(c.password);
  }
  p->host_name = choices.front().client_auth_id;
  p->assignment_id = choices.front().assignment_id;
  connect(session, *p, std::move(call), now);
}

void Lac::open_next(ProfileTunnel& t) {
  const auto& lns = t.profile->lns;
  for (std::size_t tried = 0; tried < lns.size(); ++tried) {
    std::size_t i = (t.endpoint + tried) % lns.size();
    auto held = held_down_.find(endpoint_key(lns[i]));
    if (held != held_down_.end() && held->second > now_) continue;
    l2tp::TunnelSettings s;
    s.host_name = t.profile->host_name.empty() ? default_host_name_ : t.profile->host_name;
    s.secret = i < t.profile->lns_secret.size() && !t.profile->lns_secret[i].empty() ? t.profile->lns_secret[i]
                                                                                    : t.profile->secret;
    s.hello_interval = seconds(t.profile->hello_interval);
    t.endpoint = i;
    t.id = t.host->host->open_tunnel(lns[i], std::move(s), now_);
    t.opened_at = now_;
    if (t.id == 0) return fail_waiting(t, "no tunnel ID of this worker free");
    count(l2tp::LacCounter::kTunnelsOpened);
    log::info("l2tp: tunnel '{}' to LNS {}: opening (our tunnel ID {})", t.profile->name, lns[i].to_string(), t.id);
    return;
  }
  fail_waiting(t, "every LNS of the tunnel profile is held down");
}

void Lac::place(ProfileTunnel& t, Waiting w) {
  std::uint16_t sid = t.host->host->place_call(t.id, w.call, now_);
  if (sid == 0) {
    count(l2tp::LacCounter::kCallsFailed);
    owner_.call_down(w.session, "the tunnel took no new call");
    return;
  }
  count(l2tp::LacCounter::kCallsPlaced);
  calls_[w.session] = {t.host, t.id, sid, false, w.call.serial, &t};
  by_call_[call_key(*t.host, t.id, sid)] = w.session;
}

void Lac::fail_waiting(ProfileTunnel& t, const std::string& why) {
  auto waiting = std::move(t.waiting);
  t.waiting.clear();
  for (const auto& w : waiting) {
    count(l2tp::LacCounter::kCallsFailed);
    owner_.call_down(w.session, why);
  }
}

void Lac::hold_down(ProfileTunnel& t, const std::string& why) {
  const auto& e = t.profile->lns[t.endpoint];
  held_down_[endpoint_key(e)] = now_ + seconds(t.profile->hold_down);
  count(l2tp::LacCounter::kEndpointsHeldDown);
  log::warn_limited(log_limit_, "l2tp: tunnel '{}': LNS {} held down for {} s: {}", t.profile->name, e.to_string(),
                    t.profile->hold_down, why);
}

void Lac::disconnect(std::uint16_t session, std::uint16_t result, const std::string& why, TimePoint now) {
  now_ = now;
  for (auto& [key, t] : tunnels_)
    std::erase_if(t->waiting, [&](const Waiting& w) { return w.session == session; });
  auto it = calls_.find(session);
  if (it == calls_.end()) return;
  Call c = it->second;
  calls_.erase(it);
  by_call_.erase(call_key(*c.host, c.tunnel, c.l2tp_session));
  if (c.up) {
    count(l2tp::LacCounter::kCallsEnded);
    count(l2tp::LacCounter::kCallsClosedBySubscriber);
  }
  c.host->host->disconnect(c.tunnel, c.l2tp_session, result, why, now);
}

bool Lac::send(std::uint16_t session, Bytes ppp) {
  auto it = calls_.find(session);
  if (it == calls_.end() || !it->second.up ||
      !it->second.host->host->send_data(it->second.tunnel, it->second.l2tp_session, ppp, true)) {
    count(l2tp::LacCounter::kFramesDropped);
    return false;
  }
  count(l2tp::LacCounter::kFramesUp);
  return true;
}

void Lac::tunnel_up(HostLink& h, std::uint16_t tunnel) {
  ProfileTunnel* t = tunnel_of(h, tunnel);
  if (t == nullptr) return;
  t->up = true;
  count(l2tp::LacCounter::kTunnelsUp);
  log::info("l2tp: tunnel '{}' to LNS {} up (our tunnel ID {}, peer '{}')", t->profile->name,
            t->profile->lns[t->endpoint].to_string(), tunnel, h.host->tunnel(tunnel)->peer().host_name);
  auto waiting = std::move(t->waiting);
  t->waiting.clear();
  for (auto& w : waiting) place(*t, std::move(w));
}

void Lac::tunnel_down(HostLink& h, std::uint16_t tunnel, std::uint16_t result, const std::string& why) {
  ProfileTunnel* t = tunnel_of(h, tunnel);
  if (t == nullptr) return;
  // Its calls were reported down just before (Host::TunnelEntry::tunnel_down).
  bool was_up = t->up;
  t->up = false;
  t->id = 0;
  if (closing_) return;
  count(was_up ? l2tp::LacCounter::kTunnelsLost : l2tp::LacCounter::kTunnelsFailed);
  // A StopCCN that only says "clear" after the tunnel served us is an orderly end, not a failure.
  if (!was_up || result != l2tp::result::kStopClear)
    hold_down(*t, fmt::format("{} (result {})", why, result));
  else
    log::info("l2tp: tunnel '{}' closed by the LNS: {}", t->profile->name, why);
  if (!t->waiting.empty()) {
    t->endpoint = (t->endpoint + 1) % t->profile->lns.size();
    open_next(*t);
  }
}

void Lac::session_up(HostLink& h, std::uint16_t tunnel, std::uint16_t session) {
  auto it = by_call_.find(call_key(h, tunnel, session));
  if (it == by_call_.end()) return;
  auto c = calls_.find(it->second);
  if (c == calls_.end()) return;
  c->second.up = true;
  count(l2tp::LacCounter::kCallsUp);
  owner_.call_up(it->second);
}

void Lac::session_down(HostLink& h, std::uint16_t tunnel, std::uint16_t session, std::uint16_t result,
                       const std::string& why) {
  auto it = by_call_.find(call_key(h, tunnel, session));
  if (it == by_call_.end()) return;
  std::uint16_t pppoe_session = it->second;
  by_call_.erase(it);
  auto c = calls_.find(pppoe_session);
  if (c == calls_.end()) return;
  if (c->second.up) {
    count(l2tp::LacCounter::kCallsEnded);
    count(l2tp::LacCounter::kCallsClosedByLns);
  } else {
    count(l2tp::LacCounter::kCallsFailed);
  }
  calls_.erase(c);
  owner_.call_down(pppoe_session, fmt::format("{} (result {})", why, result));
}

void Lac::data(HostLink& h, std::uint16_t tunnel, std::uint16_t session, Bytes ppp) {
  auto it = by_call_.find(call_key(h, tunnel, session));
  if (it == by_call_.end()) return;
  count(l2tp::LacCounter::kFramesDown);
  owner_.call_frame(it->second, ppp);
}

}  // namespace pppoe::worker
