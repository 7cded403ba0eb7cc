#include "radius/client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pppoe::radius {

struct Client::Pending {
  Request request;
  Done done;
  TimePoint created{};
  TimePoint sent{};              ///< first transmission to the current server (its latency)
  std::uint32_t tried_mask = 0;  ///< servers already given up on
  std::size_t server = 0;
  unsigned tries = 0;
  TimePoint deadline{};
  std::uint8_t id = 0;
  Authenticator auth{};
  std::vector<std::uint8_t> wire;
};

namespace {
constexpr std::size_t kMaxServers = 16;
/// Source ports per server. A server tells requests apart by source port and Identifier; with
/// several ports an Identifier comes back into use only after 256 x kPorts requests, so a
/// busy server never sees a new request that "conflicts" with one it is still finishing
/// (FreeRADIUS then drops the new one, costing a retransmission; RFC 5080 section 2.2.2).
constexpr std::size_t kPorts = 4;
constexpr std::size_t kSlots = 256 * kPorts;
}  // namespace

struct Client::Server {
  ServerConfig config;
  std::array<int, kPorts> fds{-1, -1, -1, -1};
  std::array<std::unique_ptr<Pending>, kSlots> slots;  ///< port * 256 + Identifier
  std::size_t in_flight = 0;
  std::size_t next_slot = 0;
  TimePoint dead_until{};
  /// Shared with the client this one replaced on a reload, for the same server: its requests
  /// still in flight count where the new ones do, and the metrics never go back.
  std::shared_ptr<ServerStats> stats = std::make_shared<ServerStats>();
  ~Server() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  [[nodiscard]] int fd_of(std::size_t slot) const { return fds[slot / 256]; }
};

namespace {

bool is_access(Code c) { return c == Code::kAccessRequest; }
}  // namespace

std::expected<Client, std::string> Client::open(std::string name, std::vector<ServerConfig> servers,
                                                ClientSettings settings) {
  if (servers.empty()) return std::unexpected(fmt::format("radius {}: no servers configured", name));
  if (servers.size() > kMaxServers) return std::unexpected(fmt::format("radius {}: at most {} servers", name, kMaxServers));
  std::stable_sort(servers.begin(), servers.end(),
                   [](const ServerConfig& a, const ServerConfig& b) { return a.priority < b.priority; });
  Client c;
  c.name_ = std::move(name);
  c.settings_ = settings;
  c.settings_.max_outstanding = std::max<std::size_t>(1, settings.max_outstanding);
  c.log_limit_ = std::make_unique<log::RateLimit>(5, 20);
  for (auto& cfg : servers) {
    auto s = std::make_unique<Server>();
    s->config = std::move(cfg);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(s->config.port);
    if (::inet_pton(AF_INET, s->config.host.c_str(), &sa.sin_addr) != 1)
      return std::unexpected(fmt::format("radius {}: '{}' is not an IPv4 address", c.name_, s->config.host));
    for (int& fd : s->fds) {
      fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return std::unexpected(fmt::format("radius {}: socket: {}", c.name_, std::strerror(errno)));
      // Answers to a burst of requests arrive back to back; the default buffer holds ~200.
      int rcvbuf = 1 << 20;
      (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
        return std::unexpected(
            fmt::format("radius {}: connect {}:{}: {}", c.name_, s->config.host, s->config.port, std::strerror(errno)));
    }
    s->next_slot = random_authenticator()[0];
    c.servers_.push_back(std::move(s));
  }
  return c;
}

Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

const ServerConfig& Client::server(std::size_t i) const { return servers_[i]->config; }
bool Client::server_alive(std::size_t i, TimePoint now) const { return servers_[i]->dead_until <= now; }
const ServerStats& Client::server_stats(std::size_t i) const { return *servers_[i]->stats; }
std::size_t Client::server_in_flight(std::size_t i) const { return servers_[i]->in_flight; }

void Client::continue_stats_of(const Client& before) {
  for (auto& s : servers_)
    for (const auto& o : before.servers_)
      if (o->config.host == s->config.host && o->config.port == s->config.port) s->stats = o->stats;
}

void ServerStats::add_latency(Duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  if (us < 0) us = 0;
  latency_sum_us += static_cast<std::uint64_t>(us);
  std::size_t b = 0;
  while (b < kLatencyBoundsMs.size() && us > std::int64_t{kLatencyBoundsMs[b]} * 1000) ++b;
  ++latency[b];
}

std::vector<int> Client::fds() const {
  std::vector<int> v;
  for (const auto& s : servers_) v.insert(v.end(), s->fds.begin(), s->fds.end());
  return v;
}

bool Client::owns(int fd) const {
  return std::any_of(servers_.begin(), servers_.end(),
                     [&](const auto& s) { return std::find(s->fds.begin(), s->fds.end(), fd) != s->fds.end(); });
}

void Client::submit(Request request, Done done, TimePoint now) {
  auto p = std::make_unique<Pending>();
  p->request = std::move(request);
  p->done = std::move(done);
  p->created = now;
  if (outstanding_ >= settings_.max_outstanding || !backlog_.empty()) {
    if (backlog_.size() >= settings_.max_backlog) {
      ++counters_.backlog_full;
      log::warn_limited(*log_limit_, "radius {}: backlog full ({} requests waiting); request refused", name_,
                        backlog_.size());
      finish(std::move(p), nullptr);
      return;
    }
    backlog_.push_back(std::move(p));
    return;
  }
  transmit_new(std::move(p), now);
}

bool Client::transmit_new(std::unique_ptr<Pending> p, TimePoint now) {
  // Best server: the first alive one not yet tried; if all untried ones are dead, the first
  // of those (a dead server may have come back; trying beats failing at once).
  std::optional<std::size_t> pick, fallback;
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    const auto& s = *servers_[i];
    if ((p->tried_mask & (1u << i)) != 0 || s.in_flight >= kSlots) continue;
    if (s.dead_until <= now) {
      pick = i;
      break;
    }
    if (!fallback) fallback = i;
  }
  if (!pick) pick = fallback;
  if (!pick) {
    ++counters_.failed;
    finish(std::move(p), nullptr);
    return false;
  }
  Server& s = *servers_[*pick];
  std::size_t slot = s.next_slot % kSlots;
  while (s.slots[slot] != nullptr) slot = (slot + 1) % kSlots;  // in_flight < kSlots: a free one exists
  s.next_slot = slot + 1;
  auto id = static_cast<std::uint8_t>(slot % 256);

  PacketBuilder b(p->request.code, id);
  Authenticator auth = is_access(p->request.code) ? random_authenticator() : Authenticator{};
  b.set_authenticator(auth);
  b.add_message_authenticator_placeholder();
  b.add_encoded(p->request.attributes);
  if (p->request.password) {
    std::vector<std::uint8_t> hidden;
    if (hide_password(*p->request.password, auth, s.config.secret, hidden)) b.add(Attr::kUserPassword, Bytes(hidden));
  }
  if (p->request.delay_time) {
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - p->created).count();
    b.add_u32(Attr::kAcctDelayTime, p->request.delay_base + static_cast<std::uint32_t>(std::max<std::int64_t>(0, waited)));
  }
  if (b.overflow()) {
    log::warn_limited(*log_limit_, "radius {}: request does not fit in 4096 octets; dropped", name_);
    ++counters_.failed;
    finish(std::move(p), nullptr);
    return false;
  }
  MutableBytes pkt = seal_request(b, s.config.secret);
  p->wire.assign(pkt.begin(), pkt.end());
  std::copy_n(pkt.begin() + 4, kAuthenticatorSize, p->auth.begin());
  p->server = *pick;
  p->id = id;
  p->tries = 1;
  p->deadline = now + settings_.timeout;
  p->sent = now;
  ++counters_.requests;
  ++s.stats->requests;
  (void)::send(s.fd_of(slot), p->wire.data(), p->wire.size(), MSG_DONTWAIT);  // loss: the retransmit timer
  s.slots[slot] = std::move(p);
  ++s.in_flight;
  ++outstanding_;
  return true;
}

void Client::finish(std::unique_ptr<Pending> p, const Response* reply) {
  Done done = std::move(p->done);
  Authenticator auth = p->auth;  // the reply refers to it
  p.reset();
  if (!done) return;
  if (reply == nullptr) {
    done(nullptr);
    return;
  }
  Response r{reply->packet, auth, reply->secret};
  done(&r);
}

void Client::on_readable(int fd, TimePoint now) {
  auto it = std::find_if(servers_.begin(), servers_.end(),
                         [&](const auto& s) { return std::find(s->fds.begin(), s->fds.end(), fd) != s->fds.end(); });
  if (it == servers_.end()) return;
  Server& s = **it;
  auto port = static_cast<std::size_t>(std::find(s.fds.begin(), s.fds.end(), fd) - s.fds.begin());
  std::array<std::uint8_t, kMaxPacketSize + 1> buf{};
  for (int round = 0; round < 256; ++round) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0) break;  // EAGAIN, or ECONNREFUSED from an ICMP port unreachable: the timer decides
    auto pkt = decode(Bytes(buf.data(), static_cast<std::size_t>(n)));
    if (!pkt) {
      ++counters_.invalid;
      log::warn_limited(*log_limit_, "radius {}: malformed reply from {}: {}", name_, s.config.host, to_string(pkt.error()));
      continue;
    }
    auto& slot = s.slots[port * 256 + pkt->id];
    if (slot == nullptr) {
      ++counters_.invalid;  // late duplicate or forged: no request with this Identifier
      continue;
    }
    bool access = is_access(slot->request.code);
    Verdict v = verify_response(*pkt, slot->auth, s.config.secret, access && settings_.require_message_authenticator);
    bool code_ok = access ? (pkt->code == Code::kAccessAccept || pkt->code == Code::kAccessReject ||
                             pkt->code == Code::kAccessChallenge)
                          : pkt->code == Code::kAccountingResponse;
    if (v != Verdict::kOk || !code_ok) {
      ++counters_.invalid;
      log::warn_limited(*log_limit_, "radius {}: reply {} id {} from {}:{} dropped: {}", name_, to_string(pkt->code),
                        pkt->id, s.config.host, s.config.port, code_ok ? to_string(v) : "unexpected code");
      continue;  // keep waiting: a forged reply must not cancel the real one
    }
    auto p = std::move(slot);
    --s.in_flight;
    --outstanding_;
    ++s.stats->responses;
    s.stats->add_latency(now - p->sent);
    ++counters_.responses;
    s.dead_until = TimePoint{};
    Response r{*pkt, p->auth, s.config.secret};
    finish(std::move(p), &r);
  }
  drain_backlog(now);
}

void Client::tick(TimePoint now) {
  std::vector<std::unique_ptr<Pending>> failover;
  for (std::size_t si = 0; si < servers_.size(); ++si) {
    Server& s = *servers_[si];
    if (s.in_flight == 0) continue;
    for (std::size_t k = 0; k < kSlots; ++k) {
      auto& slot = s.slots[k];
      if (slot == nullptr || now < slot->deadline) continue;
      if (slot->tries < settings_.tries) {
        ++slot->tries;
        ++counters_.retransmits;
        ++s.stats->retransmits;
        slot->deadline = now + settings_.timeout;
        (void)::send(s.fd_of(k), slot->wire.data(), slot->wire.size(), MSG_DONTWAIT);
        continue;
      }
      ++counters_.timeouts;
      ++s.stats->timeouts;
      if (s.dead_until <= now) {
        s.dead_until = now + settings_.dead_time;
        log::warn("radius {}: server {}:{} not answering; marked dead for {} s", name_, s.config.host, s.config.port,
                  std::chrono::duration_cast<std::chrono::seconds>(settings_.dead_time).count());
      }
      slot->tried_mask |= 1u << si;
      failover.push_back(std::move(slot));
      --s.in_flight;
      --outstanding_;
    }
  }
  for (auto& p : failover) transmit_new(std::move(p), now);
  drain_backlog(now);
}

void Client::fail_all() {
  std::vector<std::unique_ptr<Pending>> all;
  for (auto& s : servers_) {
    for (auto& slot : s->slots)
      if (slot != nullptr) all.push_back(std::move(slot));
    s->in_flight = 0;
  }
  while (!backlog_.empty()) {
    all.push_back(std::move(backlog_.front()));
    backlog_.pop_front();
  }
  outstanding_ = 0;
  for (auto& p : all) finish(std::move(p), nullptr);
}

void Client::drain_backlog(TimePoint now) {
  while (!backlog_.empty() && outstanding_ < settings_.max_outstanding) {
    auto p = std::move(backlog_.front());
    backlog_.pop_front();
    transmit_new(std::move(p), now);
  }
}

}  // namespace pppoe::radius
