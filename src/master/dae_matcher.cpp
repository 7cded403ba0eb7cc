#include "master/dae_matcher.hpp"

#include <cstring>

#include "proto/pppoe.hpp"
#include "radius/policy_attributes.hpp"

namespace pppoe::master {

using radius::Attr;
using radius::ErrorCause;

namespace {
bool identification(std::uint8_t t) {
  switch (static_cast<Attr>(t)) {
    case Attr::kAcctSessionId:
    case Attr::kUserName:
    case Attr::kFramedIpAddress:
    case Attr::kFramedIpv6Prefix:    // RFC 5176 section 3: IPv6 sessions too
    case Attr::kDelegatedIpv6Prefix:
    case Attr::kNasPort:
    case Attr::kCallingStationId: return true;
    default: return false;
  }
}

/// Attributes that may travel with any request without changing anything.
bool harmless(std::uint8_t t) {
  switch (static_cast<Attr>(t)) {
    case Attr::kNasIpAddress:
    case Attr::kNasIdentifier:
    case Attr::kMessageAuthenticator:
    case Attr::kEventTimestamp:
    case Attr::kProxyState:
    case Attr::kState:
    case Attr::kAcctTerminateCause:
    case Attr::kReplyMessage:
    case Attr::kNasPortId:
    case Attr::kNasPortType:
    case Attr::kCalledStationId:
    case Attr::kServiceType:
    case Attr::kClass:
    case Attr::kErrorCause: return true;
    default: return false;
  }
}
}  // namespace

DaeMatch match_dae_request(const radius::PacketView& req, const dataplane::SessionTable& table,
                           const radius::NasInfo& nas) {
  DaeMatch m;
  bool coa = req.code == radius::Code::kCoaRequest;
  if (auto ip = req.address(Attr::kNasIpAddress); ip && (!nas.ip || *ip != *nas.ip)) {
    m.refusal = ErrorCause::kNasIdentificationMismatch;
    return m;
  }
  if (auto id = req.text(Attr::kNasIdentifier); id && *id != nas.identifier) {
    m.refusal = ErrorCause::kNasIdentificationMismatch;
    return m;
  }
  bool any_id = false;
  for (const auto& a : req.attributes) {
    if (identification(a.type)) {
      any_id = true;
      continue;
    }
    if (harmless(a.type)) continue;
    if (coa && (a.type == static_cast<std::uint8_t>(Attr::kSessionTimeout) ||
                a.type == static_cast<std::uint8_t>(Attr::kIdleTimeout) || radius::is_policy_attribute(a)))
      continue;
    m.refusal = ErrorCause::kUnsupportedAttribute;
    return m;
  }
  if (!any_id) {
    m.refusal = ErrorCause::kMissingAttribute;
    return m;
  }
  if (coa) {
    m.session_timeout = req.u32(Attr::kSessionTimeout);
    m.idle_timeout = req.u32(Attr::kIdleTimeout);
    auto policy = radius::policy_attributes(req);
    if (!policy) {
      m.refusal = ErrorCause::kInvalidAttributeValue;  // RFC 5176 section 3.5: 407
      m.problem = policy.error();
      return m;
    }
    m.policy = *policy;
    if (!m.session_timeout && !m.idle_timeout && m.policy.empty()) {
      m.refusal = ErrorCause::kMissingAttribute;  // nothing to change
      return m;
    }
  }
  auto acct = req.text(Attr::kAcctSessionId);
  auto user = req.text(Attr::kUserName);
  auto ip = req.address(Attr::kFramedIpAddress);
  auto ipv6_prefix = req.ipv6_prefix(Attr::kFramedIpv6Prefix);
  auto delegated = req.ipv6_prefix(Attr::kDelegatedIpv6Prefix);
  if ((req.find(Attr::kFramedIpv6Prefix) && !ipv6_prefix) || (req.find(Attr::kDelegatedIpv6Prefix) && !delegated)) {
    m.refusal = ErrorCause::kInvalidAttributeValue;
    return m;
  }
  auto port = req.u32(Attr::kNasPort);
  auto calling = req.text(Attr::kCallingStationId);
  auto mac = calling ? MacAddress::parse(*calling) : std::nullopt;
  if (calling && !mac) {
    m.refusal = ErrorCause::kSessionContextNotFound;
    return m;
  }
  auto consider = [&](std::uint16_t id) {
    auto r = table.read(id);
    if (!r || r->state != dataplane::SessionState::kUp) return;
    if (acct && *acct != std::string_view(r->acct_session_id, strnlen(r->acct_session_id, sizeof r->acct_session_id))) return;
    if (user && *user != std::string_view(r->user, strnlen(r->user, sizeof r->user))) return;
    if (ip && ip->value != r->ipv4) return;
    if (ipv6_prefix && *ipv6_prefix != Ipv6Prefix{r->ipv6_prefix, r->ipv6_prefix_len}) return;
    if (delegated && *delegated != Ipv6Prefix{r->delegated_prefix, r->delegated_prefix_len}) return;
    if (port && *port != id) return;
    if (mac && *mac != r->client_mac) return;
    m.sessions.push_back(id);
  };
  if (port) {
    if (*port >= 1 && *port <= pppoe_proto::kMaxSessionId) consider(static_cast<std::uint16_t>(*port));
  } else {
    for (std::uint32_t id = 1; id <= pppoe_proto::kMaxSessionId; ++id) consider(static_cast<std::uint16_t>(id));
  }
  if (m.sessions.empty()) m.refusal = ErrorCause::kSessionContextNotFound;
  return m;
}

}  // namespace pppoe::master
