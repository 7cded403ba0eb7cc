// Runs a test body in a thread with its own network namespace (only that thread moves), whose
// loopback is up: packet sockets and BPF filters meet nothing else on the machine. Needs root.
#pragma once

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <thread>

namespace pppoe::testing {

/// False if the namespace cannot be made (not root); `body` has not run then.
inline bool in_private_netns(const std::function<void()>& body) {
  bool ok = false;
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) != 0) return;
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "lo");
    ::ioctl(s, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    ok = ::ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    ::close(s);
    if (ok) body();
  });
  t.join();
  return ok;
}

}  // namespace pppoe::testing
