#include "ctl/line_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <vector>

namespace pppoe::ctl {

LineServer::LineServer(int listen_fd, Limits limits) : listen_fd_(listen_fd), limits_(limits) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
}

LineServer::LineServer(LineServer&& o) noexcept
    : listen_fd_(o.listen_fd_), epoll_fd_(o.epoll_fd_), limits_(o.limits_), connections_(std::move(o.connections_)) {
  o.listen_fd_ = o.epoll_fd_ = -1;
  o.connections_.clear();
}

LineServer::~LineServer() {
  for (const auto& [fd, c] : connections_) ::close(fd);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void LineServer::close_in_child() {
  for (const auto& [fd, c] : connections_) ::close(fd);
  connections_.clear();
  ::close(epoll_fd_);
  ::close(listen_fd_);
  epoll_fd_ = listen_fd_ = -1;
}

void LineServer::drop(int fd) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  connections_.erase(fd);
}

void LineServer::accept_all(const Greeter& greeter, TimePoint now) {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (connections_.size() >= limits_.max_connections) {
      ++refused_busy;
      ::close(fd);
      continue;
    }
    Connection& c = connections_[fd];
    c.last_progress = now;
    if (greeter) c.greeting = greeter();
    c.out = c.greeting;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    if (!flush(fd, c, now)) drop(fd);
  }
}

bool LineServer::flush(int fd, Connection& c, TimePoint now) {
  while (!c.out.empty()) {
    ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) return false;
    c.out.erase(0, static_cast<std::size_t>(n));
    c.last_progress = now;
  }
  if (c.out.empty() && c.answered) return false;
  // Once answered, only writability matters: input after the request is ignored, and watching
  // it level-triggered would spin.
  bool want_write = !c.out.empty();
  std::uint32_t events = (c.answered ? 0U : static_cast<std::uint32_t>(EPOLLIN)) | (want_write ? EPOLLOUT : 0U);
  if (want_write != c.want_write || c.answered) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
    c.want_write = want_write;
  }
  return true;
}

void LineServer::on_ready(int fd, Connection& c, const Handler& handler, const Refusal& refusal, TimePoint now) {
  if (!c.answered) {
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {  // the peer left (or failed) before a whole request: nothing to answer
        drop(fd);
        return;
      }
      c.last_progress = now;
      std::size_t old = c.in.size();
      c.in.append(buf, static_cast<std::size_t>(n));
      if (auto nl = c.in.find('\n', old); nl != std::string::npos) {
        c.in.resize(nl);
        c.out += handler(c.in, c.greeting) + "\n";
        c.answered = true;
        break;
      }
      if (c.in.size() > limits_.max_request) {
        ++too_long;
        c.out += refusal() + "\n";
        c.answered = true;
        break;
      }
    }
    if (c.answered) std::string().swap(c.in);
  }
  if (!flush(fd, c, now)) drop(fd);
}

void LineServer::serve(const Greeter& greeter, const Handler& handler, const Refusal& refusal, TimePoint now) {
  std::array<epoll_event, 64> events{};
  int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 0);
  for (int i = 0; i < n; ++i) {
    int fd = events[static_cast<std::size_t>(i)].data.fd;
    if (fd == listen_fd_) {
      accept_all(greeter, now);
      continue;
    }
    auto it = connections_.find(fd);
    if (it != connections_.end()) on_ready(fd, it->second, handler, refusal, now);
  }
  expire(now);
}

void LineServer::expire(TimePoint now) {
  std::vector<int> stale;
  for (const auto& [fd, c] : connections_)
    if (now - c.last_progress > limits_.idle_timeout) stale.push_back(fd);
  for (int fd : stale) {
    ++timed_out;
    drop(fd);
  }
}

}  // namespace pppoe::ctl
