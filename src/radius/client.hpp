// An asynchronous RADIUS client for one event loop: requests go out on non-blocking UDP
// sockets (one connected socket per server, so replies can only come from that server) and
// their answers come back through callbacks. Nothing ever blocks: a slow or dead server costs
// the waiting requests their timeouts, never the other sessions of the worker.
//
//   - servers in priority order (lower first); a server that lets a request time out after
//     all its retries is "dead" for `dead_time` and skipped while another one is alive
//     (RFC 5080 section 2.2 on retransmission; hold-down as in accel-ppp and mpd5)
//   - retransmissions reuse the same Identifier and bytes; a failover builds a new request
//     (new Identifier, authenticator, and Acct-Delay-Time, RFC 2866 section 5.2)
//   - at most `max_outstanding` requests in flight (and 1024 per server: 4 source ports x 256
//     Identifiers); more wait in a bounded backlog, in order
//   - every response is checked against its request: Response Authenticator, and a
//     Message-Authenticator required on Access-Accept/Reject/Challenge (RFC 3579, Blast-RADIUS)
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "radius/crypto.hpp"

namespace pppoe::radius {

struct ServerConfig {
  std::string host;  ///< IPv4 address
  std::uint16_t port = 0;
  std::string secret;
  unsigned priority = 1;  ///< lower is tried first
};

struct ClientSettings {
  Duration timeout = seconds(3);     ///< per transmission
  unsigned tries = 3;                ///< transmissions to one server before failing over
  Duration dead_time = seconds(30);  ///< hold-down of a server that did not answer
  std::size_t max_outstanding = 255;
  std::size_t max_backlog = 16384;
  bool require_message_authenticator = true;  ///< on Access-* responses
};

/// One server's share (for metrics): what was sent to it and how long its answers took, from
/// the first transmission to it to the verified response.
struct ServerStats {
  /// Upper bounds of the latency buckets (Prometheus `le`), milliseconds; one more for the rest.
  static constexpr std::array<std::uint32_t, 10> kLatencyBoundsMs{5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};
  std::uint64_t requests = 0, retransmits = 0, timeouts = 0, responses = 0;
  std::array<std::uint64_t, kLatencyBoundsMs.size() + 1> latency{};  ///< responses per bucket (not cumulative)
  std::uint64_t latency_sum_us = 0;
  void add_latency(Duration d);
};

struct ClientCounters {
  std::uint64_t requests = 0;       ///< first transmissions (each failover counts again)
  std::uint64_t retransmits = 0;
  std::uint64_t timeouts = 0;       ///< a server let a request run out of tries
  std::uint64_t responses = 0;      ///< valid responses
  std::uint64_t invalid = 0;        ///< responses dropped: malformed, bad authenticators, unknown Id
  std::uint64_t failed = 0;         ///< requests no server answered
  std::uint64_t backlog_full = 0;   ///< requests refused at once: backlog full
};

/// One request: attributes already encoded; the User-Password is hidden per server because
/// the hiding depends on the secret (RFC 2865 section 5.2).
struct Request {
  Code code = Code::kAccessRequest;
  std::vector<std::uint8_t> attributes;
  std::optional<std::string> password;  ///< PAP only; never logged
  bool delay_time = false;     ///< add Acct-Delay-Time (accounting)
  std::uint32_t delay_base = 0;  ///< seconds already waited elsewhere (spooled records)
};

/// A verified response, with what is needed to decrypt its hidden attributes.
struct Response {
  const PacketView& packet;
  const Authenticator& request_auth;
  std::string_view secret;
};

class Client {
 public:
  /// Null when no server answered (after every server's tries) or the backlog was full.
  using Done = std::function<void(const Response* reply)>;

  static std::expected<Client, std::string> open(std::string name, std::vector<ServerConfig> servers,
                                                 ClientSettings settings);
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  void submit(Request request, Done done, TimePoint now);
  /// A socket of ours is readable.
  void on_readable(int fd, TimePoint now);
  /// Retransmissions and timeouts; call at least every 100 ms.
  void tick(TimePoint now);
  /// Gives up on every request now (process exit): their callbacks see no reply.
  void fail_all();

  [[nodiscard]] std::vector<int> fds() const;
  [[nodiscard]] bool owns(int fd) const;
  [[nodiscard]] std::size_t outstanding() const { return outstanding_; }
  [[nodiscard]] std::size_t backlog() const { return backlog_.size(); }
  [[nodiscard]] const ClientCounters& counters() const { return counters_; }
  [[nodiscard]] std::size_t server_count() const { return servers_.size(); }
  [[nodiscard]] const ServerConfig& server(std::size_t i) const;
  [[nodiscard]] bool server_alive(std::size_t i, TimePoint now) const;
  [[nodiscard]] const ServerStats& server_stats(std::size_t i) const;
  /// Requests sent to server `i` and not answered yet.
  [[nodiscard]] std::size_t server_in_flight(std::size_t i) const;
  /// Servers this client shares with `before` (same address and port) go on counting in its
  /// figures (a reload rebuilds the clients).
  void continue_stats_of(const Client& before);

 private:
  struct Pending;
  struct Server;
  Client() = default;
  /// Sends `p` to the best server it has not tried; false if none is left.
  bool transmit_new(std::unique_ptr<Pending> p, TimePoint now);
  void finish(std::unique_ptr<Pending> p, const Response* reply);
  void drain_backlog(TimePoint now);

  std::string name_;
  ClientSettings settings_;
  std::vector<std::unique_ptr<Server>> servers_;  ///< sorted by priority
  std::deque<std::unique_ptr<Pending>> backlog_;
  std::size_t outstanding_ = 0;
  ClientCounters counters_;
  std::unique_ptr<log::RateLimit> log_limit_;
};

}  // namespace pppoe::radius
