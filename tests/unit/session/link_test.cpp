// A ServerSession and a ClientSession wired back to back in memory: whole PPP sessions
// (LCP, authentication, IPCP, IPv6CP, keep-alive) with injected time.
#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "session/client_session.hpp"
#include "session/secrets.hpp"
#include "session/server_session.hpp"

namespace pppoe::session {
namespace {

struct Frame {
  ppp::Protocol protocol;
  std::vector<std::uint8_t> payload;
};

struct Endpoint : LinkOutput {
  std::deque<Frame> out;
  bool up = false;
  bool dead = false;
  EndReason reason = EndReason::kNone;
  bool mute = false;  ///< drop everything this end sends (a vanished client)
  void send_ppp(ppp::Protocol p, Bytes b) override {
    if (!mute) out.push_back({p, {b.begin(), b.end()}});
  }
  void network_up() override { up = true; }
  void link_dead(EndReason r) override {
    dead = true;
    reason = r;
  }
};

struct Pool : AddressAssigner {
  std::optional<Ipv4Address> next = Ipv4Address{0x0a000002};
  std::string last_pool;
  std::optional<Ipv4Address> assign(std::optional<Ipv4Address> fixed, std::string_view pool) override {
    last_pool = pool;
    return fixed ? fixed : next;
  }
};

/// ppp.secret behind the Authenticator interface; `deferred` holds requests back like a
/// RADIUS round trip until answer() is called.
struct Backend : Authenticator {
  LocalSecrets secrets;
  ServerSession* session = nullptr;
  bool deferred = false;
  std::vector<AuthRequest> requests;
  AuthResult extra;  ///< authorization attributes added to a successful check
  void authenticate(const AuthRequest& r, TimePoint now) override {
    requests.push_back(r);
    if (!deferred) answer(now);
  }
  void answer(TimePoint now) {
    AuthResult res = secrets.check(requests.back());
    if (res.ok) {
      auto keep = res.mschap_success;
      auto fixed = res.framed_ip;
      res = extra;
      res.ok = true;
      res.mschap_success = keep;
      if (!res.framed_ip) res.framed_ip = fixed;
    }
    session->auth_complete(res, now);
  }
};

struct Harness {
  explicit Harness(ppp::AuthMethod method, std::string password = "secret", bool client_ipv6 = true) {
    backend.secrets.add("user", "secret");
    LinkSettings ls;
    ls.lcp.auth_methods = {method};
    ls.echo_interval = seconds(10);
    ppp::IpcpSettings ipcp;
    ipcp.local = Ipv4Address{0x0a000001};
    ipcp.name_servers.dns1 = Ipv4Address{0x08080808};
    server = std::make_unique<ServerSession>(se, backend, pool, ls, ipcp, "ac", 11);
    backend.session = server.get();
    LinkSettings cs;
    cs.lcp.auth_methods = {method};
    cs.echo_interval = seconds(0);
    cs.ipv6 = client_ipv6;
    client = std::make_unique<ClientSession>(ce, cs, Credentials{"user", std::move(password)}, 0x0200000000000001ull, 22);
  }
  void run(TimePoint now, int rounds = 50) {
    for (int i = 0; i < rounds; ++i) {
      while (!se.out.empty()) {
        auto f = se.out.front();
        se.out.pop_front();
        client->receive(f.protocol, f.payload, now);
      }
      while (!ce.out.empty()) {
        auto f = ce.out.front();
        ce.out.pop_front();
        server->receive(f.protocol, f.payload, now);
      }
    }
  }
  Backend backend;
  Pool pool;
  Endpoint se, ce;
  std::unique_ptr<ServerSession> server;
  std::unique_ptr<ClientSession> client;
};

class LinkAuth : public ::testing::TestWithParam<ppp::AuthMethod> {};

TEST_P(LinkAuth, FullSessionComesUp) {
  Harness h(GetParam());
  TimePoint t{};
  h.server->start(t);
  h.client->start(t);
  h.run(t);
  EXPECT_TRUE(h.se.up);
  EXPECT_TRUE(h.ce.up);
  EXPECT_EQ(h.server->phase(), Phase::kNetwork);
  EXPECT_EQ(h.server->user(), "user");
  EXPECT_EQ(h.client->address(), Ipv4Address{0x0a000002});
  EXPECT_EQ(h.client->server_address(), Ipv4Address{0x0a000001});
  EXPECT_EQ(h.client->ipcp().learned_name_servers().dns1, Ipv4Address{0x08080808});
  EXPECT_EQ(h.server->ipv6cp_state(), ppp::State::kOpened);
  EXPECT_EQ(h.server->ipv6cp().peer_id(), 0x0200000000000001ull);
  if (GetParam() == ppp::AuthMethod::kMsChapV2) {
    EXPECT_TRUE(h.client->server_verified());
  }
}

TEST_P(LinkAuth, WrongPasswordEndsTheLink) {
  Harness h(GetParam(), "wrong");
  TimePoint t{};
  h.server->start(t);
  h.client->start(t);
  h.run(t);
  EXPECT_FALSE(h.se.up);
  EXPECT_EQ(h.server->end_reason(), EndReason::kAuthFailed);
  EXPECT_EQ(h.server->auth_counters().failures, 1u);
  h.server->tick(t + seconds(10));  // Terminate-Request retransmissions run out
  h.server->tick(t + seconds(20));
  EXPECT_TRUE(h.se.dead);
  EXPECT_EQ(h.se.reason, EndReason::kAuthFailed);
}

INSTANTIATE_TEST_SUITE_P(Methods, LinkAuth,
                         ::testing::Values(ppp::AuthMethod::kPap, ppp::AuthMethod::kChapMd5, ppp::AuthMethod::kMsChapV2));

TEST(Link, EchoFailuresDetectAVanishedPeer) {
  Harness h(ppp::AuthMethod::kPap);
  TimePoint t{};
  h.server->start(t);
  h.client->start(t);
  h.run(t);
  ASSERT_TRUE(h.se.up);
  h.ce.mute = true;  // the CPE loses power
  for (int s = 1; s <= 40 && !h.se.dead; ++s) {
    h.server->tick(t + seconds(s));
    h.run(t + seconds(s), 1);
  }
  EXPECT_TRUE(h.se.dead);
  EXPECT_EQ(h.se.reason, EndReason::kEchoTimeout);
}

TEST(Link, AnsweredEchoesKeepTheSessionUp) {
  Harness h(ppp::AuthMethod::kPap);
  TimePoint t{};
  h.server->start(t);
  h.client->start(t);
  h.run(t);
  for (int s = 1; s <= 120; ++s) {
    h.server->tick(t + seconds(s));
    h.run(t + seconds(s), 2);
  }
  EXPECT_FALSE(h.se.dead);
  EXPECT_GT(h.server->lcp().echo_replies(), 5u);
}

TEST(Link, ProtocolRejectedNcpStopsAtOnce) {
  // A client without IPv6 answers IPv6CP with Protocol-Reject (RFC 1661 section 5.7): the
  // server must stop IPv6CP then, not retry it until max-configure, and keep the session.
  Harness h(ppp::AuthMethod::kPap, "secret", /*client_ipv6=*/false);
  TimePoint t{};
  h.server->start(t);
  h.client->start(t);
  h.run(t);
  ASSERT_TRUE(h.se.up);
  int ipv6cp_frames = 0;
  for (int s = 1; s <= 40; ++s) {
    h.server->tick(t + seconds(s));
    for (const auto& f : h.se.out) ipv6cp_frames += f.protocol == ppp::Protocol::kIpv6cp ? 1 : 0;
    h.run(t + seconds(s), 1);
  }
  EXPECT_EQ(ipv6cp_frames, 0) << "IPv6CP retransmitted after the peer rejected it";
  EXPECT_EQ(h.server->ipv6cp_state(), ppp::State::kStopped);
  EXPECT_FALSE(h.se.dead);
}

TEST(Link, PeerTerminateRequestEndsTheSession) {
  Harness h(ppp::AuthMethod::kChapMd5);
  TimePoint t{};
  h.server->start(t);
  h.client->start(t);
  h.run(t);
  h.client->close(EndReason::kAdminReset, t);
  h.run(t);
  h.server->tick(t + seconds(4));  // Stopping -> Stopped after one restart period
  EXPECT_TRUE(h.se.dead);
  EXPECT_EQ(h.se.reason, EndReason::kPeerTerminate);
}

TEST(Link, NoAddressMeansAuthFailure) {
  Harness h(ppp::AuthMethod::kPap);
  h.pool.next.reset();
  TimePoint t{};
  h.server->start(t);
  h.client->start(t);
  h.run(t);
  EXPECT_FALSE(h.se.up);
  EXPECT_EQ(h.server->end_reason(), EndReason::kPoolExhausted);
}

class LinkAsyncAuth : public ::testing::TestWithParam<ppp::AuthMethod> {};

/// Both ends started; the backend holds the request back like a RADIUS round trip.
void start_with_deferred_backend(Harness& h, TimePoint t) {
  h.backend.deferred = true;
  h.server->start(t);
  h.client->start(t);
  h.run(t);
}

TEST_P(LinkAsyncAuth, AnswerArrivingLaterCompletesTheSession) {
  Harness h(GetParam());
  h.backend.extra.framed_pool = "gold";
  h.backend.extra.dns1 = Ipv4Address{0x01010101};
  TimePoint t{};
  start_with_deferred_backend(h, t);
  ASSERT_EQ(h.backend.requests.size(), 1u);
  EXPECT_TRUE(h.server->auth_pending());
  EXPECT_EQ(h.server->phase(), Phase::kAuthenticate);
  // The peer retransmits while the backend thinks: still one request to the backend.
  h.client->tick(t + seconds(3));
  h.server->tick(t + seconds(3));
  h.run(t + seconds(3));
  EXPECT_EQ(h.backend.requests.size(), 1u);
  const AuthRequest& r = h.backend.requests[0];
  EXPECT_EQ(r.user, "user");
  EXPECT_EQ(r.method, GetParam());
  std::size_t want = GetParam() == ppp::AuthMethod::kPap ? 0 : GetParam() == ppp::AuthMethod::kChapMd5 ? 16 : 49;
  EXPECT_EQ(r.response.size(), want);
  EXPECT_EQ(r.password, GetParam() == ppp::AuthMethod::kPap ? "secret" : "");
  h.backend.answer(t + seconds(4));
  h.run(t + seconds(4));
  EXPECT_TRUE(h.se.up);
  EXPECT_TRUE(h.ce.up);
  EXPECT_EQ(h.pool.last_pool, "gold");
  EXPECT_EQ(h.client->ipcp().learned_name_servers().dns1, Ipv4Address{0x01010101});
  EXPECT_EQ(h.server->authorization().framed_pool, "gold");
}

TEST_P(LinkAsyncAuth, NoAnswerRunsIntoTheAuthTimeout) {
  Harness h(GetParam());
  TimePoint t{};
  start_with_deferred_backend(h, t);
  h.server->tick(t + seconds(31));
  EXPECT_EQ(h.server->end_reason(), EndReason::kAuthTimeout);
  h.backend.answer(t + seconds(32));  // too late: ignored
  EXPECT_FALSE(h.se.up);
}

TEST_P(LinkAsyncAuth, BackendDownIsAFailureWithItsOwnText) {
  Harness h(GetParam());
  TimePoint t{};
  start_with_deferred_backend(h, t);
  AuthResult down;
  down.backend_unavailable = true;
  h.server->auth_complete(down, t);
  h.run(t);
  EXPECT_FALSE(h.se.up);
  EXPECT_EQ(h.server->end_reason(), EndReason::kAuthFailed);
}

INSTANTIATE_TEST_SUITE_P(Methods, LinkAsyncAuth,
                         ::testing::Values(ppp::AuthMethod::kPap, ppp::AuthMethod::kChapMd5, ppp::AuthMethod::kMsChapV2));

}  // namespace
}  // namespace pppoe::session
