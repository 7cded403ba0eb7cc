// pppoed configuration: built-in defaults, then the config file, then command-line options.
//
// File format: one setting per line, `name value...`, '#' starts a comment, values may be
// double-quoted. See etc/pppoed.conf for every setting with its default. Errors name the file,
// the line and what was expected.
#pragma once

#include "proto/pppoe.hpp"

#include <chrono>
#include <map>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "common/endpoint.hpp"
#include "common/ipv4.hpp"
#include "common/log.hpp"
#include "proto/ppp/ipcp.hpp"
#include "proto/ppp/lcp.hpp"
#include "master/discovery_guard.hpp"
#include "master/ipv6_service.hpp"
#include "master/service_policy.hpp"
#include "session/address_pool.hpp"

namespace pppoe::master {

/// A named address pool, chosen by RADIUS Framed-Pool.
struct NamedPool {
  std::string name;
  std::vector<session::AddressRange> ranges;
};

struct RadiusServer {
  Ipv4Address address;
  std::uint16_t port = 0;
  std::string secret;
  unsigned priority = 1;
};

/// RADIUS AAA (RFC 2865/2866/5176). Off while no authentication server is configured.
struct RadiusConfig {
  std::vector<RadiusServer> auth_servers;
  std::vector<RadiusServer> acct_servers;
  unsigned timeout = 3;           ///< seconds per transmission
  unsigned retries = 3;           ///< transmissions per server before failing over
  unsigned dead_time = 30;        ///< seconds a silent server is skipped
  unsigned max_outstanding = 255; ///< requests in flight per worker and kind
  bool require_message_authenticator = true;
  std::string nas_identifier;     ///< empty: ac-name
  std::optional<Ipv4Address> nas_ip;
  bool nas_port_type_virtual = false;
  unsigned interim_interval = 0;  ///< seconds; 0 = none unless the server sends one
  std::string acct_spool = "/var/spool/pppoed/acct";
  bool fallback_local = false;    ///< ppp.secret when no server answers
  /// Dynamic authorization (RFC 5176): listen address and port (port 0 = off), allowed clients.
  Ipv4Address dae_address;
  unsigned dae_port = 0;
  std::vector<std::pair<Ipv4Address, std::string>> dae_clients;

  [[nodiscard]] bool enabled() const { return !auth_servers.empty(); }
};

/// Where the LAC sends the sessions of a realm (issue 20; RFC 2661): one or more LNSs tried by
/// preference (the order given), and how our end of each tunnel presents itself.
struct L2tpTunnelProfile {
  std::string name;
  std::vector<SocketEndpoint> lns;  ///< by preference
  std::string secret;               ///< tunnel authentication (section 5.1.1); empty: none
  /// RADIUS tunnels (RFC 2868): a Tunnel-Password per LNS; empty entries use `secret`.
  std::vector<std::string> lns_secret;
  std::string host_name;            ///< our Host Name AVP; empty: ac-name
  SocketEndpoint source{Ipv4Address{}, 1701};  ///< our address (0.0.0.0: any) and UDP port
  unsigned hold_down = 60;          ///< seconds an LNS that failed is skipped
  unsigned hello_interval = 60;     ///< seconds without traffic before a HELLO (section 6.5)
  /// Seconds an LNS has to answer the SCCRQ before it is held down and the next one is tried
  /// (the retransmissions alone would take 31 s, longer than a subscriber's PPP waits).
  unsigned connect_timeout = 10;
  std::string assignment_id;        ///< RADIUS tunnels: Tunnel-Assignment-Id (for accounting)
};

/// A LAC the LNS accepts tunnels from (issue 20): matched on its Host Name AVP and/or source
/// address; a peer with neither ("l2tp-lac default ...") matches any LAC.
struct L2tpLacPeer {
  std::string name;
  std::string host_name;               ///< empty: any
  std::optional<Ipv4Address> address;  ///< empty: any
  std::string secret;                  ///< tunnel authentication; empty: none
  unsigned hello_interval = 60;
};

/// LNS: what to do with the Proxy LCP and Proxy Authentication a LAC sends in ICCN.
enum class ProxyLcpPolicy : std::uint8_t { kAccept, kRenegotiate };

/// The standby pair (operator guide "High availability", the standby box): keepalived says who
/// is MASTER; the MASTER streams its sessions to the BACKUP over an authenticated TCP channel.
struct StandbyConfig {
  [[nodiscard]] bool enabled() const { return peer.port != 0; }
  SocketEndpoint listen;      ///< standby-listen: where the peer's stream comes in
  SocketEndpoint peer;        ///< standby-peer: the peer's standby-listen
  std::string key;            ///< standby-key: secret, never logged
  std::string vrrp_fifo;      ///< standby-vrrp FIFO NAME: keepalived's vrrp_notify_fifo
  std::string vrrp_name;      ///<   and the instance or sync group to follow
  std::string ready_file;     ///< standby-ready-file: keepalived's track_file ("" = /run/pppoed/IFACE.ready)
  char side = 0;              ///< standby-side a|b: the half of IDs and pools taken while the peer is unconfirmed
  unsigned sync_interval_ms = 1000;  ///< standby-sync-interval: a changed record goes again at most this often
  unsigned stale_after = 10;  ///< standby-stale-after: seconds without the MASTER's stream before "not ready"
};

struct L2tpConfig {
  std::vector<L2tpTunnelProfile> tunnels;
  /// "user@REALM" -> tunnel profile name, matched on the text after the last '@'.
  std::vector<std::pair<std::string, std::string>> realms;
  [[nodiscard]] const L2tpTunnelProfile* profile(std::string_view name) const {
    for (const auto& t : tunnels)
      if (t.name == name) return &t;
    return nullptr;
  }
  /// The profile for `user`'s realm, if one is configured.
  [[nodiscard]] const L2tpTunnelProfile* profile_for_user(std::string_view user) const;
  /// Access-Accepts with RFC 2868 Tunnel-* attributes switch their sessions into L2TP.
  bool radius_tunnels = false;
  [[nodiscard]] bool lac() const { return !realms.empty() || radius_tunnels; }
  /// The source of RADIUS-chosen tunnels when Tunnel-Client-Endpoint names none of ours.
  static constexpr SocketEndpoint kDefaultSource{Ipv4Address{}, 1701};

  // --- LNS ---
  std::vector<SocketEndpoint> listen;  ///< where SCCRQs are taken; empty: no LNS
  /// LACs allowed to open tunnels, first match wins; none configured: any LAC, unauthenticated.
  std::vector<L2tpLacPeer> lacs;
  /// Accept the LAC's LCP and authentication when consistent with ours (else renegotiate).
  ProxyLcpPolicy proxy_lcp = ProxyLcpPolicy::kAccept;
  [[nodiscard]] bool lns() const { return !listen.empty(); }
  /// The configured LAC a tunnel from `from` calling itself `host_name` belongs to.
  [[nodiscard]] const L2tpLacPeer* lac_peer(Ipv4Address from, std::string_view host_name) const;
};

struct Config {
  std::string interface;
  std::string ac_name = "pppoed";
  std::vector<std::string> service_names;  ///< empty list: any service is offered
  bool accept_empty_service = true;
  Ipv4Address local_ip{0x0a000001};  // 10.0.0.1
  std::vector<session::AddressRange> pool{{Ipv4Address{0x0a00000a}, Ipv4Address{0x0a00fffe}}};
  ppp::NameServers name_servers;
  std::string secrets_file;
  std::vector<ppp::AuthMethod> auth{ppp::AuthMethod::kMsChapV2, ppp::AuthMethod::kChapMd5, ppp::AuthMethod::kPap};
  std::uint16_t mru = 1492;
  std::uint16_t max_payload = 0;  ///< RFC 4638: above 1492 when the interface MTU allows; 0 = off
  /// 3Com HomeConnect "nonstandard PPPoE" (handbook 30.4.2): ethertypes 0x3c12/0x3c13.
  bool nonstandard_ethertypes = false;
  [[nodiscard]] pppoe_proto::EtherTypes ether_types() const {
    return nonstandard_ethertypes ? pppoe_proto::EtherTypes::nonstandard() : pppoe_proto::EtherTypes::standard();
  }
  unsigned lcp_echo_interval = 10;  ///< seconds; 0 = no keep-alive
  unsigned lcp_echo_failure = 3;
  unsigned restart_timer = 3;       ///< RFC 1661 restart timer, seconds
  unsigned max_configure = 10;
  unsigned ppp_control_rate = 20;   ///< control frames per second and session (burst twice that); 0 = no limit
  unsigned auth_timeout = 30;
  unsigned idle_timeout = 0;        ///< seconds; 0 = none
  unsigned session_timeout = 0;     ///< seconds; 0 = none
  bool ipv6 = true;
  Ipv6Service ipv6_service;  ///< prefixes and Router Advertisements beyond the link-local link
  ServicePolicy policy;      ///< rate limits, QoS policies, TCP MSS clamping
  std::string tun_name = "pppoe0";
  bool tun_configure = true;        ///< give the TUN its address and routes
  bool tun_io_uring = true;         ///< upstream TUN writes batched through io_uring
  /// The kernel fast path (eBPF): sessions' IPv4 forwarded without the workers where nothing
  /// the kernel programs lack applies (operator guide "Kernel fast path (eBPF)").
  bool fast_path = false;
  /// The routed interface (tun_name) as a veth pair instead of a TUN: with the fast path, whose
  /// XDP program can pass a packet to a veth's receive path but not to a TUN's
  /// (dataplane/veth_pair.hpp).
  [[nodiscard]] bool routed_veth() const { return fast_path; }
  std::string control_socket = "/run/pppoed.sock";
  /// Handover (SIGUSR2) writes the sessions here; the next start continues them. "" = the
  /// default, /run/pppoed/INTERFACE.sessions (state_file_path()).
  std::string state_file;
  /// A state file older than this (seconds) is not continued: its subscribers' keep-alive has
  /// most likely given up; its sessions are ended properly instead (PADT, Stop).
  unsigned state_max_age = 60;
  [[nodiscard]] std::string state_file_path() const {
    return state_file.empty() ? "/run/pppoed/" + interface + ".sessions" : state_file;
  }
  /// A reload's configuration for the workers (config_source.hpp), beside the state file.
  [[nodiscard]] std::string reload_snapshot_path() const { return state_file_path() + ".reload"; }
  unsigned padt_unknown_rate = 100; ///< PADTs per second for frames of unknown sessions
  unsigned cookie_rotate = 300;     ///< seconds between AC-Cookie secret rotations
  unsigned max_sessions = 65534;
  /// Enables `debug redispatch` on the control socket: moves a session's frames to another
  /// worker to test pppoetest --check-affinity. Never on in production.
  bool debug_commands = false;
  /// Remote read-only control for `pppoetest -h`: a TCP port (0 = off) and its shared secret.
  /// Prometheus metrics over HTTP (metrics-listen ADDRESS:PORT); port 0 = off.
  SocketEndpoint metrics_listen{Ipv4Address{}, 0};
  unsigned remote_control_port = 0;
  std::string remote_secret;
  std::vector<NamedPool> named_pools;
  RadiusConfig radius;
  L2tpConfig l2tp;
  StandbyConfig standby;
  [[nodiscard]] std::string ready_file_path() const {
    return standby.ready_file.empty() ? "/run/pppoed/" + interface + ".ready" : standby.ready_file;
  }
  /// The last role keepalived gave, kept across pppoed restarts (keepalived says it only once).
  [[nodiscard]] std::string role_file_path() const { return ready_file_path() + ".role"; }
  DiscoveryLimits limits;  ///< also net.graph.pppoe_lb.limits.* at run time
  /// After start-up keep only CAP_NET_RAW, CAP_NET_ADMIN and CAP_BPF (common/privileges.hpp).
  bool drop_capabilities = true;
  log::Level log_level = log::Level::kInfo;  ///< log-level; -d makes it debug
  bool log_syslog = false;  ///< log-syslog: syslog(3) instead of standard error
  unsigned failures_kept = 1000;  ///< failures-kept: attempts `pppoectl show failures` remembers
};

/// Applies one `name value...` setting. Returns an error text saying what was expected.
std::expected<void, std::string> apply_setting(Config& c, const std::string& name,
                                               const std::vector<std::string>& values);

/// Each setting name with the values of every line that set it, in order: what a reload
/// compares to tell which settings changed (config_reload.hpp).
using SettingLines = std::map<std::string, std::vector<std::vector<std::string>>>;
/// Applies config-file text on top of `c`; `origin` names the file in errors. With `lines`,
/// records each setting it applied.
std::expected<void, std::string> parse_config_text(Config& c, std::string_view text, std::string_view origin,
                                                   SettingLines* lines = nullptr);


/// Checks the whole configuration (for example the local address must not be in a pool).
std::expected<void, std::string> validate(const Config& c);

}  // namespace pppoe::master
