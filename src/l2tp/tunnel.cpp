#include "l2tp/tunnel.hpp"

#include <openssl/crypto.h>

#include <fmt/format.h>

namespace pppoe::l2tp {
namespace {
constexpr std::uint16_t kProtocolVersion = 0x0100;  // version 1, revision 0 (section 4.4.3)
}

const char* to_string(TunnelState s) {
  switch (s) {
    case TunnelState::kIdle: return "idle";
    case TunnelState::kWaitCtlReply: return "wait-ctl-reply";
    case TunnelState::kWaitCtlConn: return "wait-ctl-conn";
    case TunnelState::kEstablished: return "established";
    case TunnelState::kClosing: return "closing";
    case TunnelState::kClosed: return "closed";
  }
  return "?";
}

Tunnel::Tunnel(ReliableOutput& out, TunnelEvents& events, TunnelSettings settings, std::function<void(MutableBytes)> random)
    : events_(events),
      settings_(std::move(settings)),
      random_(std::move(random)),
      channel_(out, settings_.reliable),
      buf_(2048) {}

void Tunnel::set_state(TunnelState s, TimePoint now) {
  state_ = s;
  state_since_ = now;
}

void Tunnel::begin_control(AvpWriter& w, MessageType type) {
  w.message_type(type);
  if (type == MessageType::kSccrq || type == MessageType::kSccrp) {
    w.u16(AvpType::kProtocolVersion, kProtocolVersion);
    w.u32(AvpType::kFramingCapabilities, settings_.framing_capabilities);
    w.u32(AvpType::kBearerCapabilities, settings_.bearer_capabilities);
    w.text(AvpType::kHostName, settings_.host_name);
    w.u16(AvpType::kAssignedTunnelId, settings_.local_tunnel_id);
    w.u16(AvpType::kReceiveWindowSize, settings_.reliable.receive_window);
    // Optional AVPs go without the M bit: a peer that does not know them keeps the tunnel.
    w.text(AvpType::kVendorName, settings_.vendor_name, false);
    if (!settings_.secret.empty()) {
      random_(our_challenge_);
      w.bytes(AvpType::kChallenge, our_challenge_);
    }
  }
}

void Tunnel::send_tunnel(Bytes avps, TimePoint now) { channel_.send(0, avps, now); }

void Tunnel::open(TimePoint now) {
  initiator_ = true;
  AvpWriter w(buf_);
  begin_control(w, MessageType::kSccrq);
  send_tunnel(Bytes(buf_.data(), w.size()), now);
  set_state(TunnelState::kWaitCtlReply, now);
  last_activity_ = now;
}

void Tunnel::send_session(std::uint16_t peer_session_id, Bytes avps, TimePoint now) {
  if (state_ != TunnelState::kEstablished) return;
  channel_.send(peer_session_id, avps, now);
}

void Tunnel::close(std::uint16_t result, std::uint16_t error, const std::string& why, TimePoint now) {
  if (state_ == TunnelState::kClosing || state_ == TunnelState::kClosed) return;
  AvpWriter w(buf_);
  w.message_type(MessageType::kStopccn);
  w.u16(AvpType::kAssignedTunnelId, settings_.local_tunnel_id);
  w.result_code(result, error, why);
  send_tunnel(Bytes(buf_.data(), w.size()), now);
  set_state(TunnelState::kClosing, now);
  closed_at_ = now;
  events_.tunnel_down(result, why);
}

void Tunnel::receive(const Header& h, Bytes avps, TimePoint now) {
  last_activity_ = now;
  channel_.receive(h, avps, now, [&](std::uint16_t session_id, Bytes body) { deliver(session_id, body, now); });
}

bool Tunnel::read_peer(const ControlMessage& m) {
  const Avp* id = m.find(AvpType::kAssignedTunnelId);
  const Avp* host = m.find(AvpType::kHostName);
  const Avp* version = m.find(AvpType::kProtocolVersion);
  const Avp* framing = m.find(AvpType::kFramingCapabilities);
  if (!id || !id->u16() || *id->u16() == 0 || !host || host->value.empty() || !version || !version->u16() || !framing ||
      !framing->u32())
    return false;
  peer_.tunnel_id = *id->u16();
  peer_.host_name = std::string(host->text());
  peer_.protocol_version = *version->u16();
  peer_.framing_capabilities = *framing->u32();
  if (const Avp* v = m.find(AvpType::kVendorName)) peer_.vendor_name = std::string(v->text());
  if (const Avp* rw = m.find(AvpType::kReceiveWindowSize); rw && rw->u16() && *rw->u16() > 0)
    peer_.receive_window = *rw->u16();
  if (const Avp* c = m.find(AvpType::kChallenge); c && !c->value.empty()) peer_challenge_ = c->value;
  channel_.set_peer_tunnel_id(peer_.tunnel_id);
  channel_.set_peer_window(peer_.receive_window);
  return true;
}

bool Tunnel::response_ok(const ControlMessage& m, MessageType in) {
  if (settings_.secret.empty()) return true;
  const Avp* r = m.find(AvpType::kChallengeResponse);
  auto want = challenge_response(in, settings_.secret, our_challenge_);
  return r && r->value.size() == want.size() && CRYPTO_memcmp(r->value.data(), want.data(), want.size()) == 0;
}

bool Tunnel::can_answer_challenge(TimePoint now) {
  if (!peer_challenge_ || !settings_.secret.empty()) return true;
  ++counters_.auth_failures;
  close(result::kStopNotAuthorized, error::kNone, "the peer asks for tunnel authentication and no secret is set", now);
  return false;
}

void Tunnel::on_sccrq(const ControlMessage& m, TimePoint now) {
  if (!read_peer(m)) {
    ++counters_.bad_messages;
    close(result::kStopGeneralError, error::kBadLength, "SCCRQ without a required AVP", now);
    return;
  }
  if (settings_.refuse_result != 0) {
    close(settings_.refuse_result, error::kNone, settings_.refuse_why, now);
    return;
  }
  if (peer_.protocol_version >> 8 != 1) {
    close(result::kStopBadVersion, error::kNone, fmt::format("protocol version {:#06x}", peer_.protocol_version), now);
    return;
  }
  if (!can_answer_challenge(now)) return;
  AvpWriter w(buf_);
  begin_control(w, MessageType::kSccrp);
  if (peer_challenge_)
    w.bytes(AvpType::kChallengeResponse, challenge_response(MessageType::kSccrp, settings_.secret, *peer_challenge_));
  send_tunnel(Bytes(buf_.data(), w.size()), now);
  set_state(TunnelState::kWaitCtlConn, now);
}

void Tunnel::on_sccrp(const ControlMessage& m, TimePoint now) {
  if (!read_peer(m)) {
    ++counters_.bad_messages;
    close(result::kStopGeneralError, error::kBadLength, "SCCRP without a required AVP", now);
    return;
  }
  if (!response_ok(m, MessageType::kSccrp)) {
    ++counters_.auth_failures;
    close(result::kStopNotAuthorized, error::kNone, "tunnel authentication failed (SCCRP's challenge response)", now);
    return;
  }
  if (!can_answer_challenge(now)) return;
  AvpWriter w(buf_);
  w.message_type(MessageType::kScccn);
  if (peer_challenge_)
    w.bytes(AvpType::kChallengeResponse, challenge_response(MessageType::kScccn, settings_.secret, *peer_challenge_));
  send_tunnel(Bytes(buf_.data(), w.size()), now);
  set_state(TunnelState::kEstablished, now);
  events_.tunnel_up();
}

void Tunnel::on_scccn(const ControlMessage& m, TimePoint now) {
  if (!response_ok(m, MessageType::kScccn)) {
    ++counters_.auth_failures;
    close(result::kStopNotAuthorized, error::kNone, "tunnel authentication failed (SCCCN's challenge response)", now);
    return;
  }
  set_state(TunnelState::kEstablished, now);
  events_.tunnel_up();
}

void Tunnel::deliver(std::uint16_t session_id, Bytes avps, TimePoint now) {
  if (state_ == TunnelState::kClosed) return;
  auto m = decode_avps(avps, settings_.secret);
  if (!m) {
    ++counters_.bad_messages;
    close(result::kStopGeneralError, error::kBadLength, fmt::format("undecodable control message: {}", to_string(m.error())), now);
    return;
  }
  if (!m->type) {  // an unknown message type: its Message Type AVP is mandatory (section 4.4.1)
    ++counters_.unknown_mandatory;
    close(result::kStopGeneralError, error::kUnknownMandatoryAvp, fmt::format("unknown message type {}", m->raw_type), now);
    return;
  }
  bool session_message = *m->type == MessageType::kIcrq || *m->type == MessageType::kIcrp ||
                         *m->type == MessageType::kIccn || *m->type == MessageType::kCdn ||
                         *m->type == MessageType::kWen || *m->type == MessageType::kSli ||
                         *m->type == MessageType::kOcrq || *m->type == MessageType::kOcrp ||
                         *m->type == MessageType::kOccn;
  if (session_message) {
    // A session's unknown mandatory AVP ends the session, not the tunnel: the owner decides.
    if (state_ != TunnelState::kEstablished) {
      ++counters_.bad_messages;
      close(result::kStopFsmError, error::kNoControlConnection,
           fmt::format("{} before the tunnel is established", to_string(*m->type)), now);
      return;
    }
    events_.session_message(session_id, *m);
    return;
  }
  if (const Avp* u = m->unknown_mandatory(); u && *m->type != MessageType::kStopccn) {
    ++counters_.unknown_mandatory;
    close(result::kStopGeneralError, error::kUnknownMandatoryAvp,
         fmt::format("unknown mandatory AVP {} (vendor {}) in {}", u->type, u->vendor, to_string(*m->type)), now);
    return;
  }
  switch (*m->type) {
    case MessageType::kSccrq:
      if (state_ == TunnelState::kIdle && !initiator_) return on_sccrq(*m, now);
      break;
    case MessageType::kSccrp:
      if (state_ == TunnelState::kWaitCtlReply) return on_sccrp(*m, now);
      break;
    case MessageType::kScccn:
      if (state_ == TunnelState::kWaitCtlConn) return on_scccn(*m, now);
      break;
    case MessageType::kHello: ++counters_.hello_received; return;
    case MessageType::kStopccn: {
      auto [result, why] = m->result("StopCCN from the peer");
      bool was_down = state_ == TunnelState::kClosing;
      set_state(TunnelState::kClosing, now);  // the ZLB acknowledging it still goes out
      closed_at_ = now;
      if (!was_down) events_.tunnel_down(result, why);
      return;
    }
    default: break;
  }
  ++counters_.bad_messages;
  close(result::kStopFsmError, error::kNone, fmt::format("{} in state {}", to_string(*m->type), to_string(state_)), now);
}

void Tunnel::tick(TimePoint now) {
  channel_.tick(now);
  if (state_ == TunnelState::kClosed) return;
  if (channel_.failed() && state_ != TunnelState::kClosing) {
    set_state(TunnelState::kClosed, now);
    events_.tunnel_down(result::kStopGeneralError,
                        fmt::format("no acknowledgement after {} retransmissions", settings_.reliable.max_retransmissions));
    return;
  }
  if (state_ == TunnelState::kClosing) {
    // Section 5.7: the state is kept a while so that a retransmitted StopCCN is acknowledged.
    if (now - closed_at_ >= settings_.closing_hold || channel_.failed()) set_state(TunnelState::kClosed, now);
    return;
  }
  if (state_ == TunnelState::kEstablished && channel_.idle() && now - last_activity_ >= settings_.hello_interval) {
    AvpWriter w(buf_);
    w.message_type(MessageType::kHello);
    send_tunnel(Bytes(buf_.data(), w.size()), now);
    ++counters_.hello_sent;
    last_activity_ = now;
  }
}

std::optional<TimePoint> Tunnel::next_deadline() const {
  std::optional<TimePoint> t = channel_.next_deadline();
  auto consider = [&](TimePoint d) {
    if (!t || d < *t) t = d;
  };
  if (state_ == TunnelState::kEstablished) consider(last_activity_ + settings_.hello_interval);
  if (state_ == TunnelState::kClosing) consider(closed_at_ + settings_.closing_hold);
  return t;
}

}  // namespace pppoe::l2tp
