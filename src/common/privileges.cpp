#include "common/privileges.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace pppoe {
namespace {
bool capget_v3(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return ::syscall(SYS_capget, &header, data) == 0;
}
}  // namespace

std::expected<void, std::string> keep_only_capabilities(const std::vector<int>& keep) {
  std::uint64_t mask = 0;
  for (int cap : keep) mask |= std::uint64_t{1} << cap;
  // The bounding set first: dropping from it needs CAP_SETPCAP, which goes next.
  for (int cap = 0; cap <= 63; ++cap) {
    if ((mask & (std::uint64_t{1} << cap)) != 0) continue;
    if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1) continue;  // unknown to this kernel, or gone
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
      return std::unexpected(fmt::format("cannot drop capability {} from the bounding set: {}", cap, std::strerror(errno)));
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  for (int i = 0; i < 2; ++i) {
    auto part = static_cast<std::uint32_t>(mask >> (32 * i));
    data[i].effective = part;
    data[i].permitted = part;
    data[i].inheritable = 0;
  }
  if (::syscall(SYS_capset, &header, data) != 0)
    return std::unexpected(fmt::format("capset: {}", std::strerror(errno)));
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return std::unexpected(fmt::format("no_new_privs: {}", std::strerror(errno)));
  return {};
}

std::uint64_t effective_capabilities() {
  __user_cap_data_struct data[2]{};
  if (!capget_v3(data)) return 0;
  return std::uint64_t{data[0].effective} | (std::uint64_t{data[1].effective} << 32);
}

}  // namespace pppoe
