// The LAC part of a worker (issue 20): PPPoE sessions of this worker switched into L2TPv2
// tunnels (RFC 2661), and their frames passed both ways.
//
// Tunnels are per worker: a session's frames on both sides stay with its worker, because the
// kernel delivers this worker's PPPoE frames to it (bpf_dispatch.hpp) and the datagrams of its
// tunnels too (l2tp_dispatch.hpp: our tunnel IDs carry the worker's slot). Sessions of one
// tunnel profile share the worker's tunnel of that profile; the first session opens it.
//
// The LNSs of a profile are tried by preference: one that does not answer, refuses the tunnel
// (StopCCN) or loses it is held down for the profile's hold-down time and the next is tried;
// sessions waiting for a tunnel go with it. When every LNS is held down, calls fail at once.
#pragma once

#include <cstdint>
#include <deque>
#include <expected>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataplane/l2tp_dispatch.hpp"
#include "dataplane/l2tp_tunnel_table.hpp"
#include "l2tp/host.hpp"
#include "l2tp/lac_counters.hpp"
#include "master/config.hpp"
#include "radius/accounting.hpp"
#include "session/authenticator.hpp"

namespace pppoe::worker {

/// What the LAC tells the worker about the sessions it switched.
class LacOwner {
 public:
  virtual ~LacOwner() = default;
  /// ICCN sent: the LNS now owns the PPP link.
  virtual void call_up(std::uint16_t session) = 0;
  /// The call failed or ended (CDN, StopCCN, no LNS); `why` is for the log.
  virtual void call_down(std::uint16_t session, const std::string& why) = 0;
  /// A PPP frame from the LNS for the subscriber (the FF 03 octets as the LNS sent them).
  virtual void call_frame(std::uint16_t session, Bytes ppp) = 0;
};

using LacCounters = std::array<std::uint64_t, l2tp::kLacCounters>;

class Lac {
 public:
  /// One socket per local endpoint of `dispatch` (one per distinct tunnel source).
  static std::expected<std::unique_ptr<Lac>, std::string> create(const std::vector<const dataplane::L2tpDispatch*>& dispatch,
                                                                 unsigned slot, std::string default_host_name,
                                                                 LacOwner& owner);
  ~Lac();

  [[nodiscard]] std::vector<int> fds() const;
  /// True if `fd` is one of ours; then what arrived on it has been handled.
  bool on_readable(int fd, TimePoint now);
  void tick(TimePoint now);
  /// Sends the data messages queued by send().
  void flush();
  /// Ends every tunnel (StopCCN, shutting down): the worker is going away.
  void close_tunnels(TimePoint now);

  /// Switches PPPoE session `session` into the profile's tunnel (opened first if needed).
  void connect(std::uint16_t session, const master::L2tpTunnelProfile& profile, l2tp::CallInfo call, TimePoint now);
  /// The same for tunnels a RADIUS server chose (RFC 2868, by preference): sessions with the
  /// same Tunnel-Assignment-Id and LNSs share a tunnel of this worker.
  void connect(std::uint16_t session, const std::vector<session::TunnelChoice>& choices, l2tp::CallInfo call,
               TimePoint now);
  /// The PPPoE side ended: CDN to the LNS (no call_down() follows).
  void disconnect(std::uint16_t session, std::uint16_t result, const std::string& why, TimePoint now);
  /// A PPP frame (protocol field onwards) from the subscriber, for the LNS. False: not sent.
  bool send(std::uint16_t session, Bytes ppp);

  /// Ours and our sockets' (datagrams, drops by reason, retransmissions), by LacCounter.
  [[nodiscard]] LacCounters counters() const;
  /// Writes this worker's LAC tunnels into its block of the shared table from record `first`
  /// on (once a second); returns the next free record.
  std::size_t publish(dataplane::L2tpTunnelTable& table, unsigned slot, std::size_t first, TimePoint now) const;
  /// Where the call of PPPoE session `session` went, for RADIUS accounting (RFC 2867).
  [[nodiscard]] std::optional<radius::TunnelAccounting> tunnel_accounting(std::uint16_t session) const;
  /// The call of PPPoE session `session`: our tunnel and session IDs and the peer's session ID.
  [[nodiscard]] std::optional<std::array<std::uint16_t, 3>> call_ids(std::uint16_t session) const;
  [[nodiscard]] std::size_t calls() const { return calls_.size(); }

 private:
  struct HostLink;
  struct ProfileTunnel;
  struct Call {
    HostLink* host = nullptr;
    std::uint16_t tunnel = 0;
    std::uint16_t l2tp_session = 0;
    bool up = false;
    std::uint32_t serial = 0;  ///< Call Serial Number
    ProfileTunnel* profile = nullptr;
  };
  struct Waiting {
    std::uint16_t session;
    l2tp::CallInfo call;
  };
  Lac(LacOwner& owner, std::string host_name);
  HostLink* host_for(const SocketEndpoint& source);
  ProfileTunnel* tunnel_of(HostLink& h, std::uint16_t tunnel);
  void open_next(ProfileTunnel& t);
  void place(ProfileTunnel& t, Waiting w);
  void fail_waiting(ProfileTunnel& t, const std::string& why);
  void hold_down(ProfileTunnel& t, const std::string& why);
  // HostEvents, per host
  void tunnel_up(HostLink& h, std::uint16_t tunnel);
  void tunnel_down(HostLink& h, std::uint16_t tunnel, std::uint16_t result, const std::string& why);
  void session_up(HostLink& h, std::uint16_t tunnel, std::uint16_t session);
  void session_down(HostLink& h, std::uint16_t tunnel, std::uint16_t session, std::uint16_t result, const std::string& why);
  void data(HostLink& h, std::uint16_t tunnel, std::uint16_t session, Bytes ppp);

  static std::uint64_t call_key(const HostLink& h, std::uint16_t tunnel, std::uint16_t session);

  LacOwner& owner_;
  std::string default_host_name_;
  std::vector<std::unique_ptr<HostLink>> hosts_;
  /// By profile: the configuration's and radius_profiles_' live as long as this worker (two
  /// RADIUS assignments may share a display name, so not by name).
  std::map<const master::L2tpTunnelProfile*, std::unique_ptr<ProfileTunnel>> tunnels_;
  /// Profiles made from RADIUS tunnel attributes, by assignment and LNSs (they live as long
  /// as this worker: a handful per wholesale partner).
  std::map<std::string, std::unique_ptr<master::L2tpTunnelProfile>> radius_profiles_;
  std::map<std::uint64_t, TimePoint> held_down_;                   ///< LNS endpoint -> until
  std::unordered_map<std::uint16_t, Call> calls_;                  ///< by PPPoE session ID
  std::unordered_map<std::uint64_t, std::uint16_t> by_call_;       ///< (host, tunnel, call) -> PPPoE session
  TimePoint now_{};
  bool closing_ = false;  ///< close_tunnels(): our own StopCCNs are no reason to hold an LNS down
  LacCounters counters_{};
  void count(l2tp::LacCounter c) { ++counters_[static_cast<std::size_t>(c)]; }
  log::RateLimit log_limit_{5, 20};
};

}  // namespace pppoe::worker
