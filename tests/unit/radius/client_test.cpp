// The asynchronous RADIUS client against servers made of plain UDP sockets on loopback, with
// injected time: answers, forged answers, retransmission, failover, hold-down, back-pressure;
// and the accounting spool.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "radius/client.hpp"
#include "radius/spool.hpp"

namespace pppoe::radius {
namespace {

/// A RADIUS "server": a UDP socket on 127.0.0.1 that the test answers by hand.
struct FakeServer {
  int fd = -1;
  std::uint16_t port = 0;
  sockaddr_in peer{};
  FakeServer() {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin_port);
  }
  ~FakeServer() { ::close(fd); }
  /// The next request, or nothing within 200 ms.
  std::optional<std::vector<std::uint8_t>> receive() {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) != 1) return std::nullopt;
    std::vector<std::uint8_t> buf(4096);
    socklen_t len = sizeof peer;
    ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&peer), &len);
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }
  void answer(const std::vector<std::uint8_t>& request, Code code, std::string_view secret, bool with_ma = true) {
    auto req = decode(request);
    PacketBuilder b(code, req->id);
    if (with_ma) b.add_message_authenticator_placeholder();
    b.add(Attr::kReplyMessage, "hi");
    MutableBytes out = seal_response(b, req->authenticator, secret);
    ::sendto(fd, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&peer), sizeof peer);
  }
  ServerConfig config(std::string secret, unsigned priority = 1) const { return {"127.0.0.1", port, std::move(secret), priority}; }
};

/// Waits until the client's socket has the answer, then lets the client read it.
void pump(Client& c, TimePoint now) {
  for (int fd : c.fds()) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) == 1) c.on_readable(fd, now);
  }
}

Request access(std::string user) {
  Request r;
  PacketBuilder b(Code::kAccessRequest, 0);
  b.add(Attr::kUserName, user);
  MutableBytes all = b.finish();
  r.attributes.assign(all.begin() + 20, all.end());
  r.password = "pw";
  return r;
}

TEST(RadiusClient, AnswerReachesTheCallbackAndForgeriesDoNot) {
  FakeServer s;
  auto c = Client::open("t", {s.config("secret")}, {});
  ASSERT_TRUE(c) << c.error();
  TimePoint t{};
  int calls = 0;
  Code got{};
  c->submit(access("alice"), [&](const Response* r) {
    ++calls;
    ASSERT_NE(r, nullptr);
    got = r->packet.code;
  }, t);
  auto req = s.receive();
  ASSERT_TRUE(req);
  auto p = decode(*req);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->count(Attr::kMessageAuthenticator), 1u);
  EXPECT_EQ(unhide_password(*p->find(Attr::kUserPassword), p->authenticator, "secret"), "pw");
  EXPECT_EQ(verify_response(*p, p->authenticator, "secret", true), Verdict::kBadAuthenticator);  // a request, not a reply

  s.answer(*req, Code::kAccessAccept, "not-the-secret");  // forged
  pump(*c, t);
  s.answer(*req, Code::kAccessAccept, "secret", /*with_ma=*/false);  // Blast-RADIUS style: no MA
  pump(*c, t);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(c->counters().invalid, 2u);
  s.answer(*req, Code::kAccessAccept, "secret");
  pump(*c, t);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(got, Code::kAccessAccept);
  EXPECT_EQ(c->outstanding(), 0u);
}

TEST(RadiusClient, RetransmitsThenFailsOverAndHoldsTheDeadServerDown) {
  FakeServer primary, secondary;
  ClientSettings cs;
  cs.timeout = seconds(3);
  cs.tries = 2;
  cs.dead_time = seconds(30);
  auto c = Client::open("t", {secondary.config("b", 2), primary.config("a", 1)}, cs);
  ASSERT_TRUE(c);
  TimePoint t{};
  int answered = 0;
  c->submit(access("u"), [&](const Response* r) { answered += r != nullptr; }, t);
  auto first = primary.receive();
  ASSERT_TRUE(first);  // priority 1 first, whatever the order in the configuration
  c->tick(t + seconds(3));
  auto again = primary.receive();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);  // a retransmission is the same packet (RFC 5080 section 2.2.1)
  c->tick(t + seconds(6));
  EXPECT_FALSE(primary.receive());
  auto moved = secondary.receive();
  ASSERT_TRUE(moved);
  EXPECT_FALSE(c->server_alive(0, t + seconds(6)));
  secondary.answer(*moved, Code::kAccessReject, "b");
  pump(*c, t + seconds(6));
  EXPECT_EQ(answered, 1);
  EXPECT_EQ(c->counters().retransmits, 1u);
  EXPECT_EQ(c->counters().timeouts, 1u);

  // While the primary is held down, new requests go straight to the secondary...
  c->submit(access("v"), [&](const Response* r) { answered += r != nullptr; }, t + seconds(7));
  EXPECT_FALSE(primary.receive());
  auto direct = secondary.receive();
  ASSERT_TRUE(direct);
  secondary.answer(*direct, Code::kAccessAccept, "b");
  pump(*c, t + seconds(7));
  EXPECT_EQ(answered, 2);
  // ...and after the hold-down the primary is tried again.
  c->submit(access("w"), [](const Response*) {}, t + seconds(40));
  EXPECT_TRUE(primary.receive());
}

TEST(RadiusClient, NoServerAnsweringEndsWithNoReply) {
  FakeServer only;
  ClientSettings cs;
  cs.tries = 2;
  auto c = Client::open("t", {only.config("x")}, cs);
  ASSERT_TRUE(c);
  TimePoint t{};
  int nulls = 0;
  c->submit(access("u"), [&](const Response* r) { nulls += r == nullptr; }, t);
  c->tick(t + seconds(3));
  c->tick(t + seconds(6));
  EXPECT_EQ(nulls, 1);
  EXPECT_EQ(c->counters().failed, 1u);
  EXPECT_EQ(c->outstanding(), 0u);
}

TEST(RadiusClient, OutstandingLimitQueuesInOrder) {
  FakeServer s;
  ClientSettings cs;
  cs.max_outstanding = 1;
  cs.max_backlog = 1;
  auto c = Client::open("t", {s.config("k")}, cs);
  ASSERT_TRUE(c);
  TimePoint t{};
  std::vector<int> order;
  int refused = 0;
  for (int i = 0; i < 3; ++i)
    c->submit(access("u" + std::to_string(i)), [&, i](const Response* r) {
      if (r) order.push_back(i);
      else ++refused;
    }, t);
  EXPECT_EQ(refused, 1);  // backlog of one: the third is refused at once
  EXPECT_EQ(c->outstanding(), 1u);
  EXPECT_EQ(c->backlog(), 1u);
  for (int i = 0; i < 2; ++i) {
    auto req = s.receive();
    ASSERT_TRUE(req);
    EXPECT_EQ(decode(*req)->text(Attr::kUserName), "u" + std::to_string(i));
    s.answer(*req, Code::kAccessAccept, "k");
    pump(*c, t);
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1}));
}

TEST(RadiusSpool, StoresLoadsAndQuarantinesDamagedFiles) {
  auto dir = std::filesystem::temp_directory_path() / ("pppoed-spool-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Spool spool(dir.string());
  ASSERT_TRUE(spool.prepare());
  PacketBuilder b(Code::kAccountingRequest, 0);
  b.add_u32(Attr::kAcctStatusType, 2);
  b.add(Attr::kAcctSessionId, "S1");
  MutableBytes all = b.finish();
  std::vector<std::uint8_t> attrs(all.begin() + 20, all.end());
  ASSERT_TRUE(spool.store("S1-stop", 1700000000, Bytes(attrs)));
  std::ofstream(dir / "junk.acct") << "not a record";
  auto recs = spool.load(10);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].event_unix, 1700000000);
  EXPECT_EQ(recs[0].attributes, attrs);
  EXPECT_TRUE(std::filesystem::exists(dir / "junk.acct.bad"));
  spool.remove(recs[0]);
  EXPECT_EQ(spool.count(), 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pppoe::radius
