#include "session/ppp_link.hpp"

namespace pppoe::session {

const char* to_string(Phase p) {
  switch (p) {
    case Phase::kDead: return "dead";
    case Phase::kEstablish: return "establish";
    case Phase::kAuthenticate: return "authenticate";
    case Phase::kNetwork: return "network";
    case Phase::kTerminate: return "terminate";
  }
  return "?";
}

const char* to_string(EndReason r) {
  switch (r) {
    case EndReason::kNone: return "none";
    case EndReason::kPeerTerminate: return "peer-terminate";
    case EndReason::kPeerPadt: return "peer-padt";
    case EndReason::kEchoTimeout: return "lcp-echo-timeout";
    case EndReason::kAuthFailed: return "auth-failed";
    case EndReason::kAuthTimeout: return "auth-timeout";
    case EndReason::kPoolExhausted: return "pool-exhausted";
    case EndReason::kLcpFailed: return "lcp-failed";
    case EndReason::kNcpFailed: return "ncp-failed";
    case EndReason::kSessionTimeout: return "session-timeout";
    case EndReason::kIdleTimeout: return "idle-timeout";
    case EndReason::kAdminReset: return "admin-reset";
    case EndReason::kLoopback: return "loopback";
    case EndReason::kShutdown: return "shutdown";
    case EndReason::kTunnelDown: return "tunnel-down";
  }
  return "?";
}

PppLink::PppLink(LinkOutput& out, LinkSettings settings, ppp::IpcpSettings ipcp, std::uint64_t ipv6_id,
                 std::uint32_t seed)
    : out_(out),
      settings_(std::move(settings)),
      lcp_handler_(*this, std::move(settings_.lcp), seed),  // the handler keeps the LCP settings; one copy per session
      lcp_(ppp::Protocol::kLcp, lcp_handler_, *this, settings_.cp),
      ipcp_handler_(*this, ipcp),
      ipcp_(ppp::Protocol::kIpcp, ipcp_handler_, *this, settings_.cp),
      ipv6cp_handler_(*this, ipv6_id, seed ^ 0x5bd1e995u),
      ipv6cp_(ppp::Protocol::kIpv6cp, ipv6cp_handler_, *this, settings_.cp) {}

void PppLink::start(TimePoint now) {
  now_ = now;
  last_rx_ = now;
  phase_ = Phase::kEstablish;
  lcp_.open(now);
  lcp_.up(now);
}

LinkSnapshot PppLink::snapshot() const {
  LinkSnapshot s;
  s.local_magic = lcp_handler_.local_magic();
  s.peer_magic = lcp_handler_.peer_magic();
  s.peer_mru = lcp_handler_.peer_mru();
  s.auth = lcp_handler_.auth_method();
  s.lcp_next_id = lcp_.next_id();
  s.ipcp_next_id = ipcp_.next_id();
  s.ipv6cp_next_id = ipv6cp_.next_id();
  s.local = ipcp_handler_.local_address();
  s.peer = ipcp_handler_.peer_address();
  s.name_servers = ipcp_handler_.learned_name_servers();
  s.ipv6_opened = ipv6cp_.state() == ppp::State::kOpened;
  if (s.ipv6_opened) {
    s.ipv6_local_id = ipv6cp_handler_.local_id();
    s.ipv6_peer_id = ipv6cp_handler_.peer_id();
  }
  return s;
}

void PppLink::resume(const LinkSnapshot& s, TimePoint now) {
  now_ = now;
  last_rx_ = now;
  lcp_handler_.restore(s.local_magic, s.peer_magic, s.peer_mru, s.auth);
  lcp_.restore_opened(s.lcp_next_id);
  ipcp_handler_.restore(s.local, s.peer, s.name_servers);
  ipcp_.restore_opened(s.ipcp_next_id);
  if (s.ipv6_opened && settings_.ipv6) {
    ipv6cp_handler_.restore(s.ipv6_local_id, s.ipv6_peer_id);
    ipv6cp_.restore_opened(s.ipv6cp_next_id);
  }
  phase_ = Phase::kNetwork;
  next_echo_ = now + settings_.echo_interval;
  echo_misses_ = 0;
  echo_replies_seen_ = lcp_handler_.echo_replies();
  probe();
}

void PppLink::open_negotiated_lcp(std::uint32_t local_magic, std::uint32_t peer_magic, std::uint16_t peer_mru,
                                  ppp::AuthMethod auth, TimePoint now) {
  now_ = now;
  last_rx_ = now;
  lcp_handler_.restore(local_magic, peer_magic, peer_mru, auth);
  lcp_.restore_opened(1);
  phase_ = Phase::kAuthenticate;
  next_echo_ = now + settings_.echo_interval;
  echo_misses_ = 0;
  echo_replies_seen_ = lcp_handler_.echo_replies();
}

void PppLink::probe() {
  if (lcp_.state() == ppp::State::kOpened) lcp_.send_echo_request();
}

void PppLink::record_configure_request(Bytes packet, std::vector<std::uint8_t>& into) {
  if (packet.size() < 4 || packet[0] != 1) return;  // Code 1: Configure-Request
  std::size_t length = std::size_t{packet[2]} << 8 | packet[3];
  if (length < 4 || length > packet.size()) return;
  into.assign(packet.begin() + 4, packet.begin() + static_cast<std::ptrdiff_t>(length));
}

void PppLink::receive(ppp::Protocol protocol, Bytes payload, TimePoint now) {
  now_ = now;
  last_rx_ = now;
  if (phase_ == Phase::kDead || handed_off_) return;
  switch (protocol) {
    case ppp::Protocol::kLcp:
      if (proxy_lcp_ && !payload.empty() && payload[0] == 1) {
        if (proxy_lcp_->initial_received.empty()) record_configure_request(payload, proxy_lcp_->initial_received);
        record_configure_request(payload, proxy_lcp_->last_received);
      }
      lcp_.receive(payload, now);
      // RFC 1661 section 5.7: a rejected NCP must stop sending at once (RXJ- for it), instead
      // of retrying until max-configure: 10 frames in 30 s per session for every client
      // without IPv6, 21,000 frames/s with 64,000 sessions.
      switch (static_cast<ppp::Protocol>(lcp_handler_.take_rejected_protocol())) {
        case ppp::Protocol::kIpcp: ipcp_.dispatch(ppp::Event::kRxjMinus, now); break;
        case ppp::Protocol::kIpv6cp: ipv6cp_.dispatch(ppp::Event::kRxjMinus, now); break;
        default: break;
      }
      return;
    case ppp::Protocol::kPap:
    case ppp::Protocol::kChap:
      if (phase_ == Phase::kAuthenticate || phase_ == Phase::kNetwork)
        auth_receive(protocol, payload, now);
      else
        ++out_of_phase_;
      return;
    case ppp::Protocol::kIpcp:
      // RFC 1661 section 3.5: NCP packets before the network phase are silently discarded.
      if (phase_ == Phase::kNetwork)
        ipcp_.receive(payload, now);
      else
        ++out_of_phase_;
      return;
    case ppp::Protocol::kIpv6cp:
      if (phase_ != Phase::kNetwork) {
        ++out_of_phase_;
        return;
      }
      if (settings_.ipv6)
        ipv6cp_.receive(payload, now);
      else
        reject_protocol(protocol, payload);
      return;
    case ppp::Protocol::kIpv4:
    case ppp::Protocol::kIpv6:
      return;  // data is handled by the data plane before it gets here
  }
  reject_protocol(protocol, payload);
}

void PppLink::reject_protocol(ppp::Protocol protocol, Bytes payload) {
  // RFC 1661 section 5.7: unknown protocols get a Protocol-Reject while LCP is Opened.
  ++protocol_rejects_sent_;
  lcp_.send_protocol_reject(static_cast<std::uint16_t>(protocol), payload);
}

PppLink::BadControl PppLink::bad_control() const {
  BadControl b;
  for (const ppp::ControlProtocol* cp : {&lcp_, &ipcp_, &ipv6cp_}) {
    b.malformed += cp->counters().rx_malformed;
    b.unknown_code += cp->counters().rx_unknown_code;
  }
  b.malformed += auth_malformed();
  b.unknown_protocol = protocol_rejects_sent_;
  b.out_of_phase = out_of_phase_;
  return b;
}

void PppLink::tick(TimePoint now) {
  now_ = now;
  if (phase_ == Phase::kDead || handed_off_) return;
  lcp_.tick(now);
  if (phase_ == Phase::kDead) return;
  if (phase_ == Phase::kAuthenticate) auth_tick(now);
  if (phase_ == Phase::kNetwork) {
    ipcp_.tick(now);
    if (settings_.ipv6) ipv6cp_.tick(now);
  }
  keepalive(now);
}

std::optional<TimePoint> PppLink::next_deadline() const {
  if (phase_ == Phase::kDead || handed_off_) return std::nullopt;
  std::optional<TimePoint> due;
  auto earliest = [&due](std::optional<TimePoint> t) {
    if (t && (!due || *t < *due)) due = t;
  };
  earliest(lcp_.timer_deadline());
  if (phase_ == Phase::kAuthenticate) earliest(auth_deadline());
  if (phase_ == Phase::kNetwork) {
    earliest(ipcp_.timer_deadline());
    if (settings_.ipv6) earliest(ipv6cp_.timer_deadline());
  }
  if (settings_.echo_interval.count() != 0 && lcp_.state() == ppp::State::kOpened) earliest(next_echo_);
  return due;
}

void PppLink::keepalive(TimePoint now) {
  if (settings_.echo_interval.count() == 0 || lcp_.state() != ppp::State::kOpened) return;
  if (now < next_echo_) return;
  next_echo_ = now + settings_.echo_interval;
  if (lcp_handler_.echo_replies() != echo_replies_seen_ || now - last_rx_ < settings_.echo_interval) {
    // The peer answered or sent something within the interval: alive.
    echo_replies_seen_ = lcp_handler_.echo_replies();
    echo_misses_ = 0;
  } else if (++echo_misses_ >= settings_.echo_failures) {
    // No answer to echo_failures requests: the peer is gone. Nothing more is sent.
    lower_down(EndReason::kEchoTimeout, now);
    return;
  }
  lcp_.send_echo_request();
}

void PppLink::close(EndReason reason, TimePoint now) {
  if (phase_ == Phase::kDead) return;
  if (handed_off_) return lower_down(reason, now);  // LCP is the LNS's: nothing to negotiate
  if (end_reason_ == EndReason::kNone) end_reason_ = reason;
  phase_ = Phase::kTerminate;
  lcp_.close(now);
  if (lcp_.state() == ppp::State::kClosed || lcp_.state() == ppp::State::kInitial) go_dead(end_reason_);
}

void PppLink::lower_down(EndReason reason, TimePoint now) {
  if (phase_ == Phase::kDead) return;
  if (end_reason_ == EndReason::kNone) end_reason_ = reason;
  ipcp_.down(now);
  ipv6cp_.down(now);
  lcp_.down(now);
  go_dead(end_reason_);
}

void PppLink::auth_done(TimePoint now) {
  if (phase_ != Phase::kAuthenticate) return;
  phase_ = Phase::kNetwork;
  ipcp_.open(now);
  ipcp_.up(now);
  if (settings_.ipv6) {
    ipv6cp_.open(now);
    ipv6cp_.up(now);
  }
}

void PppLink::layer_up(ppp::Protocol p) {
  switch (p) {
    case ppp::Protocol::kLcp:
      next_echo_ = now_ + settings_.echo_interval;
      echo_misses_ = 0;
      if (lcp_handler_.role() == ppp::LinkRole::kAuthenticator && lcp_handler_.auth_refused()) {
        close(EndReason::kAuthFailed, now_);
        return;
      }
      phase_ = Phase::kAuthenticate;
      auth_start(now_);
      return;
    case ppp::Protocol::kIpcp: out_.network_up(); return;
    case ppp::Protocol::kIpv6cp: out_.ipv6_up(); return;
    default: return;
  }
}

void PppLink::layer_down(ppp::Protocol p) {
  if (p == ppp::Protocol::kIpv6cp) out_.ipv6_down();
  if (p != ppp::Protocol::kLcp) return;
  // tld into Stopping means the peer sent Terminate-Request while Opened.
  if (lcp_.state() == ppp::State::kStopping && end_reason_ == EndReason::kNone) {
    end_reason_ = EndReason::kPeerTerminate;
    phase_ = Phase::kTerminate;
  }
  // LCP renegotiates (RFC 1661 section 3.2): the NCPs go down and authentication repeats.
  ipcp_.down(now_);
  ipv6cp_.down(now_);
  if (phase_ != Phase::kTerminate && phase_ != Phase::kDead) phase_ = Phase::kEstablish;
}

void PppLink::layer_finished(ppp::Protocol p) {
  switch (p) {
    case ppp::Protocol::kLcp:
      go_dead(end_reason_ != EndReason::kNone ? end_reason_
                                              : (phase_ == Phase::kEstablish ? EndReason::kLcpFailed
                                                                             : EndReason::kPeerTerminate));
      return;
    case ppp::Protocol::kIpcp:
      // Without IPv4 the session has no purpose here: end it.
      if (phase_ == Phase::kNetwork) close(EndReason::kNcpFailed, now_);
      return;
    default: return;
  }
}

void PppLink::go_dead(EndReason reason) {
  phase_ = Phase::kDead;
  if (end_reason_ == EndReason::kNone) end_reason_ = reason;
  if (dead_reported_) return;
  dead_reported_ = true;
  out_.link_dead(end_reason_);
}

}  // namespace pppoe::session
