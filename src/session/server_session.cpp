#include "session/server_session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "proto/ppp/chap.hpp"
#include "proto/ppp/pap.hpp"

namespace pppoe::session {

using ppp::AuthMethod;
using ppp::Protocol;

ServerSession::ServerSession(LinkOutput& out, Authenticator& auth, AddressAssigner& addresses,
                             LinkSettings settings, ppp::IpcpSettings ipcp, std::string_view ac_name,
                             std::uint32_t seed)
    : PppLink(out, std::move(settings), ipcp, kAcInterfaceId, seed),
      auth_(auth),
      addresses_(addresses),
      ac_name_(ac_name),
      configured_name_servers_(ipcp.name_servers),
      rng_(seed ^ 0x27d4eb2fu) {}

const AuthResult& ServerSession::authorization() const {
  static const AuthResult kNothing;
  return granted_ ? *granted_ : kNothing;
}

void ServerSession::auth_start(TimePoint now) {
  authenticated_ = false;
  pending_ = false;
  auth_deadline_ = now + settings().auth_timeout;
  switch (negotiated_auth()) {
    case AuthMethod::kNone: {
      AuthResult open_access;
      open_access.ok = true;
      if (grant(open_access)) {
        authenticated_ = true;
        granted_ = std::make_unique<AuthResult>(open_access);
        auth_done(now);
      } else {
        auth_failed(EndReason::kPoolExhausted, now);
      }
      return;
    }
    case AuthMethod::kPap: return;  // the peer speaks first (RFC 1334 section 2.1)
    case AuthMethod::kChapMd5:
    case AuthMethod::kMsChapV2:
      for (auto& b : challenge_) b = static_cast<std::uint8_t>(rng_.next());
      challenge_id_ = static_cast<std::uint8_t>(rng_.next());
      challenges_left_ = settings().cp.max_configure;
      send_challenge();
      next_challenge_ = now + settings().cp.restart_timer;
      return;
  }
}

void ServerSession::start_proxied(const ProxiedLink& p, TimePoint now) {
  open_negotiated_lcp(p.local_magic, p.peer_magic, p.peer_mru, p.auth, now);
  authenticated_ = false;
  auth_deadline_ = now + settings().auth_timeout;
  // The subscriber waits for the answer to the request the LAC took: same Identifier, and for
  // CHAP the challenge the LAC sent is the one its response answers.
  challenge_ = p.request.challenge;
  challenge_id_ = p.request.chap_id;
  challenges_left_ = 0;
  next_challenge_ = auth_deadline_;
  reply_id_ = p.request.chap_id;
  user_ = p.request.user;
  pending_ = true;
  auth_.authenticate(p.request, now);
}

void ServerSession::adopt(const LinkSnapshot& snapshot, std::string user, TimePoint now) {
  user_ = std::move(user);
  assigned_ = snapshot.peer;
  authenticated_ = true;
  pending_ = false;
  resume(snapshot, now);
}

void ServerSession::send_challenge() {
  std::array<std::uint8_t, 512> buf{};
  std::size_t n = ppp::chap::encode_challenge_or_response(buf, ppp::chap::Code::kChallenge, challenge_id_,
                                                          Bytes(challenge_), ac_name_);
  if (n > 0) out().send_ppp(Protocol::kChap, Bytes(buf.data(), n));
  if (challenges_left_ > 0) --challenges_left_;
}

std::optional<TimePoint> ServerSession::auth_deadline() const {
  if (authenticated_) return std::nullopt;
  bool chap = negotiated_auth() == AuthMethod::kChapMd5 || negotiated_auth() == AuthMethod::kMsChapV2;
  return chap && !pending_ ? std::min(auth_deadline_, next_challenge_) : auth_deadline_;
}

void ServerSession::auth_tick(TimePoint now) {
  if (authenticated_) return;
  if (now >= auth_deadline_) {
    ++counters_.timeouts;
    auth_failed(EndReason::kAuthTimeout, now);
    return;
  }
  bool chap = negotiated_auth() == AuthMethod::kChapMd5 || negotiated_auth() == AuthMethod::kMsChapV2;
  if (chap && !pending_ && now >= next_challenge_) {
    if (challenges_left_ == 0) {
      ++counters_.timeouts;
      auth_failed(EndReason::kAuthTimeout, now);
      return;
    }
    send_challenge();
    next_challenge_ = now + settings().cp.restart_timer;
  }
}

void ServerSession::auth_receive(Protocol protocol, Bytes payload, TimePoint now) {
  if (protocol == Protocol::kPap && negotiated_auth() == AuthMethod::kPap) receive_pap(payload, now);
  if (protocol == Protocol::kChap &&
      (negotiated_auth() == AuthMethod::kChapMd5 || negotiated_auth() == AuthMethod::kMsChapV2))
    receive_chap(payload, now);
}

bool ServerSession::grant(const AuthResult& r) {
  auto addr = addresses_.assign(r.framed_ip, r.framed_pool);
  if (!addr) return false;
  assigned_ = *addr;
  ipcp_handler().set_peer_address(*addr);
  if (r.dns1 || r.dns2) {
    ppp::NameServers ns = configured_name_servers_;
    ns.dns1 = r.dns1.value_or(Ipv4Address{});
    ns.dns2 = r.dns2.value_or(Ipv4Address{});
    ipcp_handler().set_name_servers(ns);
  }
  return true;
}

void ServerSession::reply_pap(bool ok, std::string_view text) {
  std::array<std::uint8_t, 300> buf{};
  std::size_t n = ppp::pap::encode_reply(buf, ok ? ppp::pap::Code::kAck : ppp::pap::Code::kNak, reply_id_, text);
  out().send_ppp(Protocol::kPap, Bytes(buf.data(), n));
}

void ServerSession::reply_chap(bool ok, std::string_view text) {
  std::array<std::uint8_t, 512> buf{};
  std::size_t n = ppp::chap::encode_status(buf, ok ? ppp::chap::Code::kSuccess : ppp::chap::Code::kFailure, reply_id_, text);
  out().send_ppp(Protocol::kChap, Bytes(buf.data(), n));
}

void ServerSession::receive_pap(Bytes payload, TimePoint now) {
  auto req = ppp::pap::decode_request(payload);
  if (!req) {
    ++counters_.malformed;
    return;
  }
  reply_id_ = req->id;
  if (authenticated_) {
    // A retransmitted request after our Ack was lost: Ack again (RFC 1334 section 2.2.1).
    reply_pap(true, "Login ok");
    return;
  }
  if (pending_) return;  // still checking the first one
  user_ = req->peer_id;
  AuthRequest r;
  r.method = AuthMethod::kPap;
  r.user = req->peer_id;
  r.password = req->password;
  r.chap_id = req->id;  // a LAC passes it on as Proxy Authen ID, for the LNS's Ack
  pending_ = true;
  auth_.authenticate(r, now);
}

void ServerSession::receive_chap(Bytes payload, TimePoint now) {
  auto msg = ppp::chap::decode(payload);
  if (!msg || msg->code != ppp::chap::Code::kResponse) {
    ++counters_.malformed;
    return;
  }
  if (msg->id != challenge_id_) {
    ++counters_.malformed;  // RFC 1994 section 4.1: must match the Challenge
    return;
  }
  reply_id_ = msg->id;
  if (authenticated_) {
    reply_chap(true, success_message_);  // our Success was lost
    return;
  }
  if (pending_) return;
  bool ms = negotiated_auth() == AuthMethod::kMsChapV2;
  if (ms && msg->value.size() != ppp::mschapv2::kResponseSize) {
    ++counters_.malformed;
    return;
  }
  user_ = msg->name;
  AuthRequest r;
  r.method = negotiated_auth();
  r.user = msg->name;
  r.chap_id = msg->id;
  r.challenge = challenge_;
  r.response.assign(msg->value.begin(), msg->value.end());
  pending_ = true;
  auth_.authenticate(r, now);
}

void ServerSession::auth_complete(const AuthResult& r, TimePoint now) {
  if (!pending_ || phase() != Phase::kAuthenticate) return;  // the link went away meanwhile
  pending_ = false;
  bool pap = negotiated_auth() == AuthMethod::kPap;
  bool ms = negotiated_auth() == AuthMethod::kMsChapV2;
  if (!r.ok || !grant(r)) {
    EndReason why = r.ok ? EndReason::kPoolExhausted : EndReason::kAuthFailed;
    if (!r.ok) ++counters_.failures;
    std::string_view text = r.ok ? "No address available"
                            : r.backend_unavailable ? "Authentication service unavailable"
                                                    : "Authentication failed";
    if (pap) {
      reply_pap(false, text);
    } else if (ms) {
      // RFC 2759 section 6: E=691 authentication failure; R=0 no retry.
      reply_chap(false, !r.ok && !r.mschap_error.empty() ? r.mschap_error : fmt::format("E=691 R=0 V=3 M={}", text));
    } else {
      reply_chap(false, text);
    }
    auth_failed(why, now);
    return;
  }
  ++counters_.successes;
  authenticated_ = true;
  granted_ = std::make_unique<AuthResult>(r);
  if (pap) {
    reply_pap(true, "Login ok");
  } else {
    success_message_ = ms ? r.mschap_success + " M=Welcome" : "Welcome";
    reply_chap(true, success_message_);
  }
  auth_done(now);
}

}  // namespace pppoe::session
