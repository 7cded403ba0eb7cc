#include "dataplane/tun_device.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pppoe::dataplane {
std::expected<TunDevice, std::string> TunDevice::open(const std::string& name) {
  TunDevice t;
  t.fd_ = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (t.fd_ < 0) return std::unexpected(fmt::format("/dev/net/tun: {}", std::strerror(errno)));
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE;
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(t.fd_, TUNSETIFF, &ifr) < 0)
    return std::unexpected(fmt::format("TUNSETIFF {}: {}", name, std::strerror(errno)));
  t.name_ = ifr.ifr_name;
  return t;
}

std::expected<void, std::string> TunDevice::detach_queue() {
  ifreq ifr{};
  ifr.ifr_flags = IFF_DETACH_QUEUE;
  if (::ioctl(fd_, TUNSETQUEUE, &ifr) < 0)
    return std::unexpected(fmt::format("{}: detach queue: {}", name_, std::strerror(errno)));
  return {};
}

TunDevice::~TunDevice() {
  if (fd_ >= 0) ::close(fd_);
}

std::expected<void, std::string> TunDevice::set_persistent(bool persistent) {
  if (::ioctl(fd_, TUNSETPERSIST, persistent ? 1UL : 0UL) < 0)
    return std::unexpected(fmt::format("{}: TUNSETPERSIST: {}", name_, std::strerror(errno)));
  return {};
}

}  // namespace pppoe::dataplane
