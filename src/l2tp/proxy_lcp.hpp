// The LNS's reading of a LAC's Proxy LCP and Proxy Authentication AVPs (RFC 2661 section 18):
// what the LAC and the subscriber agreed in LCP, and the credentials the subscriber sent, so
// that the LNS can continue the link where the LAC left it (LCP Opened, authentication answered
// by us) instead of negotiating again.
//
// Taken only when consistent with what this LNS would have agreed: options it knows and
// honours, an authentication method it offers with a proxy type that carries everything needed
// to check it (PAP; CHAP-MD5 with the 16-octet challenge it asks for). Anything else is a
// reason in words, and the LNS renegotiates LCP (section 18 allows either).
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>

#include "l2tp/session.hpp"
#include "proto/ppp/lcp.hpp"
#include "session/server_session.hpp"

namespace pppoe::l2tp {

/// local_magic: the LAC's Magic-Number, ours on the link from now on; peer_mru: the
/// subscriber's MRU (RFC 1661's 1500 when it sent none); request: what the subscriber sent.
using ProxyStart = session::ProxiedLink;

/// `allowed`: the authentication methods this LNS offers (its `auth` setting).
std::expected<ProxyStart, std::string> read_proxy(const CallInfo& call, std::span<const ppp::AuthMethod> allowed);

}  // namespace pppoe::l2tp
