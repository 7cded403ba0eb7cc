// Least privilege for a daemon that starts as root: once its sockets, TUN device and BPF map
// exist, pppoed keeps only the capabilities it still needs at run time (new workers open a
// packet socket and a TUN queue and load their dispatch filter; the master adds host routes)
// and gives up every other one for good: effective, permitted, inheritable and bounding sets,
// plus no_new_privs, so nothing it could execute gets more.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace pppoe {

/// Keeps exactly `keep` (CAP_* numbers) and drops the rest. Fails without changing anything
/// only if the kernel refuses; then the caller decides whether to go on.
std::expected<void, std::string> keep_only_capabilities(const std::vector<int>& keep);

/// The effective capability set of this process (for logs and tests).
std::uint64_t effective_capabilities();

}  // namespace pppoe
