#include "proto/ppp/lcp.hpp"

#include <algorithm>

namespace pppoe::ppp {

const char* to_string(AuthMethod m) {
  switch (m) {
    case AuthMethod::kNone: return "none";
    case AuthMethod::kPap: return "pap";
    case AuthMethod::kChapMd5: return "chap";
    case AuthMethod::kMsChapV2: return "mschapv2";
  }
  return "?";
}

std::optional<AuthMethod> parse_auth_method(std::string_view text) {
  if (text == "pap") return AuthMethod::kPap;
  if (text == "chap" || text == "chap-md5") return AuthMethod::kChapMd5;
  if (text == "mschapv2" || text == "mschap-v2") return AuthMethod::kMsChapV2;
  return std::nullopt;
}

LcpHandler::LcpHandler(LayerListener& listener, LcpSettings settings, std::uint32_t seed)
    : listener_(listener), settings_(std::move(settings)), rng_(seed) {
  reset();
}

void LcpHandler::this_layer_started() {
  reset();
  listener_.layer_started(Protocol::kLcp);
}

void LcpHandler::reset() {
  magic_ = rng_.next() | 1u;  // never zero (section 6.4)
  request_mru_ = settings_.mru;
  peer_mru_ = 1492;
  auth_index_ = 0;
  auth_ = settings_.role == LinkRole::kAuthenticator && !settings_.auth_methods.empty()
              ? settings_.auth_methods.front()
              : AuthMethod::kNone;
  auth_refused_ = false;
  send_ = {};
  ask_accm_ = settings_.async_link;
  ask_acfc_ = settings_.async_link && settings_.request_acfc;
  ask_pfc_ = settings_.async_link && settings_.request_pfc;
  ask_fcs32_ = settings_.async_link && settings_.request_fcs32;
}

void LcpHandler::write_auth_option(ByteWriter& w, AuthMethod m) {
  std::uint8_t v[3] = {};
  std::size_t n = 2;
  switch (m) {
    case AuthMethod::kNone: return;
    case AuthMethod::kPap: v[0] = 0xc0; v[1] = 0x23; break;
    case AuthMethod::kChapMd5: v[0] = 0xc2; v[1] = 0x23; v[2] = kChapAlgorithmMd5; n = 3; break;
    case AuthMethod::kMsChapV2: v[0] = 0xc2; v[1] = 0x23; v[2] = kChapAlgorithmMsV2; n = 3; break;
  }
  encode_option(w, static_cast<std::uint8_t>(LcpOption::kAuthProtocol), Bytes(v, n));
}

std::optional<AuthMethod> LcpHandler::read_auth_option(Bytes value) {
  ByteReader r(value);
  auto proto = r.u16();
  if (!proto) return std::nullopt;
  if (*proto == static_cast<std::uint16_t>(Protocol::kPap) && r.empty()) return AuthMethod::kPap;
  if (*proto == static_cast<std::uint16_t>(Protocol::kChap)) {
    auto alg = r.u8();
    if (!alg || !r.empty()) return std::nullopt;
    if (*alg == kChapAlgorithmMd5) return AuthMethod::kChapMd5;
    if (*alg == kChapAlgorithmMsV2) return AuthMethod::kMsChapV2;
  }
  return std::nullopt;
}

void LcpHandler::write_request(ByteWriter& w) {
  if (request_mru_ != 0 && request_mru_ != 1500) {
    std::uint8_t v[2] = {static_cast<std::uint8_t>(request_mru_ >> 8), static_cast<std::uint8_t>(request_mru_)};
    encode_option(w, static_cast<std::uint8_t>(LcpOption::kMru), Bytes(v, 2));
  }
  if (ask_accm_) {
    std::uint8_t v[4] = {0, 0, 0, 0};  // RFC 1662 section 7.1: no control character needs escaping toward us
    encode_option(w, static_cast<std::uint8_t>(LcpOption::kAccm), Bytes(v, 4));
  }
  if (settings_.role == LinkRole::kAuthenticator) write_auth_option(w, auth_);
  std::uint8_t m[4] = {static_cast<std::uint8_t>(magic_ >> 24), static_cast<std::uint8_t>(magic_ >> 16),
                       static_cast<std::uint8_t>(magic_ >> 8), static_cast<std::uint8_t>(magic_)};
  encode_option(w, static_cast<std::uint8_t>(LcpOption::kMagicNumber), Bytes(m, 4));
  if (ask_pfc_) encode_option(w, static_cast<std::uint8_t>(LcpOption::kPfc), {});
  if (ask_acfc_) encode_option(w, static_cast<std::uint8_t>(LcpOption::kAcfc), {});
  if (ask_fcs32_) {
    std::uint8_t v = kFcs32;  // RFC 1570 section 2: FCS-32 only; a Nak or Reject returns us to FCS-16
    encode_option(w, static_cast<std::uint8_t>(LcpOption::kFcsAlternatives), Bytes(&v, 1));
  }
}

OptionVerdict LcpHandler::check_option(const Option& opt, ByteWriter& nak) {
  switch (static_cast<LcpOption>(opt.type)) {
    case LcpOption::kMru: {
      ByteReader r(opt.value);
      auto mru = r.u16();
      if (!mru || !r.empty()) return OptionVerdict::kReject;
      // The peer may receive `mru`; we cannot send more than max_peer_mru per frame.
      if (*mru < 64 || *mru > settings_.max_peer_mru) {
        std::uint16_t s = settings_.max_peer_mru;
        std::uint8_t v[2] = {static_cast<std::uint8_t>(s >> 8), static_cast<std::uint8_t>(s)};
        encode_option(nak, opt.type, Bytes(v, 2));
        return OptionVerdict::kNak;
      }
      return OptionVerdict::kAck;
    }
    case LcpOption::kAuthProtocol: {
      if (settings_.role == LinkRole::kAuthenticator) return OptionVerdict::kReject;
      auto m = read_auth_option(opt.value);
      if (m && std::find(settings_.auth_methods.begin(), settings_.auth_methods.end(), *m) !=
                   settings_.auth_methods.end())
        return OptionVerdict::kAck;
      if (settings_.auth_methods.empty()) return OptionVerdict::kReject;
      write_auth_option(nak, settings_.auth_methods.front());
      return OptionVerdict::kNak;
    }
    case LcpOption::kMagicNumber: {
      ByteReader r(opt.value);
      auto magic = r.u32();
      if (!magic || !r.empty()) return OptionVerdict::kReject;
      if (*magic == 0 || *magic == magic_) {
        // Section 6.4: equal magic numbers suggest a looped-back link; Nak with another.
        std::uint32_t s = rng_.next() | 1u;
        std::uint8_t v[4] = {static_cast<std::uint8_t>(s >> 24), static_cast<std::uint8_t>(s >> 16),
                             static_cast<std::uint8_t>(s >> 8), static_cast<std::uint8_t>(s)};
        encode_option(nak, opt.type, Bytes(v, 4));
        if (*magic == magic_) magic_ = rng_.next() | 1u;
        return OptionVerdict::kNak;
      }
      return OptionVerdict::kAck;
    }
    case LcpOption::kAccm: {  // meaningless on an Ethernet link
      ByteReader r(opt.value);
      auto accm = r.u32();
      if (!settings_.async_link || !accm || !r.empty()) return OptionVerdict::kReject;
      return OptionVerdict::kAck;
    }
    case LcpOption::kPfc:  // RFC 2516 section 7: never on PPPoE
      return settings_.async_link && settings_.allow_pfc && opt.value.empty() ? OptionVerdict::kAck : OptionVerdict::kReject;
    case LcpOption::kAcfc:
      return settings_.async_link && settings_.allow_acfc && opt.value.empty() ? OptionVerdict::kAck : OptionVerdict::kReject;
    case LcpOption::kFcsAlternatives: {
      // RFC 1570 section 2: the formats the peer will receive; we send FCS-32 when it is among
      // them and allowed, else FCS-16 (the default). Only the Null FCS: Nak with what we send.
      if (!settings_.async_link || opt.value.size() != 1) return OptionVerdict::kReject;
      std::uint8_t bits = opt.value[0];
      if ((bits & kFcs16) || ((bits & kFcs32) && settings_.allow_fcs32)) return OptionVerdict::kAck;
      std::uint8_t v = settings_.allow_fcs32 ? (kFcs16 | kFcs32) : kFcs16;
      encode_option(nak, opt.type, Bytes(&v, 1));
      return OptionVerdict::kNak;
    }
    case LcpOption::kQualityProtocol:
      return OptionVerdict::kReject;
  }
  return OptionVerdict::kReject;
}

void LcpHandler::peer_request_acked(std::span<const Option> opts) {
  peer_mru_ = 1500 < settings_.max_peer_mru ? 1500 : settings_.max_peer_mru;  // default MRU 1500, capped
  send_ = {};
  for (const Option& o : opts) {
    ByteReader r(o.value);
    switch (static_cast<LcpOption>(o.type)) {
      case LcpOption::kMru:
        if (auto v = r.u16()) peer_mru_ = *v;
        break;
      case LcpOption::kMagicNumber:
        if (auto v = r.u32()) peer_magic_ = *v;
        break;
      case LcpOption::kAuthProtocol:
        if (settings_.role == LinkRole::kPeer) {
          if (auto m = read_auth_option(o.value)) auth_ = *m;
        }
        break;
      case LcpOption::kAccm:
        if (auto v = r.u32()) send_.accm = *v;
        break;
      case LcpOption::kPfc: send_.pfc = true; break;
      case LcpOption::kAcfc: send_.acfc = true; break;
      case LcpOption::kFcsAlternatives:
        send_.fcs32 = settings_.allow_fcs32 && !o.value.empty() && (o.value[0] & kFcs32);
        break;
      case LcpOption::kQualityProtocol:
        break;
    }
  }
}

void LcpHandler::on_nak(std::span<const Option> opts) {
  for (const Option& o : opts) {
    ByteReader r(o.value);
    switch (static_cast<LcpOption>(o.type)) {
      case LcpOption::kMru:
        if (auto v = r.u16(); v && *v >= 64 && *v <= settings_.mru) request_mru_ = *v;
        break;
      case LcpOption::kMagicNumber:
        magic_ = rng_.next() | 1u;
        break;
      case LcpOption::kAuthProtocol: {
        if (settings_.role != LinkRole::kAuthenticator) break;
        // Prefer the peer's suggestion when we allow it, else offer our next method.
        auto m = read_auth_option(o.value);
        auto& allowed = settings_.auth_methods;
        if (m && std::find(allowed.begin(), allowed.end(), *m) != allowed.end()) {
          auth_ = *m;
        } else if (auth_index_ + 1 < allowed.size()) {
          auth_ = allowed[++auth_index_];
        }
        break;
      }
      case LcpOption::kFcsAlternatives:
        // The peer would rather not receive FCS-32: stay with the default FCS-16 (asking again
        // would loop until Max-Failure).
        ask_fcs32_ = false;
        break;
      case LcpOption::kAccm:
      case LcpOption::kQualityProtocol:
      case LcpOption::kPfc:
      case LcpOption::kAcfc:
        break;
    }
  }
}

void LcpHandler::on_reject(std::span<const Option> opts) {
  for (const Option& o : opts) {
    switch (static_cast<LcpOption>(o.type)) {
      case LcpOption::kMru: request_mru_ = 0; break;
      case LcpOption::kMagicNumber: magic_ = 0; break;
      case LcpOption::kAccm: ask_accm_ = false; break;
      case LcpOption::kPfc: ask_pfc_ = false; break;
      case LcpOption::kAcfc: ask_acfc_ = false; break;
      case LcpOption::kFcsAlternatives: ask_fcs32_ = false; break;
      case LcpOption::kAuthProtocol:
        // Authentication is mandatory for the authenticator: remember, the link closes.
        if (settings_.role == LinkRole::kAuthenticator) auth_refused_ = true;
        break;
      case LcpOption::kQualityProtocol:
        break;
    }
  }
}

bool LcpHandler::on_protocol_reject(std::uint16_t protocol) {
  rejected_protocol_ = protocol;
  // Section 5.7: rejecting LCP itself is fatal; NCPs just stop (the link reacts).
  return protocol == static_cast<std::uint16_t>(Protocol::kLcp);
}

}  // namespace pppoe::ppp
