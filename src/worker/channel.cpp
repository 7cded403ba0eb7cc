#include "worker/channel.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <type_traits>

namespace pppoe::worker {

static_assert(std::is_trivially_copyable_v<Message>);

std::optional<std::pair<int, int>> Channel::make_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0) return std::nullopt;
  int size = 4 << 20;
  for (int fd : fds) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  }
  return std::pair{fds[0], fds[1]};
}

bool Channel::send(const Message& m) {
  if (!flush()) return false;
  return write_all(reinterpret_cast<const std::uint8_t*>(&m), sizeof m);
}

bool Channel::queue(const Message& m) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&m);
  tx_.insert(tx_.end(), p, p + sizeof m);
  return tx_.size() < 64 * sizeof m || flush();
}

bool Channel::flush() {
  if (tx_.empty()) return true;
  bool ok = write_all(tx_.data(), tx_.size());
  tx_.clear();
  return ok;
}

bool Channel::write_all(const std::uint8_t* p, std::size_t left) {
  while (left > 0) {
    ssize_t n = ::send(fd_, p, left, MSG_NOSIGNAL);
    if (n > 0) {
      p += n;
      left -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd pfd{fd_, POLLOUT, 0};
      if (::poll(&pfd, 1, 1000) <= 0) return false;  // a peer that reads nothing for 1 s is gone
      continue;
    }
    return false;
  }
  return true;
}

std::optional<Message> Channel::receive() {
  if (rx_.size() < sizeof(Message) && !closed_) {
    std::uint8_t buf[64 * sizeof(Message)];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        rx_.insert(rx_.end(), buf, buf + n);
        if (static_cast<std::size_t>(n) < sizeof buf) break;
        continue;
      }
      if (n == 0) closed_ = true;
      if (n < 0 && errno == EINTR) continue;
      break;
    }
  }
  if (rx_.size() < sizeof(Message)) return std::nullopt;
  Message m;
  std::memcpy(&m, rx_.data(), sizeof m);
  rx_.erase(rx_.begin(), rx_.begin() + sizeof m);
  return m;
}

}  // namespace pppoe::worker
