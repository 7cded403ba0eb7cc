// Remote read-only access to the control protocol for `pppoetest -h HOST` (handbook
// 30.6.11.14.4). Off unless pppoed's config sets `remote-control PORT` and `remote-secret`.
//
//   server -> client: {"challenge": "<32 hex digits>"}
//   client -> server: {"auth": HMAC-SHA256(secret, challenge) in hex, "request": {...}}
//   server -> client: the response, or {"ok": false, "error": "authentication failed"}
//
// The secret never crosses the wire; a fresh challenge per connection stops replays. Only
// read-only requests are served (show, sysctl reads, msg show*).
#pragma once

#include <expected>
#include <functional>
#include <string>

#include "ctl/control_socket.hpp"

namespace pppoe::ctl {

class RemoteControlServer {
 public:
  static std::expected<RemoteControlServer, std::string> listen(std::uint16_t port, std::string secret);
  RemoteControlServer(RemoteControlServer&& o) noexcept : fd_(o.fd_), secret_(std::move(o.secret_)) { o.fd_ = -1; }
  RemoteControlServer& operator=(RemoteControlServer&&) = delete;
  ~RemoteControlServer();

  [[nodiscard]] int fd() const { return fd_; }
  /// Serves every pending connection; `handler` sees only authenticated read-only requests.
  void serve(const ControlServer::Handler& handler);
  std::uint64_t auth_failures = 0;

 private:
  RemoteControlServer() = default;
  int fd_ = -1;
  std::string secret_;
};

/// True for requests that change nothing.
bool is_read_only(const Json& request);

/// Client side: connects, answers the challenge with `secret`, sends `req`. Errors: "timeout",
/// "authentication failed", or a connection message.
std::expected<Json, std::string> remote_request(const std::string& host, std::uint16_t port, const std::string& secret,
                                                const Json& req, int timeout_ms);

}  // namespace pppoe::ctl
