#include "radius/access.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "radius/policy_attributes.hpp"

namespace pppoe::radius {
namespace {

std::optional<Ipv4Address> vendor_address(const PacketView& p, std::uint32_t vendor, MsAttr type) {
  auto v = p.vendor(vendor, static_cast<std::uint8_t>(type));
  if (!v || v->size() != 4) return std::nullopt;
  return Ipv4Address{*ByteReader(*v).u32()};
}

/// MS-CHAP2-Success / MS-CHAP-Error: Ident (1 octet) + text (RFC 2548 sections 2.3.3, 2.1.5).
std::optional<std::string> ms_text(const PacketView& p, MsAttr type) {
  auto v = p.vendor(kVendorMicrosoft, static_cast<std::uint8_t>(type));
  if (!v || v->size() < 2) return std::nullopt;
  return std::string(as_text(v->subspan(1)));
}

}  // namespace

std::string nas_port_id(std::string_view interface, const ether::VlanStack& vlans) {
  std::string s(interface);
  for (std::size_t i = 0; i < vlans.count; ++i) s += fmt::format("{}{}", i == 0 ? ":" : ".", vlans.tags[i].vid());
  return s;
}

void add_session_attributes(PacketBuilder& b, const NasInfo& nas, const SessionIdentity& who) {
  if (!nas.identifier.empty()) b.add(Attr::kNasIdentifier, nas.identifier);
  if (nas.ip) b.add_address(Attr::kNasIpAddress, *nas.ip);
  b.add_u32(Attr::kNasPort, who.session_id);
  b.add(Attr::kNasPortId, who.nas_port_id);
  b.add_u32(Attr::kNasPortType, static_cast<std::uint32_t>(who.virtual_port ? NasPortType::kVirtual : nas.port_type));
  b.add(Attr::kCallingStationId, who.calling_station_id.empty() ? who.mac.to_string() : who.calling_station_id);
  if (!nas.called_station_id.empty()) b.add(Attr::kCalledStationId, nas.called_station_id);
  b.add_u32(Attr::kServiceType, static_cast<std::uint32_t>(ServiceType::kFramed));
  b.add_u32(Attr::kFramedProtocol, static_cast<std::uint32_t>(FramedProtocol::kPpp));
  if (!who.acct_session_id.empty()) b.add(Attr::kAcctSessionId, who.acct_session_id);
  // RFC 4679 section 4: line identification an intermediate agent put into discovery.
  if (!who.circuit_id.empty())
    b.add_vendor(kVendorDslForum, static_cast<std::uint8_t>(DslAttr::kAgentCircuitId), as_bytes(who.circuit_id));
  if (!who.remote_id.empty())
    b.add_vendor(kVendorDslForum, static_cast<std::uint8_t>(DslAttr::kAgentRemoteId), as_bytes(who.remote_id));
}

Request access_request(const session::AuthRequest& auth, const NasInfo& nas, const SessionIdentity& who) {
  PacketBuilder b(Code::kAccessRequest, 0);
  b.add(Attr::kUserName, auth.user);
  add_session_attributes(b, nas, who);
  Request r;
  r.code = Code::kAccessRequest;
  switch (auth.method) {
    case ppp::AuthMethod::kNone:
    case ppp::AuthMethod::kPap:
      r.password = auth.password;
      break;
    case ppp::AuthMethod::kChapMd5: {
      // RFC 2865 section 5.3: CHAP Ident + 16-octet response; the challenge in CHAP-Challenge.
      std::vector<std::uint8_t> pw{auth.chap_id};
      pw.insert(pw.end(), auth.response.begin(), auth.response.end());
      b.add(Attr::kChapPassword, Bytes(pw));
      b.add(Attr::kChapChallenge, Bytes(auth.challenge));
      break;
    }
    case ppp::AuthMethod::kMsChapV2: {
      // RFC 2548 sections 2.3.2 and 2.1.5. Our response value is RFC 2759's: Peer-Challenge (16),
      // Reserved (8), NT-Response (24), Flags (1); the attribute is Ident, Flags, then the rest.
      b.add_vendor(kVendorMicrosoft, static_cast<std::uint8_t>(MsAttr::kChapChallenge), Bytes(auth.challenge));
      if (auth.response.size() == ppp::mschapv2::kResponseSize) {
        std::vector<std::uint8_t> v{auth.chap_id, auth.response[48]};
        v.insert(v.end(), auth.response.begin(), auth.response.begin() + 48);
        b.add_vendor(kVendorMicrosoft, static_cast<std::uint8_t>(MsAttr::kChap2Response), Bytes(v));
      }
      break;
    }
  }
  r.attributes = b.attributes();
  return r;
}

AccessOutcome interpret_access_reply(const PacketView& reply, const session::AuthRequest& auth,
                                     const Authenticator& request_auth, std::string_view secret) {
  AccessOutcome o;
  auto& r = o.result;
  r.radius = true;
  if (auto m = reply.text(Attr::kReplyMessage)) r.reply_message = std::string(m->substr(0, 200));
  if (reply.code == Code::kAccessChallenge) {
    o.challenge = true;  // PPP's methods have no second round: a challenge is a failure
    return o;
  }
  if (reply.code != Code::kAccessAccept) {
    if (auto e = ms_text(reply, MsAttr::kChapError)) r.mschap_error = *e;
    return o;
  }
  if (auth.method == ppp::AuthMethod::kMsChapV2) {
    // Without the authenticator response the peer cannot verify us (RFC 2759 section 5).
    auto success = ms_text(reply, MsAttr::kChap2Success);
    if (!success || success->size() != 42 || !success->starts_with("S=")) {
      o.problem = "Access-Accept without a valid MS-CHAP2-Success";
      return o;
    }
    r.mschap_success = *success;
    auto send = reply.vendor(kVendorMicrosoft, static_cast<std::uint8_t>(MsAttr::kMppeSendKey));
    auto recv = reply.vendor(kVendorMicrosoft, static_cast<std::uint8_t>(MsAttr::kMppeRecvKey));
    if (send || recv) {
      // Keys are unused (no MPPE over PPPoE here) but checked: garbage means a wrong secret.
      auto s = send ? decrypt_mppe_key(*send, request_auth, secret) : std::nullopt;
      auto v = recv ? decrypt_mppe_key(*recv, request_auth, secret) : std::nullopt;
      if (!s || !v) {
        o.problem = "Access-Accept with malformed MS-MPPE keys";
        return o;
      }
      o.mppe_keys = true;
    }
  }
  r.ok = true;
  // RFC 2865 section 5.8: 0xFFFFFFFF lets the user choose, 0xFFFFFFFE lets the NAS choose
  // (both mean: from a pool here).
  if (auto ip = reply.address(Attr::kFramedIpAddress); ip && ip->value != 0xffffffff && ip->value != 0xfffffffe && !ip->is_zero())
    r.framed_ip = *ip;
  r.framed_netmask = reply.address(Attr::kFramedIpNetmask);
  if (auto pool = reply.text(Attr::kFramedPool)) r.framed_pool = std::string(*pool);
  // IPv6: a session's WAN prefix must be a /64 (SLAAC); a delegated prefix 48..64.
  if (auto p = reply.ipv6_prefix(Attr::kFramedIpv6Prefix); p && p->length == 64) r.framed_ipv6_prefix = *p;
  if (auto p = reply.ipv6_prefix(Attr::kDelegatedIpv6Prefix); p && p->length >= 48) r.delegated_prefix = *p;
  if (auto pool = reply.text(Attr::kFramedIpv6Pool)) r.framed_ipv6_pool = std::string(*pool);
  if (auto pool = reply.text(Attr::kDelegatedIpv6PrefixPool)) r.delegated_pool = std::string(*pool);
  r.dns6 = reply.ipv6_addresses(Attr::kDnsServerIpv6Address);
  if (r.dns6.size() > 3) r.dns6.resize(3);
  if (auto v = reply.u32(Attr::kSessionTimeout); v && *v > 0) r.session_timeout = *v;
  if (auto v = reply.u32(Attr::kIdleTimeout); v && *v > 0) r.idle_timeout = *v;
  if (auto v = reply.u32(Attr::kAcctInterimInterval); v && *v > 0) r.interim_interval = *v;
  if (auto v = reply.u32(Attr::kFramedMtu); v && *v >= 64) r.framed_mtu = static_cast<std::uint16_t>(std::min<std::uint32_t>(*v, 65535));
  if (auto c = reply.find(Attr::kClass)) r.class_attr.assign(c->begin(), c->end());
  r.dns1 = vendor_address(reply, kVendorMicrosoft, MsAttr::kPrimaryDnsServer);
  r.dns2 = vendor_address(reply, kVendorMicrosoft, MsAttr::kSecondaryDnsServer);
  r.tunnels = tunnel_choices(reply, request_auth, secret, o.tunnel_problem);
  // Networks behind the subscriber: each route that parses (RFC 2865 section 5.22, RFC 3162
  // section 2.5), as many as the session record keeps; the others named in the log.
  for (const auto& a : reply.attributes) {
    bool v6 = a.type == static_cast<std::uint8_t>(Attr::kFramedIpv6Route);
    if (!v6 && a.type != static_cast<std::uint8_t>(Attr::kFramedRoute)) continue;
    std::string_view text(reinterpret_cast<const char*>(a.value.data()), a.value.size());
    std::string problem;
    if (v6) {
      auto p = policy::parse_framed_ipv6_route(text);
      if (p && r.routes.v6.size() < policy::kMaxRoutes6) r.routes.v6.push_back(*p);
      else problem = p ? "more Framed-IPv6-Routes than a session keeps" : p.error();
    } else {
      auto p = policy::parse_framed_route(text);
      if (p && r.routes.v4.size() < policy::kMaxRoutes4) r.routes.v4.push_back(*p);
      else problem = p ? "more Framed-Routes than a session keeps" : p.error();
    }
    if (!problem.empty() && o.route_problem.empty()) o.route_problem = problem;
  }
  if (auto policy = policy_attributes(reply)) {
    r.rate = policy->rate;
    r.qos_policy_down = policy->qos_down;
    r.qos_policy_up = policy->qos_up;
    r.filter = policy->filter;
  } else {
    o.policy_problem = policy.error();
  }
  return o;
}

std::vector<session::TunnelChoice> tunnel_choices(const PacketView& reply, const Authenticator& request_auth,
                                                  std::string_view secret, std::string& problem) {
  constexpr std::uint32_t kL2tp = 3, kIpv4 = 1;  // RFC 2868 sections 3.1 and 3.2
  struct Tagged {
    session::TunnelChoice choice;
    std::uint32_t type = 0, medium = 0;
    bool server = false;
  };
  std::map<std::uint8_t, Tagged> by_tag;
  auto note = [&](std::string what) {
    if (problem.empty()) problem = std::move(what);
  };
  // RFC 2868 section 3: a string attribute's first octet is a tag when it is 0x01-0x1F;
  // integer attributes always carry one (0: none) before a 3-octet value.
  auto tagged_string = [](Bytes v) -> std::pair<std::uint8_t, std::string_view> {
    if (!v.empty() && v[0] >= 0x01 && v[0] <= 0x1f) return {v[0], as_text(v.subspan(1))};
    return {0, as_text(v)};
  };
  auto tagged_u24 = [](Bytes v) -> std::optional<std::pair<std::uint8_t, std::uint32_t>> {
    if (v.size() != 4) return std::nullopt;
    return std::pair{v[0], std::uint32_t{v[1]} << 16 | std::uint32_t{v[2]} << 8 | v[3]};
  };
  for (const auto& a : reply.attributes) {
    Bytes v = a.value;
    switch (static_cast<Attr>(a.type)) {
      case Attr::kTunnelType:
      case Attr::kTunnelMediumType:
      case Attr::kTunnelPreference: {
        auto t = tagged_u24(v);
        if (!t) {
          note(fmt::format("malformed tunnel attribute {}", a.type));
          continue;
        }
        auto& e = by_tag[t->first];
        if (a.type == static_cast<std::uint8_t>(Attr::kTunnelType)) e.type = t->second;
        else if (a.type == static_cast<std::uint8_t>(Attr::kTunnelMediumType)) e.medium = t->second;
        else e.choice.preference = t->second;
        break;
      }
      case Attr::kTunnelServerEndpoint:
      case Attr::kTunnelClientEndpoint: {
        auto [tag, text] = tagged_string(v);
        // Dotted decimal for IPv4 (section 3.3); some servers add ":PORT".
        std::string host(text.substr(0, text.find(':')));
        auto addr = Ipv4Address::parse(host);
        std::uint16_t port = 1701;
        if (auto colon = text.find(':'); colon != std::string_view::npos) {
          unsigned p = 0;
          auto digits = text.substr(colon + 1);
          auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
          if (ec != std::errc{} || end != digits.data() + digits.size() || p == 0 || p > 65535) addr = std::nullopt;
          port = static_cast<std::uint16_t>(p);
        }
        if (!addr) {
          note("a tunnel endpoint that is not an IPv4 address");
          continue;
        }
        auto& e = by_tag[tag];
        if (a.type == static_cast<std::uint8_t>(Attr::kTunnelServerEndpoint)) {
          e.choice.server = *addr;
          e.choice.server_port = port;
          e.server = true;
        } else {
          e.choice.client = *addr;
        }
        break;
      }
      case Attr::kTunnelPassword: {
        // Section 3.5: Tag (always present), then Salt and the encrypted password, as MPPE keys.
        if (v.empty()) continue;
        auto plain = decrypt_mppe_key(v.subspan(1), request_auth, secret);
        if (!plain) {
          note("a Tunnel-Password that does not decrypt (wrong RADIUS secret?)");
          continue;
        }
        by_tag[v[0] <= 0x1f ? v[0] : 0].choice.password.assign(plain->begin(), plain->end());
        break;
      }
      case Attr::kTunnelAssignmentId:
      case Attr::kTunnelClientAuthId:
      case Attr::kTunnelServerAuthId: {
        auto [tag, text] = tagged_string(v);
        auto& c = by_tag[tag].choice;
        (a.type == static_cast<std::uint8_t>(Attr::kTunnelAssignmentId) ? c.assignment_id
         : a.type == static_cast<std::uint8_t>(Attr::kTunnelClientAuthId) ? c.client_auth_id
                                                                            : c.server_auth_id) = std::string(text);
        break;
      }
      default: break;
    }
  }
  std::vector<session::TunnelChoice> out;
  for (auto& [tag, e] : by_tag) {
    if (e.type != kL2tp || e.medium != kIpv4 || !e.server) {
      note(fmt::format("tunnel tag {}: not Tunnel-Type L2TP, Tunnel-Medium-Type IPv4 with a Tunnel-Server-Endpoint", tag));
      continue;
    }
    e.choice.tag = tag;
    out.push_back(std::move(e.choice));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.preference < b.preference; });
  return out;
}

}  // namespace pppoe::radius
