#include "l2tp/session.hpp"

#include <fmt/format.h>

namespace pppoe::l2tp {
namespace {
constexpr std::uint32_t kFramingSync = 0x1;  // section 4.4.5: PPPoE carries PPP without HDLC framing
constexpr std::uint32_t kBearerDigital = 0x1;
}  // namespace

const char* to_string(SessionState s) {
  switch (s) {
    case SessionState::kIdle: return "idle";
    case SessionState::kWaitReply: return "wait-reply";
    case SessionState::kWaitConnect: return "wait-connect";
    case SessionState::kEstablished: return "established";
    case SessionState::kClosed: return "closed";
  }
  return "?";
}

Session::Session(SessionOutput& out, std::uint16_t local_id, std::string secret)
    : out_(out), local_id_(local_id), secret_(std::move(secret)), buf_(4096) {}

void Session::place(const CallInfo& call) {
  if (state_ != SessionState::kIdle) return;
  call_ = call;
  AvpWriter w(buf_);
  w.message_type(MessageType::kIcrq);
  w.u16(AvpType::kAssignedSessionId, local_id_);
  w.u32(AvpType::kCallSerialNumber, call.serial);
  w.u32(AvpType::kBearerType, kBearerDigital);
  if (call.physical_channel != 0) w.u32(AvpType::kPhysicalChannelId, call.physical_channel, false);
  if (!call.calling_number.empty()) w.text(AvpType::kCallingNumber, call.calling_number);
  if (!call.called_number.empty()) w.text(AvpType::kCalledNumber, call.called_number);
  // RFC 5515 section 3: vendor 3561 (Broadband Forum), types as TR-101's PPPoE sub-options.
  if (!call.circuit_id.empty()) w.vendor_bytes(kVendorBroadbandForum, kAgentCircuitId, as_bytes(call.circuit_id));
  if (!call.remote_id.empty()) w.vendor_bytes(kVendorBroadbandForum, kAgentRemoteId, as_bytes(call.remote_id));
  out_.send_session(0, Bytes(buf_.data(), w.size()));
  state_ = SessionState::kWaitReply;
}

void Session::disconnect(std::uint16_t result, std::uint16_t error, const std::string& why) {
  if (state_ == SessionState::kClosed) return;
  AvpWriter w(buf_);
  w.message_type(MessageType::kCdn);
  w.result_code(result, error, why);
  w.u16(AvpType::kAssignedSessionId, local_id_);
  out_.send_session(peer_id_, Bytes(buf_.data(), w.size()));
  close(result, why);
}

void Session::close(std::uint16_t result, const std::string& why) {
  state_ = SessionState::kClosed;
  out_.session_down(result, why);
}

void Session::receive(const ControlMessage& m) {
  if (state_ == SessionState::kClosed || !m.type) return;
  if (*m.type == MessageType::kCdn) {
    auto [result, why] = m.result("CDN from the peer");
    close(result, why);
    return;
  }
  if (const Avp* u = m.unknown_mandatory()) {
    // Section 4.1: the session cannot go on; the tunnel can.
    disconnect(result::kCdnGeneralError, error::kUnknownMandatoryAvp,
               fmt::format("unknown mandatory AVP {} (vendor {}) in {}", u->type, u->vendor, to_string(*m.type)));
    return;
  }
  switch (*m.type) {
    case MessageType::kIcrq:
      if (state_ == SessionState::kIdle) return on_icrq(m);
      break;
    case MessageType::kIcrp:
      if (state_ == SessionState::kWaitReply) return on_icrp(m);
      break;
    case MessageType::kIccn:
      if (state_ == SessionState::kWaitConnect) return on_iccn(m);
      break;
    case MessageType::kWen:
    case MessageType::kSli:
      return;  // link information for async lines; nothing to do on PPPoE
    default: break;
  }
  disconnect(result::kCdnGeneralError, error::kNone, fmt::format("{} in state {}", to_string(*m.type), to_string(state_)));
}

void Session::on_icrq(const ControlMessage& m) {
  const Avp* id = m.find(AvpType::kAssignedSessionId);
  const Avp* serial = m.find(AvpType::kCallSerialNumber);
  if (!id || !id->u16() || *id->u16() == 0 || !serial || !serial->u32()) {
    disconnect(result::kCdnGeneralError, error::kBadLength, "ICRQ without Assigned Session ID or Call Serial Number");
    return;
  }
  peer_id_ = *id->u16();
  call_.serial = *serial->u32();
  if (const Avp* a = m.find(AvpType::kCallingNumber)) call_.calling_number = std::string(a->text());
  if (const Avp* a = m.find(AvpType::kCalledNumber)) call_.called_number = std::string(a->text());
  if (const Avp* a = m.find(AvpType::kPhysicalChannelId); a && a->u32()) call_.physical_channel = *a->u32();
  for (const Avp& a : m.avps)
    if (a.vendor == kVendorBroadbandForum && (a.type == kAgentCircuitId || a.type == kAgentRemoteId))
      (a.type == kAgentCircuitId ? call_.circuit_id : call_.remote_id) = std::string(a.text());
  AvpWriter w(buf_);
  w.message_type(MessageType::kIcrp);
  w.u16(AvpType::kAssignedSessionId, local_id_);
  out_.send_session(peer_id_, Bytes(buf_.data(), w.size()));
  state_ = SessionState::kWaitConnect;
}

void Session::on_icrp(const ControlMessage& m) {
  const Avp* id = m.find(AvpType::kAssignedSessionId);
  if (!id || !id->u16() || *id->u16() == 0) {
    disconnect(result::kCdnGeneralError, error::kBadLength, "ICRP without Assigned Session ID");
    return;
  }
  peer_id_ = *id->u16();
  AvpWriter w(buf_);
  w.message_type(MessageType::kIccn);
  w.u32(AvpType::kTxConnectSpeed, call_.tx_connect_speed);
  w.u32(AvpType::kFramingType, kFramingSync);
  if (call_.rx_connect_speed != 0) w.u32(AvpType::kRxConnectSpeed, call_.rx_connect_speed, false);
  // Proxy LCP and authentication (section 4.4.5): optional, so without the M bit.
  if (!call_.initial_received_confreq.empty())
    w.bytes(AvpType::kInitialReceivedConfreq, call_.initial_received_confreq, false);
  if (!call_.last_sent_confreq.empty()) w.bytes(AvpType::kLastSentConfreq, call_.last_sent_confreq, false);
  if (!call_.last_received_confreq.empty()) w.bytes(AvpType::kLastReceivedConfreq, call_.last_received_confreq, false);
  if (call_.proxy_auth_type != 0) {
    w.u16(AvpType::kProxyAuthenType, call_.proxy_auth_type, false);
    w.text(AvpType::kProxyAuthenName, call_.proxy_auth_name, false);
    if (!call_.proxy_auth_challenge.empty()) w.bytes(AvpType::kProxyAuthenChallenge, call_.proxy_auth_challenge, false);
    w.u16(AvpType::kProxyAuthenId, call_.proxy_auth_id, false);
    if (!secret_.empty()) {
      // A PAP password travels here: hidden (section 4.3) whenever the tunnel has a secret.
      std::uint8_t vector[16];
      out_.random(vector);
      w.random_vector(vector);
      w.hidden(AvpType::kProxyAuthenResponse, call_.proxy_auth_response, secret_, vector, false);
    } else {
      w.bytes(AvpType::kProxyAuthenResponse, call_.proxy_auth_response, false);
    }
  }
  out_.send_session(peer_id_, Bytes(buf_.data(), w.size()));
  state_ = SessionState::kEstablished;
  out_.session_up();
}

void Session::on_iccn(const ControlMessage& m) {
  const Avp* speed = m.find(AvpType::kTxConnectSpeed);
  const Avp* framing = m.find(AvpType::kFramingType);
  if (!speed || !speed->u32() || !framing || !framing->u32()) {
    disconnect(result::kCdnGeneralError, error::kBadLength, "ICCN without (Tx) Connect Speed or Framing Type");
    return;
  }
  call_.tx_connect_speed = *speed->u32();
  framing_type_ = *framing->u32();
  if (const Avp* a = m.find(AvpType::kRxConnectSpeed); a && a->u32()) call_.rx_connect_speed = *a->u32();
  if (const Avp* a = m.find(AvpType::kInitialReceivedConfreq)) call_.initial_received_confreq = a->value;
  if (const Avp* a = m.find(AvpType::kLastSentConfreq)) call_.last_sent_confreq = a->value;
  if (const Avp* a = m.find(AvpType::kLastReceivedConfreq)) call_.last_received_confreq = a->value;
  if (const Avp* a = m.find(AvpType::kProxyAuthenType); a && a->u16()) call_.proxy_auth_type = *a->u16();
  if (const Avp* a = m.find(AvpType::kProxyAuthenName)) call_.proxy_auth_name = std::string(a->text());
  if (const Avp* a = m.find(AvpType::kProxyAuthenChallenge)) call_.proxy_auth_challenge = a->value;
  if (const Avp* a = m.find(AvpType::kProxyAuthenId); a && a->u16()) call_.proxy_auth_id = *a->u16();
  if (const Avp* a = m.find(AvpType::kProxyAuthenResponse)) call_.proxy_auth_response = a->value;
  sequencing_required_ = m.find(AvpType::kSequencingRequired) != nullptr;
  state_ = SessionState::kEstablished;
  out_.session_up();
}

}  // namespace pppoe::l2tp
