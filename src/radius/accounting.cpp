#include "radius/accounting.hpp"

namespace pppoe::radius {

TerminateCause terminate_cause(session::EndReason reason) {
  using session::EndReason;
  switch (reason) {
    case EndReason::kPeerTerminate:
    case EndReason::kPeerPadt: return TerminateCause::kUserRequest;
    case EndReason::kEchoTimeout: return TerminateCause::kLostCarrier;
    case EndReason::kSessionTimeout: return TerminateCause::kSessionTimeout;
    case EndReason::kIdleTimeout: return TerminateCause::kIdleTimeout;
    case EndReason::kAdminReset: return TerminateCause::kAdminReset;
    case EndReason::kShutdown: return TerminateCause::kAdminReboot;
    case EndReason::kLoopback: return TerminateCause::kPortError;
    case EndReason::kAuthFailed:
    case EndReason::kAuthTimeout: return TerminateCause::kUserError;
    case EndReason::kLcpFailed:
    case EndReason::kNcpFailed:
    case EndReason::kTunnelDown: return TerminateCause::kServiceUnavailable;
    case EndReason::kPoolExhausted:
    case EndReason::kNone: return TerminateCause::kNasError;
  }
  return TerminateCause::kNasError;
}

Request accounting_request(const AcctRecord& rec, const NasInfo& nas, const SessionIdentity& who) {
  PacketBuilder b(Code::kAccountingRequest, 0);
  b.add_u32(Attr::kAcctStatusType, static_cast<std::uint32_t>(rec.status));
  b.add(Attr::kUserName, rec.user);
  add_session_attributes(b, nas, who);
  b.add_u32(Attr::kAcctAuthentic,
            static_cast<std::uint32_t>(rec.radius_authenticated ? AcctAuthentic::kRadius : AcctAuthentic::kLocal));
  if (!rec.framed_ip.is_zero()) b.add_address(Attr::kFramedIpAddress, rec.framed_ip);
  if (!rec.framed_ipv6_prefix.empty()) b.add_ipv6_prefix(Attr::kFramedIpv6Prefix, rec.framed_ipv6_prefix);
  if (!rec.delegated_prefix.empty()) b.add_ipv6_prefix(Attr::kDelegatedIpv6Prefix, rec.delegated_prefix);
  // RFC 2865 section 5.25: Class as received, unmodified.
  if (!rec.class_attr.empty()) b.add(Attr::kClass, Bytes(rec.class_attr));
  b.add_u32(Attr::kEventTimestamp, static_cast<std::uint32_t>(rec.event_unix));
  if (const auto& t = rec.tunnel) {
    // RFC 2867 section 3 / RFC 2868: one tunnel, so untagged (tag 0).
    auto u24 = [&](Attr a, std::uint32_t v) {
      std::array<std::uint8_t, 4> x{0, static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
                                    static_cast<std::uint8_t>(v)};
      b.add(a, Bytes(x));
    };
    u24(Attr::kTunnelType, 3);        // L2TP
    u24(Attr::kTunnelMediumType, 1);  // IPv4
    if (!t->client_endpoint.empty()) b.add(Attr::kTunnelClientEndpoint, t->client_endpoint);
    b.add(Attr::kTunnelServerEndpoint, t->server_endpoint);
    b.add(Attr::kAcctTunnelConnection, t->connection);
    if (!t->client_auth_id.empty()) b.add(Attr::kTunnelClientAuthId, t->client_auth_id);
    if (!t->server_auth_id.empty()) b.add(Attr::kTunnelServerAuthId, t->server_auth_id);
    if (!t->assignment_id.empty()) b.add(Attr::kTunnelAssignmentId, t->assignment_id);
  }
  if (rec.status != AcctStatus::kStart) {
    // RFC 2869 section 5.1/5.2: the low 32 bits, and how often they wrapped.
    b.add_u32(Attr::kAcctInputOctets, static_cast<std::uint32_t>(rec.input_octets));
    b.add_u32(Attr::kAcctInputGigawords, static_cast<std::uint32_t>(rec.input_octets >> 32));
    b.add_u32(Attr::kAcctOutputOctets, static_cast<std::uint32_t>(rec.output_octets));
    b.add_u32(Attr::kAcctOutputGigawords, static_cast<std::uint32_t>(rec.output_octets >> 32));
    b.add_u32(Attr::kAcctInputPackets, static_cast<std::uint32_t>(rec.input_packets));
    b.add_u32(Attr::kAcctOutputPackets, static_cast<std::uint32_t>(rec.output_packets));
    b.add_u32(Attr::kAcctSessionTime, rec.session_time);
  }
  if (rec.status == AcctStatus::kStop && rec.cause)
    b.add_u32(Attr::kAcctTerminateCause, static_cast<std::uint32_t>(*rec.cause));
  Request r;
  r.code = Code::kAccountingRequest;
  r.delay_time = true;
  r.attributes = b.attributes();
  return r;
}

Request accounting_on_off(bool on, const NasInfo& nas, std::string_view acct_session_id, std::int64_t event_unix) {
  PacketBuilder b(Code::kAccountingRequest, 0);
  b.add_u32(Attr::kAcctStatusType, static_cast<std::uint32_t>(on ? AcctStatus::kAccountingOn : AcctStatus::kAccountingOff));
  if (!nas.identifier.empty()) b.add(Attr::kNasIdentifier, nas.identifier);
  if (nas.ip) b.add_address(Attr::kNasIpAddress, *nas.ip);
  b.add(Attr::kAcctSessionId, acct_session_id);
  b.add_u32(Attr::kEventTimestamp, static_cast<std::uint32_t>(event_unix));
  if (!on) b.add_u32(Attr::kAcctTerminateCause, static_cast<std::uint32_t>(TerminateCause::kAdminReboot));
  Request r;
  r.code = Code::kAccountingRequest;
  r.delay_time = true;
  r.attributes = b.attributes();
  return r;
}

}  // namespace pppoe::radius
