#include "session/client_session.hpp"

#include <algorithm>

#include "proto/ppp/chap.hpp"
#include "proto/ppp/mschapv2.hpp"
#include "proto/ppp/pap.hpp"

namespace pppoe::session {

using ppp::AuthMethod;
using ppp::Protocol;

ppp::IpcpSettings default_client_ipcp() {
  ppp::IpcpSettings s;
  s.role = ppp::LinkRole::kPeer;
  s.request_dns = true;
  return s;
}

namespace {
ppp::IpcpSettings client_ipcp(ppp::IpcpSettings s) {
  s.role = ppp::LinkRole::kPeer;
  return s;
}
LinkSettings client_settings(LinkSettings s) {
  s.lcp.role = ppp::LinkRole::kPeer;
  return s;
}
}  // namespace

ClientSession::ClientSession(LinkOutput& out, LinkSettings settings, Credentials credentials,
                             std::uint64_t ipv6_id, std::uint32_t seed, ppp::IpcpSettings ipcp)
    : PppLink(out, client_settings(std::move(settings)), client_ipcp(ipcp), ipv6_id, seed),
      credentials_(std::move(credentials)),
      rng_(seed ^ 0x165667b1u) {}

void ClientSession::auth_start(TimePoint now) {
  done_ = false;
  deadline_ = now + settings().auth_timeout;
  switch (negotiated_auth()) {
    case AuthMethod::kNone: done_ = true; auth_done(now); return;
    case AuthMethod::kPap:
      pap_id_ = static_cast<std::uint8_t>(rng_.next());
      pap_left_ = settings().cp.max_configure;
      send_pap();
      next_pap_ = now + settings().cp.restart_timer;
      return;
    case AuthMethod::kChapMd5:
    case AuthMethod::kMsChapV2:
      return;  // wait for the Challenge
  }
}

void ClientSession::send_pap() {
  std::array<std::uint8_t, 600> buf{};
  std::size_t n = ppp::pap::encode_request(buf, pap_id_, credentials_.user, credentials_.password);
  if (n > 0) out().send_ppp(Protocol::kPap, Bytes(buf.data(), n));
  if (pap_left_ > 0) --pap_left_;
}

void ClientSession::auth_tick(TimePoint now) {
  if (done_) return;
  if (now >= deadline_) {
    auth_failed(EndReason::kAuthTimeout, now);
    return;
  }
  if (negotiated_auth() == AuthMethod::kPap && now >= next_pap_) {
    if (pap_left_ == 0) {
      auth_failed(EndReason::kAuthTimeout, now);
      return;
    }
    send_pap();
    next_pap_ = now + settings().cp.restart_timer;
  }
}

void ClientSession::auth_receive(Protocol protocol, Bytes payload, TimePoint now) {
  if (done_) return;
  if (protocol == Protocol::kPap && negotiated_auth() == AuthMethod::kPap) {
    auto reply = ppp::pap::decode_reply(payload);
    if (!reply || reply->id != pap_id_) return;
    if (reply->code == ppp::pap::Code::kAck) {
      done_ = true;
      auth_done(now);
    } else {
      auth_failed(EndReason::kAuthFailed, now);
    }
    return;
  }
  if (protocol != Protocol::kChap) return;
  auto msg = ppp::chap::decode(payload);
  if (!msg) return;
  std::array<std::uint8_t, 600> buf{};
  switch (msg->code) {
    case ppp::chap::Code::kChallenge: {
      std::size_t n = 0;
      if (negotiated_auth() == AuthMethod::kMsChapV2) {
        if (msg->value.size() != 16) return;
        ppp::mschapv2::Challenge16 auth{}, peer{};
        std::copy_n(msg->value.begin(), 16, auth.begin());
        for (auto& b : peer) b = static_cast<std::uint8_t>(rng_.next());
        auto nt = ppp::mschapv2::generate_nt_response(auth, peer, credentials_.user, credentials_.password);
        expected_mschap_success_ = ppp::mschapv2::authenticator_response(credentials_.password, nt, peer, auth,
                                                                         credentials_.user);
        auto value = ppp::mschapv2::build_response_value(peer, nt);
        n = ppp::chap::encode_challenge_or_response(buf, ppp::chap::Code::kResponse, msg->id, Bytes(value),
                                                    credentials_.user);
      } else {
        auto digest = ppp::chap::md5_response(msg->id, credentials_.password, Bytes(msg->value));
        n = ppp::chap::encode_challenge_or_response(buf, ppp::chap::Code::kResponse, msg->id, Bytes(digest),
                                                    credentials_.user);
      }
      if (n > 0) out().send_ppp(Protocol::kChap, Bytes(buf.data(), n));
      return;
    }
    case ppp::chap::Code::kSuccess:
      if (negotiated_auth() == AuthMethod::kMsChapV2) {
        // RFC 2759 section 5: the peer must check the authenticator response.
        server_verified_ = !expected_mschap_success_.empty() &&
                           msg->name.compare(0, expected_mschap_success_.size(), expected_mschap_success_) == 0;
        if (!server_verified_) {
          auth_failed(EndReason::kAuthFailed, now);
          return;
        }
      }
      done_ = true;
      auth_done(now);
      return;
    case ppp::chap::Code::kFailure:
      auth_failed(EndReason::kAuthFailed, now);
      return;
    case ppp::chap::Code::kResponse:
      return;
  }
}

}  // namespace pppoe::session
