// A descriptor closed at the end of its scope: the short-lived sockets of ioctl and netlink
// requests.
#pragma once

#include <unistd.h>

namespace pppoe {

struct ScopedFd {
  int fd;
  explicit ScopedFd(int f) : fd(f) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace pppoe
