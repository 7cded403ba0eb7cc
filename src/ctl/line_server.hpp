// The server side of the one-line request/response protocols (control socket, remote control)
// without ever blocking the caller. The master runs discovery and the workers' channels in the
// same event loop, so a client that connects and then sends nothing, or reads its answer slowly,
// must cost it nothing: every connection is non-blocking, read and written as its data moves,
// and closed after `idle_timeout` without progress. The listening socket and all connections
// sit in an epoll set of their own, whose descriptor the caller watches as one fd.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.hpp"

namespace pppoe::ctl {

class LineServer {
 public:
  struct Limits {
    std::size_t max_connections = 64;  ///< more are accepted and closed at once (counted)
    std::size_t max_request = 64 * 1024;
    std::chrono::milliseconds idle_timeout{5000};
  };
  /// Text sent on accept (a full line, or ""); it is also handed to the Handler as `greeting`,
  /// which is how the remote control knows the challenge it sent on that connection.
  using Greeter = std::function<std::string()>;
  /// Turns one request line into one response line (without '\n').
  using Handler = std::function<std::string(std::string_view line, const std::string& greeting)>;
  /// The answer to a request longer than max_request (without '\n').
  using Refusal = std::function<std::string()>;

  /// Takes ownership of `listen_fd` (non-blocking, listening).
  LineServer(int listen_fd, Limits limits);
  LineServer(LineServer&& o) noexcept;
  LineServer& operator=(LineServer&&) = delete;
  ~LineServer();

  /// The descriptor to watch for readability: ready whenever a connection or the listener is.
  [[nodiscard]] int fd() const { return epoll_fd_; }
  [[nodiscard]] int listen_fd() const { return listen_fd_; }
  /// Accepts, reads and writes whatever is ready, answers complete requests, closes connections
  /// that are done or idle for too long. Never blocks.
  void serve(const Greeter& greeter, const Handler& handler, const Refusal& too_long, TimePoint now);
  /// Closes connections idle for longer than idle_timeout (call it from a periodic tick: an idle
  /// connection makes no event).
  void expire(TimePoint now);
  /// In a forked child: closes every descriptor without touching the peers' state.
  void close_in_child();

  [[nodiscard]] std::size_t open_connections() const { return connections_.size(); }
  std::uint64_t refused_busy = 0;     ///< closed at once: max_connections reached
  std::uint64_t timed_out = 0;        ///< closed: no progress within idle_timeout
  std::uint64_t too_long = 0;         ///< requests over max_request

 private:
  struct Connection {
    std::string in;
    std::string out;
    std::string greeting;
    bool answered = false;
    bool want_write = false;
    TimePoint last_progress;
  };
  void accept_all(const Greeter& greeter, TimePoint now);
  void on_ready(int fd, Connection& c, const Handler& handler, const Refusal& refusal, TimePoint now);
  /// Sends what is buffered; false when the connection is finished (answered and flushed, or dead).
  bool flush(int fd, Connection& c, TimePoint now);
  void drop(int fd);

  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  Limits limits_;
  std::unordered_map<int, Connection> connections_;
};

}  // namespace pppoe::ctl
