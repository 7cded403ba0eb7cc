// One PPP link over a PPPoE session: the phases of RFC 1661 section 3.2
//
//   Dead -> Establish (LCP) -> Authenticate -> Network (IPCP, IPv6CP) -> Terminate -> Dead
//
// and LCP keep-alive. Frames in, frames and events out; time is passed in. The role-specific
// authentication lives in the subclasses ServerSession (authenticator) and ClientSession (peer).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "proto/ppp/control_protocol.hpp"
#include "proto/ppp/ipcp.hpp"
#include "proto/ppp/ipv6cp.hpp"
#include "proto/ppp/lcp.hpp"

namespace pppoe::session {

enum class Phase : std::uint8_t { kDead, kEstablish, kAuthenticate, kNetwork, kTerminate };
const char* to_string(Phase p);

/// Why a session ended; also the phase a client setup failed in. Mapped to RADIUS
/// Acct-Terminate-Cause later.
enum class EndReason : std::uint8_t {
  kNone,
  kPeerTerminate,     ///< LCP Terminate-Request from the peer
  kPeerPadt,          ///< PADT from the peer
  kEchoTimeout,       ///< LCP echo failures
  kAuthFailed,
  kAuthTimeout,
  kPoolExhausted,
  kLcpFailed,         ///< LCP negotiation did not converge
  kNcpFailed,         ///< IPCP did not come up
  kSessionTimeout,
  kIdleTimeout,
  kAdminReset,
  kLoopback,
  kShutdown,
  kTunnelDown,        ///< LAC: the LNS cleared the call or the tunnel, or no LNS took it
};
inline constexpr std::size_t kEndReasons = static_cast<std::size_t>(EndReason::kTunnelDown) + 1;
const char* to_string(EndReason r);

struct LinkSettings {
  ppp::CpConfig cp;
  ppp::LcpSettings lcp;
  Duration echo_interval = seconds(10);  ///< 0 disables keep-alive
  unsigned echo_failures = 3;
  Duration auth_timeout = seconds(30);
  bool ipv6 = true;
};

/// What a link negotiated, enough to continue it in another process without the peer
/// noticing (pppoec's state file, RFC 1661 leaves no trace of a restart on the wire): magic
/// numbers, MRU, authentication, addresses, and where the identifiers stand.
struct LinkSnapshot {
  std::uint32_t local_magic = 0;
  std::uint32_t peer_magic = 0;
  std::uint16_t peer_mru = 1492;
  ppp::AuthMethod auth = ppp::AuthMethod::kNone;
  std::uint8_t lcp_next_id = 1;
  std::uint8_t ipcp_next_id = 1;
  std::uint8_t ipv6cp_next_id = 1;
  Ipv4Address local;
  Ipv4Address peer;
  ppp::NameServers name_servers;
  bool ipv6_opened = false;
  std::uint64_t ipv6_local_id = 0;
  std::uint64_t ipv6_peer_id = 0;
  friend bool operator==(const LinkSnapshot&, const LinkSnapshot&) = default;
};

/// What a LAC forwards to the LNS as Proxy LCP (RFC 2661 section 4.4.5): the options of the
/// first and the last LCP Configure-Request received, and of the last one sent, as on the wire.
struct ProxyLcp {
  std::vector<std::uint8_t> initial_received;
  std::vector<std::uint8_t> last_received;
  std::vector<std::uint8_t> last_sent;
};

class LinkOutput {
 public:
  virtual ~LinkOutput() = default;
  /// Sends one PPP frame (protocol field + payload) to the peer.
  virtual void send_ppp(ppp::Protocol protocol, Bytes payload) = 0;
  /// IPCP opened: IPv4 traffic may flow.
  virtual void network_up() = 0;
  /// IPv6CP opened / left the Opened state.
  virtual void ipv6_up() {}
  virtual void ipv6_down() {}
  /// The link is dead; no more frames will be sent. Called once.
  virtual void link_dead(EndReason reason) = 0;
};

class PppLink : public ppp::LayerListener, public ppp::CpOutput {
 public:
  PppLink(LinkOutput& out, LinkSettings settings, ppp::IpcpSettings ipcp, std::uint64_t ipv6_id,
          std::uint32_t seed);
  ~PppLink() override = default;
  PppLink(const PppLink&) = delete;
  PppLink& operator=(const PppLink&) = delete;

  /// The PPPoE session is established: LCP starts.
  void start(TimePoint now);
  /// A PPP frame of a control or authentication protocol arrived.
  void receive(ppp::Protocol protocol, Bytes payload, TimePoint now);
  /// Timers: restart timers, keep-alive, authentication timeout.
  void tick(TimePoint now);
  /// When tick() has something to do next (nothing: no timer runs). Calling tick() earlier is
  /// harmless; later is not, so every timer of the link is in here.
  [[nodiscard]] std::optional<TimePoint> next_deadline() const;
  /// The negotiated state of a link in the network phase (IPCP Opened).
  [[nodiscard]] LinkSnapshot snapshot() const;
  /// Continues a link from `s` as if it had negotiated it: LCP and IPCP (and IPv6CP when it
  /// was) Opened, network phase, and one LCP Echo-Request at once so that the owner learns
  /// whether the peer still holds the link (lcp().echo_replies() grows).
  void resume(const LinkSnapshot& s, TimePoint now);
  /// Sends an LCP Echo-Request now (LCP Opened only).
  void probe();
  /// Keeps the Configure-Requests for proxy_lcp() (a LAC's sessions only: three copies each).
  void record_proxy_lcp() { proxy_lcp_ = std::make_unique<ProxyLcp>(); }
  [[nodiscard]] const ProxyLcp* proxy_lcp() const { return proxy_lcp_.get(); }
  /// The link now belongs to an LNS (L2TP): from here on its frames pass through untouched,
  /// so this end runs no timer and sends nothing; close() and lower_down() end it at once.
  void hand_off() { handed_off_ = true; }
  [[nodiscard]] bool handed_off() const { return handed_off_; }
  /// Graceful close: LCP Terminate-Request, then dead.
  void close(EndReason reason, TimePoint now);
  /// Lower layer gone (PADT in either direction): dead at once, nothing more sent.
  void lower_down(EndReason reason, TimePoint now);
  /// Data traffic seen: keep-alive echoes are not needed while the peer talks.
  void note_peer_activity(TimePoint now) { last_rx_ = now; }

  [[nodiscard]] Phase phase() const { return phase_; }
  [[nodiscard]] EndReason end_reason() const { return end_reason_; }
  [[nodiscard]] const ppp::LcpHandler& lcp() const { return lcp_handler_; }
  [[nodiscard]] const ppp::IpcpHandler& ipcp() const { return ipcp_handler_; }
  [[nodiscard]] const ppp::Ipv6cpHandler& ipv6cp() const { return ipv6cp_handler_; }
  [[nodiscard]] ppp::State lcp_state() const { return lcp_.state(); }
  [[nodiscard]] ppp::State ipcp_state() const { return ipcp_.state(); }
  [[nodiscard]] ppp::State ipv6cp_state() const { return ipv6cp_.state(); }
  [[nodiscard]] const ppp::CpCounters& lcp_counters() const { return lcp_.counters(); }
  [[nodiscard]] std::uint64_t echo_misses() const { return echo_misses_; }

  /// Bad control input so far: the worker turns increases into drop counters by reason.
  struct BadControl {
    std::uint64_t malformed = 0;         ///< CP packets or options, PAP/CHAP messages that do not parse
    std::uint64_t unknown_code = 0;      ///< answered with Code-Reject
    std::uint64_t unknown_protocol = 0;  ///< answered with Protocol-Reject
    std::uint64_t out_of_phase = 0;      ///< PAP/CHAP/NCP before their phase (RFC 1661 section 3.5)
  };
  [[nodiscard]] BadControl bad_control() const;

 protected:
  // Role-specific authentication.
  /// LCP as another party negotiated it (an LNS taking a LAC's Proxy LCP, RFC 2661 section
  /// 18): Opened with these values, authentication phase; the subclass checks the credentials.
  void open_negotiated_lcp(std::uint32_t local_magic, std::uint32_t peer_magic, std::uint16_t peer_mru,
                           ppp::AuthMethod auth, TimePoint now);
  virtual void auth_start(TimePoint now) = 0;
  virtual void auth_receive(ppp::Protocol protocol, Bytes payload, TimePoint now) = 0;
  virtual void auth_tick(TimePoint now) = 0;
  /// The authentication timer (timeout, retransmission); by default "at once", which makes the
  /// owner call tick() at its next opportunity.
  [[nodiscard]] virtual std::optional<TimePoint> auth_deadline() const { return now_; }
  /// Authentication messages that did not parse.
  [[nodiscard]] virtual std::uint64_t auth_malformed() const { return 0; }
  /// Authentication succeeded: enter the network phase.
  void auth_done(TimePoint now);
  /// Authentication failed: terminate with `reason`.
  void auth_failed(EndReason reason, TimePoint now) { close(reason, now); }

  ppp::IpcpHandler& ipcp_handler() { return ipcp_handler_; }
  ppp::Ipv6cpHandler& ipv6cp_handler() { return ipv6cp_handler_; }
  ppp::AuthMethod negotiated_auth() const { return lcp_handler_.auth_method(); }
  LinkOutput& out() { return out_; }
  const LinkSettings& settings() const { return settings_; }

 private:
  // LayerListener
  void layer_up(ppp::Protocol p) override;
  void layer_down(ppp::Protocol p) override;
  void layer_started(ppp::Protocol) override {}
  void layer_finished(ppp::Protocol p) override;
  // CpOutput
  void send_control(ppp::Protocol protocol, Bytes packet) override {
    if (proxy_lcp_ && protocol == ppp::Protocol::kLcp) record_configure_request(packet, proxy_lcp_->last_sent);
    out_.send_ppp(protocol, packet);
  }
  /// Keeps the options of `packet` in `into` if it is a Configure-Request (RFC 1661 section 5.1).
  static void record_configure_request(Bytes packet, std::vector<std::uint8_t>& into);

  void go_dead(EndReason reason);
  void reject_protocol(ppp::Protocol protocol, Bytes payload);
  void keepalive(TimePoint now);

  LinkOutput& out_;
  LinkSettings settings_;
  ppp::LcpHandler lcp_handler_;
  ppp::ControlProtocol lcp_;
  ppp::IpcpHandler ipcp_handler_;
  ppp::ControlProtocol ipcp_;
  ppp::Ipv6cpHandler ipv6cp_handler_;
  ppp::ControlProtocol ipv6cp_;
  Phase phase_ = Phase::kDead;
  EndReason end_reason_ = EndReason::kNone;
  TimePoint now_{};
  TimePoint last_rx_{};
  TimePoint next_echo_{};
  std::uint64_t protocol_rejects_sent_ = 0;
  std::uint64_t out_of_phase_ = 0;
  std::uint64_t echo_replies_seen_ = 0;
  std::uint64_t echo_misses_ = 0;
  bool dead_reported_ = false;
  bool handed_off_ = false;
  std::unique_ptr<ProxyLcp> proxy_lcp_;
};

}  // namespace pppoe::session
