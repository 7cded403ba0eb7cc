// The metrics endpoint (`metrics-listen ADDRESS:PORT`): cpp-httplib serves HTTP on a thread of
// its own; each scrape is handed to the master's event loop (an eventfd), which renders the
// text between two turns and hands it back. So the master's data is only ever read on its own
// thread, and a scrape costs the loop one render, whatever the session count.
#pragma once

#include <chrono>
#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/endpoint.hpp"
#include "metrics/exposition.hpp"

namespace httplib {
class Server;
}

namespace pppoe::metrics {

class HttpEndpoint {
 public:
  using Render = std::function<std::string(Format)>;
  /// Binds `listen` and starts serving; the error says why not (address in use, ...).
  static std::expected<std::unique_ptr<HttpEndpoint>, std::string> start(SocketEndpoint listen);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  /// Readable when scrapes wait for the master.
  [[nodiscard]] int fd() const { return event_fd_; }
  /// The master's loop: renders every waiting scrape.
  void serve(const Render& render);
  /// In a forked worker: its copies of the sockets closed (the thread does not exist there).
  void close_in_child() const;
  [[nodiscard]] std::uint64_t scrapes() const { return scrapes_; }
  /// How long the previous render took (the master's cost of a scrape).
  [[nodiscard]] std::chrono::nanoseconds last_render() const { return last_render_; }

 private:
  struct Scrape;
  HttpEndpoint() = default;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int event_fd_ = -1;
  SocketEndpoint listen_;
  std::mutex mutex_;
  std::deque<std::shared_ptr<Scrape>> waiting_;
  std::uint64_t scrapes_ = 0;
  std::chrono::nanoseconds last_render_{};
};

}  // namespace pppoe::metrics
