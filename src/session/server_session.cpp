#include "session/server_session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "proto/ppp/chap.hpp"
#include "proto/ppp/pap.hpp"

namespace pppoe::session {

using ppp::AuthMethod;
using ppp::Protocol;

ServerSession::ServerSession(LinkOutput& out, Authenticator& auth, AddressAssigner& addresses,
                             LinkSettings settings, ppp::IpcpSettings ipcp, std::string ac_name,
                             std::uint32_t seed)
    : PppLink(out, std::move(settings), ipcp, kAcInterfaceId, seed),
      auth_(auth),
      addresses_(addresses),
      ac_name_(std::move(ac_name)),
      rng_(seed ^ 0x27d4eb2fu) {}

void ServerSession::auth_start(TimePoint now) {
  authenticated_ = false;
  auth_deadline_ = now + settings().auth_timeout;
  switch (negotiated_auth()) {
    case AuthMethod::kNone: {
      AuthResult open_access{true, std::nullopt, {}};
      if (grant("", open_access)) auth_done(now);
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

void ServerSession::send_challenge() {
  std::array<std::uint8_t, 512> buf{};
  std::size_t n = ppp::chap::encode_challenge_or_response(buf, ppp::chap::Code::kChallenge, challenge_id_,
                                                          Bytes(challenge_), ac_name_);
  if (n > 0) out().send_ppp(Protocol::kChap, Bytes(buf.data(), n));
  if (challenges_left_ > 0) --challenges_left_;
}

void ServerSession::auth_tick(TimePoint now) {
  if (authenticated_) return;
  if (now >= auth_deadline_) {
    ++counters_.timeouts;
    auth_failed(EndReason::kAuthTimeout, now);
    return;
  }
  bool chap = negotiated_auth() == AuthMethod::kChapMd5 || negotiated_auth() == AuthMethod::kMsChapV2;
  if (chap && now >= next_challenge_) {
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

bool ServerSession::grant(std::string_view user, const AuthResult& r) {
  auto addr = addresses_.assign(user, r.framed_ip);
  if (!addr) return false;
  assigned_ = *addr;
  ipcp_handler().set_peer_address(*addr);
  return true;
}

void ServerSession::receive_pap(Bytes payload, TimePoint now) {
  auto req = ppp::pap::decode_request(payload);
  if (!req) {
    ++counters_.malformed;
    return;
  }
  std::array<std::uint8_t, 300> buf{};
  if (authenticated_) {
    // A retransmitted request after our Ack was lost: Ack again (RFC 1334 section 2.2.1).
    std::size_t n = ppp::pap::encode_reply(buf, ppp::pap::Code::kAck, req->id, "Login ok");
    out().send_ppp(Protocol::kPap, Bytes(buf.data(), n));
    return;
  }
  user_ = req->peer_id;
  AuthResult r = auth_.pap(req->peer_id, req->password);
  if (!r.ok) {
    ++counters_.failures;
    std::size_t n = ppp::pap::encode_reply(buf, ppp::pap::Code::kNak, req->id, "Authentication failed");
    out().send_ppp(Protocol::kPap, Bytes(buf.data(), n));
    auth_failed(EndReason::kAuthFailed, now);
    return;
  }
  if (!grant(req->peer_id, r)) {
    std::size_t n = ppp::pap::encode_reply(buf, ppp::pap::Code::kNak, req->id, "No address available");
    out().send_ppp(Protocol::kPap, Bytes(buf.data(), n));
    auth_failed(EndReason::kPoolExhausted, now);
    return;
  }
  ++counters_.successes;
  authenticated_ = true;
  std::size_t n = ppp::pap::encode_reply(buf, ppp::pap::Code::kAck, req->id, "Login ok");
  out().send_ppp(Protocol::kPap, Bytes(buf.data(), n));
  auth_done(now);
}

void ServerSession::receive_chap(Bytes payload, TimePoint now) {
  auto msg = ppp::chap::decode(payload);
  if (!msg || msg->code != ppp::chap::Code::kResponse) {
    ++counters_.malformed;
    return;
  }
  std::array<std::uint8_t, 512> buf{};
  auto reply = [&](ppp::chap::Code code, std::string_view text) {
    std::size_t n = ppp::chap::encode_status(buf, code, msg->id, text);
    out().send_ppp(Protocol::kChap, Bytes(buf.data(), n));
  };
  if (msg->id != challenge_id_) {
    ++counters_.malformed;  // RFC 1994 section 4.1: must match the Challenge
    return;
  }
  if (authenticated_) {
    reply(ppp::chap::Code::kSuccess, success_message_);  // our Success was lost
    return;
  }
  user_ = msg->name;
  AuthResult r;
  bool ms = negotiated_auth() == AuthMethod::kMsChapV2;
  if (ms) {
    if (msg->value.size() != ppp::mschapv2::kResponseSize) {
      ++counters_.malformed;
      return;
    }
    ppp::mschapv2::Challenge16 peer{};
    ppp::mschapv2::NtResponse nt{};
    std::copy_n(msg->value.begin(), 16, peer.begin());
    std::copy_n(msg->value.begin() + 24, 24, nt.begin());
    r = auth_.mschapv2(msg->name, challenge_, peer, nt);
  } else {
    r = auth_.chap_md5(msg->name, msg->id, Bytes(challenge_), Bytes(msg->value));
  }
  if (!r.ok || !grant(msg->name, r)) {
    EndReason why = r.ok ? EndReason::kPoolExhausted : EndReason::kAuthFailed;
    if (!r.ok) ++counters_.failures;
    std::string text = ms ? fmt::format("E=691 R=0 V=3 M={}", r.ok ? "No address available" : "Authentication failed")
                          : std::string(r.ok ? "No address available" : "Authentication failed");
    reply(ppp::chap::Code::kFailure, text);
    auth_failed(why, now);
    return;
  }
  ++counters_.successes;
  authenticated_ = true;
  success_message_ = ms ? r.mschap_success + " M=Welcome" : "Welcome";
  reply(ppp::chap::Code::kSuccess, success_message_);
  auth_done(now);
}

}  // namespace pppoe::session
