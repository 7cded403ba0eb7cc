#include "l2tp/proxy_lcp.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/bytes.hpp"

namespace pppoe::l2tp {
namespace {

// RFC 1661 section 6 / RFC 1994 / RFC 2759: LCP configuration option types.
constexpr std::uint8_t kMru = 1, kAccm = 2, kAuthProtocol = 3, kMagic = 5, kPfc = 7, kAcfc = 8;

struct Options {
  std::optional<std::uint16_t> mru;
  std::optional<std::uint32_t> magic;
  std::optional<ppp::AuthMethod> auth;
  bool auth_unknown = false;
};

/// The options of one Configure-Request as the Proxy LCP AVPs carry them (no LCP header).
/// `side` names whose they are, for the reason.
std::expected<Options, std::string> parse(Bytes raw, const char* side, bool may_ask_auth) {
  Options o;
  ByteReader r(raw);
  while (r.remaining() > 0) {
    auto type = r.u8();
    auto len = r.u8();
    if (!type || !len || *len < 2 || *len - 2u > r.remaining())
      return std::unexpected(fmt::format("{}'s options are truncated", side));
    Bytes value = *r.bytes(*len - 2u);
    switch (*type) {
      case kMru:
        if (value.size() != 2) return std::unexpected(fmt::format("{}'s MRU option has length {}", side, *len));
        o.mru = static_cast<std::uint16_t>(value[0] << 8 | value[1]);
        break;
      case kMagic:
        if (value.size() != 4) return std::unexpected(fmt::format("{}'s Magic-Number option has length {}", side, *len));
        o.magic = std::uint32_t{value[0]} << 24 | std::uint32_t{value[1]} << 16 | std::uint32_t{value[2]} << 8 | value[3];
        break;
      case kAccm:
      case kAcfc:
        break;  // meaningless on a synchronous link (RFC 1662 section 7.1); ACFC: we accept FF 03 or not
      case kAuthProtocol: {
        if (!may_ask_auth) return std::unexpected(fmt::format("the {} asked to authenticate the LAC", side));
        if (value.size() == 2 && value[0] == 0xc0 && value[1] == 0x23) o.auth = ppp::AuthMethod::kPap;
        else if (value.size() == 3 && value[0] == 0xc2 && value[1] == 0x23 && value[2] == 5) o.auth = ppp::AuthMethod::kChapMd5;
        else if (value.size() == 3 && value[0] == 0xc2 && value[1] == 0x23 && value[2] == 0x81) o.auth = ppp::AuthMethod::kMsChapV2;
        else o.auth_unknown = true;
        break;
      }
      case kPfc: return std::unexpected(fmt::format("the {} agreed to Protocol-Field-Compression", side));
      default: return std::unexpected(fmt::format("the {} agreed to LCP option {}", side, *type));
    }
  }
  return o;
}

}  // namespace

std::expected<ProxyStart, std::string> read_proxy(const CallInfo& call, std::span<const ppp::AuthMethod> allowed) {
  if (call.last_sent_confreq.empty() && call.last_received_confreq.empty())
    return std::unexpected("no Proxy LCP");
  auto lac = parse(call.last_sent_confreq, "LAC", true);
  if (!lac) return std::unexpected(lac.error());
  auto subscriber = parse(call.last_received_confreq, "subscriber", false);
  if (!subscriber) return std::unexpected(subscriber.error());
  ProxyStart p;
  p.local_magic = lac->magic.value_or(0);
  p.peer_magic = subscriber->magic.value_or(0);
  if (p.local_magic != 0 && p.local_magic == p.peer_magic) return std::unexpected("equal magic numbers (a looped line)");
  p.peer_mru = subscriber->mru.value_or(1500);
  if (p.peer_mru < 576) return std::unexpected(fmt::format("the subscriber's MRU {} is below 576", p.peer_mru));
  if (lac->auth_unknown) return std::unexpected("the LAC asked for an authentication protocol we do not know");
  p.auth = lac->auth.value_or(ppp::AuthMethod::kNone);
  if (p.auth == ppp::AuthMethod::kNone) return std::unexpected("the LAC agreed to no authentication");
  if (std::find(allowed.begin(), allowed.end(), p.auth) == allowed.end())
    return std::unexpected(fmt::format("the LAC agreed to {}, which this LNS does not offer", ppp::to_string(p.auth)));
  // Proxy Authen Type (section 4.4.5): 2 CHAP, 3 PAP; MS-CHAPv2 has none.
  session::AuthRequest& r = p.request;
  r.method = p.auth;
  r.user = call.proxy_auth_name;
  r.chap_id = static_cast<std::uint8_t>(call.proxy_auth_id);
  if (r.user.empty()) return std::unexpected("no Proxy Authen Name");
  if (p.auth == ppp::AuthMethod::kPap && call.proxy_auth_type == 3) {
    r.password.assign(call.proxy_auth_response.begin(), call.proxy_auth_response.end());
    return p;
  }
  if (p.auth == ppp::AuthMethod::kChapMd5 && call.proxy_auth_type == 2) {
    // RFC 1994 allows any challenge length; ours (and the RADIUS request) are 16 octets.
    if (call.proxy_auth_challenge.size() != r.challenge.size())
      return std::unexpected(fmt::format("a CHAP challenge of {} octets", call.proxy_auth_challenge.size()));
    if (call.proxy_auth_response.size() != 16)
      return std::unexpected(fmt::format("a CHAP response of {} octets", call.proxy_auth_response.size()));
    std::copy(call.proxy_auth_challenge.begin(), call.proxy_auth_challenge.end(), r.challenge.begin());
    r.response = call.proxy_auth_response;
    return p;
  }
  return std::unexpected(fmt::format("Proxy Authen Type {} does not match the agreed {}", call.proxy_auth_type, ppp::to_string(p.auth)));
}

}  // namespace pppoe::l2tp
