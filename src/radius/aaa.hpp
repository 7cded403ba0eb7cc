// AAA for one process (a worker, or the master for Accounting-On/Off, spooled records and the
// sessions of a crashed worker): RADIUS authentication with ppp.secret as the fallback or the
// only backend, accounting with a disk spool for Stop records, and the counters.
#pragma once

#include <array>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "radius/accounting.hpp"
#include "radius/client.hpp"
#include "radius/counters.hpp"
#include "radius/spool.hpp"
#include "session/secrets.hpp"

namespace pppoe::radius {

struct AaaSettings {
  std::vector<ServerConfig> auth_servers;  ///< empty: ppp.secret only
  std::vector<ServerConfig> acct_servers;  ///< empty: no accounting
  ClientSettings client;
  NasInfo nas;
  std::string spool_dir;
  bool fallback_local = false;
};

class Aaa {
 public:
  using AuthDone = std::function<void(const session::AuthResult&)>;
  using Counters = std::array<std::uint64_t, static_cast<std::size_t>(AaaCounter::kCount)>;

  static std::expected<std::unique_ptr<Aaa>, std::string> create(AaaSettings settings, const session::LocalSecrets& local);

  [[nodiscard]] bool radius_auth() const { return auth_ != nullptr; }
  [[nodiscard]] bool accounting() const { return acct_ != nullptr; }
  [[nodiscard]] const NasInfo& nas() const { return settings_.nas; }

  /// Checks credentials; `done` runs once, perhaps before this returns.
  void authenticate(const session::AuthRequest& request, const SessionIdentity& who, AuthDone done, TimePoint now);
  /// Sends one accounting record; a Stop no server acknowledges goes to the spool.
  void account(const AcctRecord& record, const SessionIdentity& who, TimePoint now);
  /// Accounting-On/Off; `done(true)` when a server acknowledged.
  void account_on_off(bool on, std::string_view acct_session_id, std::int64_t event_unix, std::function<void(bool)> done,
                      TimePoint now);
  /// Sends up to `max` spooled records that are not already in flight.
  void replay_spool(std::size_t max, std::int64_t unix_now, TimePoint now);
  [[nodiscard]] std::size_t spooled() const { return spool_.count(); }
  [[nodiscard]] std::size_t in_flight() const;
  /// Requests sent and not yet answered or waiting to be sent, of one kind.
  [[nodiscard]] std::size_t in_flight(bool accounting) const;
  /// At exit: every unanswered Stop goes to the spool, other requests are dropped.
  void spool_pending() {
    if (acct_) acct_->fail_all();
    if (auth_) auth_->fail_all();
    for (auto& c : retiring_) c->fail_all();
  }
  /// Reload: new servers, secrets and timers for every request from now on. Requests in
  /// flight finish with the servers they went to (their clients stay until they have). The
  /// spool directory stays. On error (a socket) nothing changed.
  std::expected<void, std::string> reconfigure(AaaSettings settings);

  [[nodiscard]] std::vector<int> fds() const;
  bool on_readable(int fd, TimePoint now);  ///< false: not ours
  void tick(TimePoint now);

  [[nodiscard]] Counters counters() const;
  /// Bit i set: server i of the list (in priority order) is in hold-down.
  [[nodiscard]] std::uint32_t dead_mask(bool accounting, TimePoint now) const;
  [[nodiscard]] const Client* auth_client() const { return auth_.get(); }
  [[nodiscard]] const Client* acct_client() const { return acct_.get(); }

 private:
  Aaa(AaaSettings settings, const session::LocalSecrets& local) : settings_(std::move(settings)), local_(local), spool_(settings_.spool_dir) {}
  void count(AaaCounter c) { ++counters_[static_cast<std::size_t>(c)]; }

  AaaSettings settings_;
  const session::LocalSecrets& local_;
  std::unique_ptr<Client> auth_, acct_;
  /// Clients of an earlier configuration with requests still in flight (reconfigure).
  std::vector<std::unique_ptr<Client>> retiring_;
  /// Adds a retiring client's transport counters to counters_ before it goes.
  void fold_counters(const Client& c);
  Spool spool_;
  std::vector<std::string> replaying_;  ///< spool files in flight
  Counters counters_{};
  log::RateLimit log_limit_{5, 20};
};

}  // namespace pppoe::radius
