// One pppoec profile: what a labelled section of ppp.conf (ppp(8)'s language, handbook sections
// 30.2-30.4) sets, after `default:` and then the named labels were applied in order.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/ipv4.hpp"
#include "common/mac.hpp"
#include "proto/ppp/ipcp.hpp"

namespace pppoe::pppoec {

enum class DeviceKind : std::uint8_t { kNone, kPppoe, kSerial };

struct Device {
  DeviceKind kind = DeviceKind::kNone;
  std::string interface;  ///< PPPoE: the Ethernet interface
  std::string service;    ///< PPPoE: the Service-Name asked for ("" = any)
  std::string tty;        ///< serial: the device path
};

/// ppp(8)'s two switches per option: `enable`/`disable` says whether we ask for it,
/// `accept`/`deny` whether we agree when the peer asks.
struct OptionSwitch {
  bool enabled = false;
  bool accepted = false;
};

/// `nat port PROTO ADDR:PORT ALIAS_PORT`: inbound ALIAS_PORT on the session's address goes to
/// ADDR:PORT behind us.
struct NatPort {
  std::string protocol;  ///< "tcp" or "udp"
  Ipv4Address address;
  std::uint16_t port = 0;
  std::uint16_t alias_port = 0;
};

struct Route {
  Ipv4Address destination;
  std::uint8_t bits = 0;  ///< 0 with destination 0: the default route
  bool replace = false;   ///< `add!`: replace an existing route
  bool ipv6 = false;      ///< `add default HISADDR6`: the IPv6 default route, once IPv6CP is up
};

/// `set pair ...` (ours, pppoec(8) "Redundant pair"): two routers share one PPPoE session; the
/// one keepalived makes MASTER speaks and streams the session to the other.
struct PairSettings {
  Ipv4Address listen;  ///< our sync address (TCP)
  std::uint16_t listen_port = 0;
  Ipv4Address peer;  ///< the other router's
  std::uint16_t peer_port = 0;
  std::string key;          ///< secret: never logged or shown
  std::string vrrp_fifo;    ///< keepalived's vrrp_notify_fifo
  std::string vrrp_name;    ///< the vrrp_sync_group (or vrrp_instance) followed
  unsigned interval_ms = 200;  ///< a record at least this often while the session is up
  unsigned line = 0;           ///< where the first `set pair` was (for errors about the whole)
  [[nodiscard]] bool enabled() const { return line != 0; }
};

struct Profile {
  std::vector<std::string> labels;  ///< the labels applied, `default` first when present
  Device device;
  unsigned speed = 0;  ///< serial: baud; 0 = leave as is
  bool sync = false;   ///< `set speed sync`: no async HDLC framing
  std::string authname;
  std::string authkey;  ///< secret: never logged or shown

  // set ifaddr LOCAL[/BITS] REMOTE[/BITS] [MASK [TRIGGER]]
  bool ifaddr_set = false;
  ppp::AddressRange local{Ipv4Address{}, 0};
  ppp::AddressRange remote{Ipv4Address{}, 0};
  Ipv4Address remote_last;  ///< `-direct` server: REMOTE as FIRST-LAST, the range handed out
  Ipv4Address netmask;
  Ipv4Address trigger;  ///< the address of our first IPCP request (ppp(8): 0 = LOCAL)

  std::uint16_t mtu = 0;  ///< 0 = default (1492 on PPPoE)
  bool mtu_max = false;
  std::uint16_t mru = 0;
  bool mru_max = false;

  unsigned idle_timeout = 180;  ///< `set timeout`: seconds without traffic, -auto mode; 0 = never
  unsigned reconnect_timeout = 3;  ///< `set reconnect`: seconds before redialling a lost link
  unsigned reconnect_tries = 0;    ///< ... how many times in -foreground (ppp(8)'s default 0; -ddial: always)
  unsigned redial_seconds = 30;    ///< `set redial`: seconds between dial attempts
  unsigned redial_increment = 0;
  unsigned redial_max = 300;       ///< cap of the back-off
  unsigned redial_attempts = 3;
  unsigned lqr_period = 30;        ///< seconds between LCP echoes (or LQRs)
  unsigned lqr_failures = 5;       ///< unanswered echoes before the link is declared dead

  OptionSwitch pap{false, true};
  OptionSwitch chap{false, true};
  OptionSwitch mschapv2{false, true};
  OptionSwitch dns{false, true};
  OptionSwitch lqr{false, true};
  OptionSwitch echo{true, true};
  OptionSwitch acfcomp{true, true};
  OptionSwitch protocomp{true, true};
  OptionSwitch fcs32{false, true};  ///< serial: RFC 1570 FCS-32 (a pppoec extension; ppp(8) has none)
  OptionSwitch ipv6cp{true, true};
  OptionSwitch ipcp{true, true};

  std::vector<Route> routes;  ///< `add default HISADDR` and friends, installed at link up
  Ipv4Address dns_primary, dns_secondary;  ///< `set dns`: what a -direct server offers

  std::string server_socket;    ///< `set server`: the control socket ("" = none)
  std::string server_password;  ///< secret
  unsigned server_mask = 0177;  ///< umask of the socket: 0177 = mode 0600

  bool nat = false;
  bool nat_deny_incoming = false;
  std::vector<NatPort> nat_ports;

  std::vector<std::string> allow_users;  ///< `allow users`: who may run this profile ("" = any)
  std::vector<std::string> dial;   ///< chat script words (serial only), chat.hpp
  std::vector<std::string> login;  ///< chat script words (serial only)
  std::string phone;               ///< `set phone`: \T in the dial script
  std::set<std::string> log;  ///< `set log`: phase, lcp, ipcp, chat, tun, command, ...

  std::string ifname = "ppp0";  ///< `iface name` / `set iface name`
  unsigned accmap = 0;          ///< serial: `set accmap`

  // PPPoE extensions (`set pppoe ...`, not in ppp(8); documented in pppoec(8)).
  std::string ac_name;                 ///< only an AC of this name (""  = the first to answer)
  std::optional<MacAddress> mac;       ///< the MAC we use on the wire (router pairs share one)
  bool nonstandard = false;            ///< 3Com HomeConnect ethertypes 0x3c12/0x3c13
  PairSettings pair;
};

}  // namespace pppoe::pppoec
