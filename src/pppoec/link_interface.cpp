#include "pppoec/link_interface.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/log.hpp"
#include "pppoec/hooks.hpp"
#include "proto/ip.hpp"

namespace pppoe::pppoec {

LinkInterface::LinkInterface(const Profile& profile, std::string conf_path, const std::string& resolv_conf,
                             dataplane::TunDevice& tun)
    : profile_(profile),
      conf_path_(std::move(conf_path)),
      tun_(tun),
      resolv_(profile.dns.enabled ? resolv_conf : std::string()) {}

void LinkInterface::add_routes() {
  for (const Route& route : profile_.routes)
    if (!route.ipv6)
      if (auto r = tun_.add_route(route.destination, route.bits); !r) log::warn("{}", r.error());
}

void LinkInterface::up(const LinkAddresses& a) {
  current_ = a;
  if (auto r = tun_.configure(a.local, a.mtu); !r) log::error("{}", r.error());
  if (auto r = tun_.set_peer_address(a.peer); !r) log::error("{}", r.error());
  add_routes();
  if (profile_.dns.enabled) {
    if (a.name_servers.dns1.is_zero() && a.name_servers.dns2.is_zero())
      log::warn("{}: enable dns, but the peer gave no DNS server", profile_.ifname);
    else if (auto r = resolv_.apply(a.name_servers); !r)
      log::warn("{}", r.error());
  }
  configured_ = true;
  link_local_added_ = false;
  if (link_local_id_ != 0) add_link_local(link_local_id_);
  run_hooks("ppp.linkup");
}

void LinkInterface::down(bool for_demand) {
  link_local_id_ = 0;
  link_local_added_ = false;
  if (!configured_) return;
  configured_ = false;
  run_hooks("ppp.linkdown");
  if (auto r = resolv_.restore(); !r) log::warn("{}", r.error());
  if (for_demand) {
    configure_for_demand(current_.mtu);
    return;
  }
  if (auto r = tun_.set_down(); !r) log::warn("{}", r.error());
}

void LinkInterface::configure_for_demand(std::uint16_t mtu) {
  if (profile_.local.base.is_zero()) {
    // A wildcard local address (pppoe(4)'s NONE, ppp(8)'s 0.0.0.0): up without an address, so
    // that routes through the interface exist and the first packet dials.
    if (auto r = tun_.set_up(mtu); !r) log::error("{}", r.error());
  } else {
    if (auto r = tun_.configure(profile_.local.base, mtu); !r) log::error("{}", r.error());
    if (!profile_.remote.base.is_zero())
      if (auto r = tun_.set_peer_address(profile_.remote.base); !r) log::error("{}", r.error());
  }
  add_routes();
}

void LinkInterface::add_link_local(std::uint64_t interface_id) {
  // IPv6CP may open before IPCP: the address waits until the interface is up.
  if (link_local_added_ && link_local_id_ == interface_id && configured_) return;
  link_local_id_ = interface_id;
  link_local_added_ = false;
  if (!configured_) return;
  link_local_added_ = true;
  if (auto r = tun_.add_ipv6_address(ip::link_local(interface_id), 64); !r) log::warn("{}", r.error());
  // IPv6 routes need the interface's IPv6 side, which exists from here on.
  for (const Route& route : profile_.routes)
    if (route.ipv6)
      if (auto r = tun_.add_ipv6_default_route(); !r) log::warn("{}", r.error());
}

void LinkInterface::run_hooks(const char* file_name) {
  if (conf_path_.empty()) return;
  auto path = std::filesystem::path(conf_path_).parent_path() / file_name;
  std::ifstream in(path);
  if (!in) return;
  std::ostringstream text;
  text << in.rdbuf();
  std::map<std::string, std::string> vars = {
      {"HISADDR", current_.peer.to_string()},
      {"MYADDR", current_.local.to_string()},
      {"DNS0", current_.name_servers.dns1.to_string()},
      {"DNS1", current_.name_servers.dns2.to_string()},
      {"INTERFACE", profile_.ifname},
      {"USER", profile_.authname},
      {"LABEL", profile_.labels.empty() ? std::string() : profile_.labels.back()}};
  auto actions = hook_actions(text.str(), path.string(), profile_.labels, vars);
  if (!actions) {
    log::error("{}", actions.error().to_string());
    return;
  }
  for (const HookAction& a : *actions) {
    switch (a.kind) {
      case HookAction::Kind::kAddRoute:
        if (auto r = tun_.add_route(a.route.destination, a.route.bits); !r) log::warn("{}:{}: {}", path.string(), a.line, r.error());
        break;
      case HookAction::Kind::kDeleteRoute:
        if (auto r = tun_.delete_route(a.route.destination, a.route.bits); !r)
          log::warn("{}:{}: {}", path.string(), a.line, r.error());
        break;
      case HookAction::Kind::kRun:
      case HookAction::Kind::kRunBackground: {
        auto rc = run_program(a.argv, a.kind == HookAction::Kind::kRunBackground, 10);
        if (!rc)
          log::warn("{}:{}: {}", path.string(), a.line, rc.error());
        else if (*rc != 0)
          log::warn("{}:{}: {} exited with {}", path.string(), a.line, a.argv[0], *rc);
        break;
      }
    }
  }
}

}  // namespace pppoe::pppoec
