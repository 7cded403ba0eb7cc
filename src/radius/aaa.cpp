#include "radius/aaa.hpp"

#include <algorithm>

namespace pppoe::radius {

std::expected<std::unique_ptr<Aaa>, std::string> Aaa::create(AaaSettings settings, const session::LocalSecrets& local) {
  std::unique_ptr<Aaa> a(new Aaa(std::move(settings), local));
  if (!a->settings_.auth_servers.empty()) {
    auto c = Client::open("auth", a->settings_.auth_servers, a->settings_.client);
    if (!c) return std::unexpected(c.error());
    a->auth_ = std::make_unique<Client>(std::move(*c));
  }
  if (!a->settings_.acct_servers.empty()) {
    auto c = Client::open("acct", a->settings_.acct_servers, a->settings_.client);
    if (!c) return std::unexpected(c.error());
    a->acct_ = std::make_unique<Client>(std::move(*c));
    if (auto r = a->spool_.prepare(); !r) return std::unexpected(r.error());
  }
  return a;
}


void Aaa::authenticate(const session::AuthRequest& request, const SessionIdentity& who, AuthDone done, TimePoint now) {
  if (!auth_) {
    done(local_.check(request));
    return;
  }
  count(AaaCounter::kAccessRequests);
  auto on_reply = [this, request, done = std::move(done)](const Response* reply) {
    if (reply == nullptr) {
      count(AaaCounter::kNoServer);
      if (settings_.fallback_local) {
        count(AaaCounter::kFallbackLocal);
        log::warn_limited(log_limit_, "radius: no server answered for user '{}'; checked against ppp.secret", request.user);
        done(local_.check(request));
        return;
      }
      session::AuthResult r;
      r.backend_unavailable = true;
      r.reason = "no RADIUS server answered";
      done(r);
      return;
    }
    AccessOutcome o = interpret_access_reply(reply->packet, request, reply->request_auth, reply->secret);
    if (!o.route_problem.empty())
      log::warn_limited(log_limit_, "radius: user '{}': {}; that route ignored", request.user, o.route_problem);
    if (!o.policy_problem.empty())
      log::warn_limited(log_limit_, "radius: user '{}': {}; the rate attributes ignored", request.user, o.policy_problem);
    if (!o.tunnel_problem.empty())
      log::warn_limited(log_limit_, "radius: user '{}': {}; those tunnel attributes ignored", request.user, o.tunnel_problem);
    if (o.challenge) count(AaaCounter::kAccessChallenges);
    else if (reply->packet.code == Code::kAccessAccept && o.result.ok) count(AaaCounter::kAccessAccepts);
    else if (reply->packet.code == Code::kAccessAccept) {
      count(AaaCounter::kAccessNotHonoured);
      log::warn_limited(log_limit_, "radius: {} for user '{}'; treated as a reject", o.problem, request.user);
      o.result.reason = "RADIUS accept not honoured: " + o.problem;
    } else {
      count(AaaCounter::kAccessRejects);
      // The server's own words, if it gave any (RFC 2865 section 5.18), are what helps most.
      o.result.reason = "RADIUS reject";
      if (auto msg = reply->packet.find(Attr::kReplyMessage); msg && !msg->empty())
        o.result.reason += ": " + printable_text(*msg, 120);
    }
    if (o.challenge) o.result.reason = "RADIUS challenge (not supported)";
    done(o.result);
  };
  auth_->submit(access_request(request, settings_.nas, who), std::move(on_reply), now);
}

void Aaa::account(const AcctRecord& record, const SessionIdentity& who, TimePoint now) {
  if (!acct_) return;
  switch (record.status) {
    case AcctStatus::kStart: count(AaaCounter::kAcctStarts); break;
    case AcctStatus::kInterimUpdate: count(AaaCounter::kAcctUpdates); break;
    case AcctStatus::kStop: count(AaaCounter::kAcctStops); break;
    case AcctStatus::kAccountingOn:
    case AcctStatus::kAccountingOff: break;
  }
  Request req = accounting_request(record, settings_.nas, who);
  bool stop = record.status == AcctStatus::kStop;
  std::vector<std::uint8_t> keep = stop ? req.attributes : std::vector<std::uint8_t>{};
  auto on_reply = [this, stop, keep = std::move(keep), name = who.acct_session_id,
                   event = record.event_unix](const Response* reply) {
    if (reply != nullptr) {
      count(AaaCounter::kAcctResponses);
      return;
    }
    count(AaaCounter::kNoServer);
    if (!stop) return;  // a lost Start or Interim is superseded by the Stop
    if (auto r = spool_.store(name + "-stop", event, Bytes(keep)); r) {
      count(AaaCounter::kAcctSpooled);
      log::warn_limited(log_limit_, "radius: no accounting server answered; Stop of {} kept in {}", name, spool_.directory());
    } else {
      log::error("radius: Stop of {} lost: {}", name, r.error());
    }
  };
  acct_->submit(std::move(req), std::move(on_reply), now);
}

void Aaa::account_on_off(bool on, std::string_view acct_session_id, std::int64_t event_unix,
                         std::function<void(bool)> done, TimePoint now) {
  if (!acct_) {
    if (done) done(false);
    return;
  }
  acct_->submit(accounting_on_off(on, settings_.nas, acct_session_id, event_unix),
                [this, done = std::move(done)](const Response* reply) {
                  if (reply != nullptr) count(AaaCounter::kAcctResponses);
                  if (done) done(reply != nullptr);
                },
                now);
}

void Aaa::replay_spool(std::size_t max, std::int64_t unix_now, TimePoint now) {
  if (!acct_ || replaying_.size() >= max) return;
  for (auto& rec : spool_.load(max)) {
    if (std::find(replaying_.begin(), replaying_.end(), rec.path) != replaying_.end()) continue;
    if (replaying_.size() >= max) break;
    Request req;
    req.code = Code::kAccountingRequest;
    req.attributes = rec.attributes;
    req.delay_time = true;
    // RFC 2866 section 5.2: how long the record has been waiting to be sent.
    req.delay_base = static_cast<std::uint32_t>(std::max<std::int64_t>(0, unix_now - rec.event_unix));
    replaying_.push_back(rec.path);
    acct_->submit(std::move(req),
                  [this, rec](const Response* reply) {
                    std::erase(replaying_, rec.path);
                    if (reply == nullptr) return;  // still nobody: stays on disk
                    count(AaaCounter::kAcctResponses);
                    spool_.remove(rec);
                    log::info("radius: spooled accounting record {} delivered", rec.path);
                  },
                  now);
  }
}

std::expected<void, std::string> Aaa::reconfigure(AaaSettings settings) {
  std::unique_ptr<Client> auth, acct;
  if (!settings.auth_servers.empty()) {
    auto c = Client::open("auth", settings.auth_servers, settings.client);
    if (!c) return std::unexpected(c.error());
    auth = std::make_unique<Client>(std::move(*c));
  }
  if (!settings.acct_servers.empty()) {
    auto c = Client::open("acct", settings.acct_servers, settings.client);
    if (!c) return std::unexpected(c.error());
    acct = std::make_unique<Client>(std::move(*c));
    if (!acct_)
      if (auto r = spool_.prepare(); !r) return std::unexpected(r.error());
  }
  if (auth && auth_) auth->continue_stats_of(*auth_);
  if (acct && acct_) acct->continue_stats_of(*acct_);
  for (auto* old : {&auth_, &acct_})
    if (*old) retiring_.push_back(std::move(*old));
  auth_ = std::move(auth);
  acct_ = std::move(acct);
  settings.spool_dir = settings_.spool_dir;
  settings_ = std::move(settings);
  return {};
}

void Aaa::fold_counters(const Client& c) {
  counters_[static_cast<std::size_t>(AaaCounter::kRetransmits)] += c.counters().retransmits;
  counters_[static_cast<std::size_t>(AaaCounter::kTimeouts)] += c.counters().timeouts;
  counters_[static_cast<std::size_t>(AaaCounter::kInvalidResponses)] += c.counters().invalid;
}

std::size_t Aaa::in_flight() const {
  std::size_t n = in_flight(false) + in_flight(true);
  for (const auto& c : retiring_) n += c->outstanding() + c->backlog();
  return n;
}

std::size_t Aaa::in_flight(bool accounting) const {
  const Client* c = accounting ? acct_.get() : auth_.get();
  return c != nullptr ? c->outstanding() + c->backlog() : 0;
}

std::vector<int> Aaa::fds() const {
  std::vector<int> v;
  for (const Client* c : {auth_.get(), acct_.get()})
    if (c != nullptr)
      for (int fd : c->fds()) v.push_back(fd);
  for (const auto& c : retiring_)
    for (int fd : c->fds()) v.push_back(fd);
  return v;
}

bool Aaa::on_readable(int fd, TimePoint now) {
  for (Client* c : {auth_.get(), acct_.get()})
    if (c != nullptr && c->owns(fd)) {
      c->on_readable(fd, now);
      return true;
    }
  for (auto& c : retiring_)
    if (c->owns(fd)) {
      c->on_readable(fd, now);
      return true;
    }
  return false;
}

void Aaa::tick(TimePoint now) {
  if (auth_) auth_->tick(now);
  if (acct_) acct_->tick(now);
  for (auto it = retiring_.begin(); it != retiring_.end();) {
    (*it)->tick(now);
    if ((*it)->outstanding() + (*it)->backlog() > 0) {
      ++it;
      continue;
    }
    fold_counters(**it);  // its sockets close: the event loop's epoll forgets them by itself
    it = retiring_.erase(it);
  }
}

Aaa::Counters Aaa::counters() const {
  Counters c = counters_;
  std::vector<const Client*> clients{auth_.get(), acct_.get()};
  for (const auto& r : retiring_) clients.push_back(r.get());
  for (const Client* cl : clients) {
    if (cl == nullptr) continue;
    c[static_cast<std::size_t>(AaaCounter::kRetransmits)] += cl->counters().retransmits;
    c[static_cast<std::size_t>(AaaCounter::kTimeouts)] += cl->counters().timeouts;
    c[static_cast<std::size_t>(AaaCounter::kInvalidResponses)] += cl->counters().invalid;
  }
  return c;
}

std::uint32_t Aaa::dead_mask(bool accounting, TimePoint now) const {
  const Client* c = accounting ? acct_.get() : auth_.get();
  std::uint32_t m = 0;
  if (c == nullptr) return m;
  for (std::size_t i = 0; i < c->server_count(); ++i)
    if (!c->server_alive(i, now)) m |= 1u << i;
  return m;
}

}  // namespace pppoe::radius
