// The LNS part of a worker (issue 20): L2TPv2 tunnels that LACs open to us (RFC 2661), and
// the calls on them, whose PPP the worker terminates like a PPPoE session's.
//
// A LAC's SCCRQ (tunnel ID 0) reaches one worker by the kernel's hash of its addresses
// (l2tp_dispatch.hpp); that worker answers with a tunnel ID carrying its slot, so everything
// after it, and every call on the tunnel, stays with that worker. A call (ICCN received) gets a
// session ID from the master like a PPPoE session, then its frames go to the worker's session.
// Downstream, any worker that reads a packet for the session from its TUN queue sends the data
// message itself, from its own socket of the same endpoint (LnsRoute and send()), as PPPoE
// downstream is sent by whichever worker reads it.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/l2tp_dispatch.hpp"
#include "dataplane/l2tp_tunnel_table.hpp"
#include "dataplane/session_table.hpp"
#include "l2tp/host.hpp"
#include "l2tp/lns_counters.hpp"
#include "master/config.hpp"
#include "radius/accounting.hpp"

namespace pppoe::worker {

class LnsOwner {
 public:
  virtual ~LnsOwner() = default;
  /// A LAC completed a call (ICCN) on endpoint `endpoint`: it needs a session ID (from the master).
  virtual void lns_call(std::uint8_t endpoint, std::uint16_t tunnel, std::uint16_t session) = 0;
  /// The LAC cleared the call of session `id` (CDN), or its tunnel went; `why` is for the log.
  virtual void lns_call_down(std::uint16_t id, const std::string& why, TimePoint now) = 0;
  /// A PPP frame from the subscriber of session `id` (FF 03 octets as the LAC sent them).
  virtual void lns_frame(std::uint16_t id, Bytes ppp, TimePoint now) = 0;
  /// The LAC numbers the call's data messages: so must every worker sending to it.
  virtual void lns_sequenced(std::uint16_t id) = 0;
};

using LnsCounters = std::array<std::uint64_t, l2tp::kLnsCounters>;

/// What a worker needs to send a data message to a call: in the shared session record.
struct LnsRoute {
  std::uint8_t endpoint = 0;
  SocketEndpoint peer;
  std::uint16_t peer_tunnel = 0, peer_session = 0;
  bool sequenced = false;
  static LnsRoute of(const dataplane::SessionRecord& r) {
    return {r.l2tp_endpoint, SocketEndpoint{Ipv4Address{r.l2tp_peer_address}, r.l2tp_peer_port}, r.l2tp_peer_tunnel,
            r.l2tp_peer_session, r.l2tp_sequenced};
  }
};

/// A call that got its session: where to send, what the LAC told about the subscriber.
struct LnsCall {
  LnsRoute route;
  std::uint16_t tunnel = 0, session = 0;
  l2tp::CallInfo info;
  SocketEndpoint local;        ///< our endpoint
  std::string lac_host_name;   ///< the LAC's Host Name AVP
  std::string our_host_name;
};

class Lns {
 public:
  /// One socket per endpoint of `dispatch` that `config.listen` names (index = position in
  /// `dispatch`, as the shared session records keep it).
  static std::expected<std::unique_ptr<Lns>, std::string> create(const std::vector<dataplane::L2tpDispatch>& dispatch,
                                                                 const master::L2tpConfig& config, unsigned slot,
                                                                 std::string host_name, LnsOwner& owner);
  ~Lns();

  [[nodiscard]] std::vector<int> fds() const;
  /// True if `fd` is one of ours; then what arrived on it has been handled.
  bool on_readable(int fd, TimePoint now);
  void tick(TimePoint now);
  void flush();
  /// StopCCN on every tunnel: the worker is going away.
  void close_tunnels(TimePoint now);

  /// The master's answer to lns_call(): session `id` for the call (0: none; the call is
  /// refused with CDN). Returns the call if it still exists.
  std::optional<LnsCall> attach(std::uint8_t endpoint, std::uint16_t tunnel, std::uint16_t session, std::uint16_t id,
                                TimePoint now);
  /// The session ended here: CDN to the LAC (no lns_call_down() follows).
  void disconnect(std::uint8_t endpoint, std::uint16_t tunnel, std::uint16_t session, std::uint16_t result,
                  const std::string& why, TimePoint now);
  /// Queues a PPP frame for a call, `prefix` (FF 03, protocol) then `payload`; `ns` is the
  /// session's shared counter, used when the route is sequenced. False: not sent.
  bool send(const LnsRoute& route, std::atomic<std::uint32_t>& ns, Bytes prefix, Bytes payload);

  [[nodiscard]] LnsCounters counters() const;
  std::size_t publish(dataplane::L2tpTunnelTable& table, unsigned slot, std::size_t first, TimePoint now) const;
  void count(l2tp::LnsCounter c, std::uint64_t n = 1) { counters_[static_cast<std::size_t>(c)] += n; }

 private:
  struct HostLink;
  struct Call {
    std::uint16_t id = 0;  ///< our session ID once the master gave one
  };
  Lns(const master::L2tpConfig& config, std::string host_name, LnsOwner& owner);
  HostLink* link(std::uint8_t endpoint) const;
  std::optional<l2tp::TunnelSettings> policy(const SocketEndpoint& from, const std::string& host_name);
  // HostEvents, per host
  void tunnel_up(HostLink& h, std::uint16_t tunnel);
  void tunnel_down(HostLink& h, std::uint16_t tunnel, std::uint16_t result, const std::string& why);
  void session_up(HostLink& h, std::uint16_t tunnel, std::uint16_t session);
  void session_down(HostLink& h, std::uint16_t tunnel, std::uint16_t session, std::uint16_t result, const std::string& why);
  void data(HostLink& h, std::uint16_t tunnel, std::uint16_t session, Bytes ppp);
  void data_sequenced(HostLink& h, std::uint16_t tunnel, std::uint16_t session);
  static std::uint64_t key(std::uint8_t endpoint, std::uint16_t tunnel, std::uint16_t session) {
    return std::uint64_t{endpoint} << 32 | std::uint64_t{tunnel} << 16 | session;
  }

  const master::L2tpConfig& config_;
  std::string host_name_;
  LnsOwner& owner_;
  std::vector<std::unique_ptr<HostLink>> hosts_;
  std::map<std::uint64_t, Call> calls_;  ///< (endpoint, tunnel, session) -> session ID
  TimePoint now_{};
  LnsCounters counters_{};
  log::RateLimit log_limit_{5, 20};
};

}  // namespace pppoe::worker
