#include "master/routed_interface.hpp"

#include "common/log.hpp"

namespace pppoe::master {

std::expected<RoutedInterface, std::string> RoutedInterface::open(const Config& config, int mtu) {
  RoutedInterface r;
  if (config.routed_veth()) {
    auto veth = dataplane::VethPair::open(config.tun_name, mtu);
    if (!veth) return std::unexpected(veth.error());
    r.veth_.emplace(std::move(*veth));
    return r;
  }
  auto tun = dataplane::TunDevice::open(config.tun_name);
  if (!tun) return std::unexpected(tun.error());
  // The master keeps the device but reads nothing from it: the workers' queues carry traffic.
  if (auto d = tun->detach_queue(); !d) return std::unexpected(d.error());
  r.tun_.emplace(std::move(*tun));
  return r;
}

void RoutedInterface::remove() {
  if (!veth_) return;
  if (auto r = veth_->remove(); !r) log::warn("{}", r.error());
}

}  // namespace pppoe::master
