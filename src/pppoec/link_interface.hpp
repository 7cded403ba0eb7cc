// The session as the kernel sees it: the TUN's addresses and MTU, the profile's routes, the
// resolv.conf of `enable dns`, and the ppp.linkup / ppp.linkdown hooks (hooks.hpp). Shared by
// the PPPoE daemon and the serial one, so both bring a link up and down the same way.
#pragma once

#include <cstdint>
#include <string>

#include "dataplane/tun_device.hpp"
#include "pppoec/profile.hpp"
#include "pppoec/resolv_conf.hpp"

namespace pppoe::pppoec {

struct LinkAddresses {
  Ipv4Address local;
  Ipv4Address peer;
  ppp::NameServers name_servers;
  std::uint16_t mtu = 1492;
};

class LinkInterface {
 public:
  /// `conf_path`: ppp.conf, whose folder holds the hooks ("" = no hooks); `resolv_conf`: the
  /// file `enable dns` writes.
  LinkInterface(const Profile& profile, std::string conf_path, const std::string& resolv_conf, dataplane::TunDevice& tun);

  /// IPCP is up: addresses, MTU, routes, DNS, then ppp.linkup.
  void up(const LinkAddresses& a);
  /// The session ended: ppp.linkdown, resolv.conf restored; then either the interface goes down
  /// or, for dial on demand, gets the configured addresses back (configure_for_demand).
  void down(bool for_demand);
  /// -auto: the interface with `set ifaddr`'s addresses and the routes, before any session.
  void configure_for_demand(std::uint16_t mtu);
  /// Adds the IPv6CP link-local address (RFC 5072 section 5) and the IPv6 routes, at once or,
  /// when IPv6CP opened before IPCP, as soon as up() configured the interface.
  void add_link_local(std::uint64_t interface_id);
  [[nodiscard]] bool configured() const { return configured_; }
  /// Configured with exactly these addresses and MTU (a pair's BACKUP configured it from the
  /// MASTER's record; taking over must not run ppp.linkup twice).
  [[nodiscard]] bool holds(const LinkAddresses& a) const {
    return configured_ && current_.local == a.local && current_.peer == a.peer && current_.mtu == a.mtu;
  }

 private:
  void add_routes();
  void run_hooks(const char* file_name);

  const Profile& profile_;
  std::string conf_path_;
  dataplane::TunDevice& tun_;
  ResolvConf resolv_;
  LinkAddresses current_;
  bool configured_ = false;
  std::uint64_t link_local_id_ = 0;  ///< IPv6CP's, once it is up (0: not)
  bool link_local_added_ = false;
};

}  // namespace pppoe::pppoec
