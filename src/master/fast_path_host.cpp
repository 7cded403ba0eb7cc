// The master's part of the kernel fast path (operator guide "Kernel fast path (eBPF)"): load the programs and
// attach them before the first worker is forked (the workers inherit the map descriptors), and
// what `pppoectl show session` says of a session's kernel path.
#include "common/log.hpp"
#include "master/server.hpp"

namespace pppoe::master {

void Server::open_fast_path() {
  if (!config_.fast_path) return;
  // Said once, with the reason; the userland path carries everything then, as with
  // `fast-path no`: never a wrong result, only a slower one.
  auto unavailable = [](const std::string& why) {
    log::warn("fast path unavailable: {}; every packet takes the userland path", why);
  };
  if (config_.nonstandard_ethertypes) return unavailable("its programs know the standard ethertypes only (RFC 2516)");
  const dataplane::VethPair* veth = routed_.veth();
  if (veth == nullptr) return unavailable(fmt::format("{} is not a veth pair", routed_.name()));
  auto fp = dataplane::FastPath::load();
  if (!fp) return unavailable(fp.error());
  auto owned = std::make_unique<dataplane::FastPath>(std::move(*fp));
  const dataplane::FastPathRouted to{static_cast<std::uint32_t>(veth->peer_ifindex()), veth->routed_mac()};
  // TC first: the session map is empty until a worker fills it, so neither forwards before both are there.
  if (auto r = owned->attach_down(static_cast<std::uint32_t>(veth->routed_ifindex())); !r) return unavailable(r.error());
  if (auto r = owned->attach_up(static_cast<std::uint32_t>(socket_.ifindex()), to); !r) return unavailable(r.error());
  log::info("fast path: XDP on {} into {} (veth with {}), TC on {}: sessions' IPv4 and IPv6 forwarded in the kernel",
            config_.interface, veth->peer(), routed_.name(), routed_.name());
  fast_path_ = std::move(owned);
  pool_.set_fast_path(fast_path_.get());
}

ctl::Json Server::fast_path_json(std::uint16_t sid, const dataplane::SessionRecord& r) const {
  ctl::Json j = {{"state", dataplane::to_string(r.fast_path)}};
  if (!fast_path_ || r.fast_path != dataplane::FastPathState::kForwarded) return j;
  // Live from the kernel's maps; the session's own counters take these in every few seconds.
  const auto ifindex = static_cast<std::uint32_t>(socket_.ifindex());
  if (auto up = fast_path_->counters(ifindex, sid))
    j["kernel_up"] = {{"packets", up->packets}, {"octets", up->octets}, {"dropped_foreign_mac", up->foreign_mac},
                      {"dropped_spoofed", up->spoofed}};
  if (auto down = fast_path_->down_counters(ifindex, sid)) j["kernel_down"] = {{"packets", down->packets}, {"octets", down->octets}};
  return j;
}

}  // namespace pppoe::master
