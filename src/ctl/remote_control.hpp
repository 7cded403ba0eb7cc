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
#include <optional>
#include <string>

#include "ctl/control_socket.hpp"

namespace pppoe::ctl {

class RemoteControlServer {
 public:
  static std::expected<RemoteControlServer, std::string> listen(std::uint16_t port, std::string secret);
  RemoteControlServer(RemoteControlServer&&) noexcept = default;
  RemoteControlServer& operator=(RemoteControlServer&&) = delete;

  /// Ready when a connection needs service (see LineServer: nothing here ever blocks, so a
  /// remote client that connects and stays silent costs the master nothing).
  [[nodiscard]] int fd() const { return lines_->fd(); }
  /// Serves whatever is ready; `handler` sees only authenticated read-only requests.
  void serve(const ControlServer::Handler& handler, TimePoint now);
  void expire(TimePoint now) { lines_->expire(now); }
  void close_in_child() { lines_->close_in_child(); }
  [[nodiscard]] const LineServer& lines() const { return *lines_; }
  std::uint64_t auth_failures = 0;

 private:
  RemoteControlServer() = default;
  std::string answer(std::string_view line, const std::string& greeting, const ControlServer::Handler& handler);
  std::optional<LineServer> lines_;
  std::string secret_;
};

/// True for requests that change nothing.
bool is_read_only(const Json& request);

/// Client side: connects, answers the challenge with `secret`, sends `req`. Errors: "timeout",
/// "authentication failed", or a connection message.
std::expected<Json, std::string> remote_request(const std::string& host, std::uint16_t port, const std::string& secret,
                                                const Json& req, int timeout_ms);

}  // namespace pppoe::ctl
