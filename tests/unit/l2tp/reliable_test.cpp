// Reliable delivery of L2TP control messages (RFC 2661 section 5.8, appendix A), with time
// passed in: windows, slow start and congestion avoidance, retransmission back-off, ZLBs,
// duplicates, reordering and the window's edge.
#include "l2tp/reliable.hpp"

#include <gtest/gtest.h>

namespace pppoe::l2tp {
namespace {

struct Wire final : ReliableOutput {
  std::vector<std::vector<std::uint8_t>> sent;
  void transmit(Bytes d) override { sent.emplace_back(d.begin(), d.end()); }
  Header header(std::size_t i) const { return decode(sent.at(i))->header; }
  Bytes avps(std::size_t i) const { return decode(sent.at(i))->payload; }
};

std::vector<std::uint8_t> hello() {
  std::vector<std::uint8_t> b(8);
  AvpWriter w(b);
  w.message_type(MessageType::kHello);
  return b;
}

Header from_peer(std::uint16_t ns, std::uint16_t nr) {
  Header h;
  h.control = true;
  h.ns = ns;
  h.nr = nr;
  return h;
}

TEST(L2tpReliable, WindowSlowStartAndCongestionAvoidance) {
  Wire wire;
  ReliableChannel c(wire, {});
  c.set_peer_tunnel_id(77);
  c.set_peer_window(4);
  TimePoint t{};
  auto h = hello();
  for (int i = 0; i < 10; ++i) c.send(0, h, t);
  ASSERT_EQ(wire.sent.size(), 1u);  // cwnd starts at 1
  EXPECT_EQ(wire.header(0).tunnel_id, 77);
  EXPECT_EQ(wire.header(0).ns, 0);
  auto noop = [](std::uint16_t, Bytes) {};
  c.receive(from_peer(0, 1), {}, t, noop);  // ZLB acking Ns 0
  EXPECT_EQ(c.cwnd(), 2u);
  EXPECT_EQ(wire.sent.size(), 3u);  // two more in flight
  c.receive(from_peer(0, 3), {}, t, noop);
  EXPECT_EQ(c.cwnd(), 4u);  // slow start up to ssthresh = the peer's window
  EXPECT_EQ(c.in_flight(), 4u);
  EXPECT_EQ(wire.sent.size(), 7u);
  c.receive(from_peer(0, 7), {}, t, noop);
  EXPECT_EQ(c.cwnd(), 4u);  // never beyond the peer's window
  EXPECT_EQ(c.in_flight(), 3u);  // Ns 7, 8, 9: all ten sent
  EXPECT_EQ(c.counters().acked, 7u);
}

TEST(L2tpReliable, RetransmissionBacksOffThenFails) {
  Wire wire;
  ReliableSettings s;
  s.max_retransmissions = 3;
  ReliableChannel c(wire, s);
  c.set_peer_window(8);
  TimePoint t{};
  c.send(0, hello(), t);
  std::vector<long> gaps;
  TimePoint last = t;
  for (int ms = 0; ms < 30000 && !c.failed(); ms += 10) {
    TimePoint now = t + milliseconds(ms);
    std::size_t before = wire.sent.size();
    c.tick(now);
    if (wire.sent.size() > before) {
      gaps.push_back(std::chrono::duration_cast<milliseconds>(now - last).count());
      last = now;
      EXPECT_EQ(wire.header(wire.sent.size() - 1).ns, 0);  // the same message again
    }
  }
  EXPECT_TRUE(c.failed());
  EXPECT_EQ(gaps, (std::vector<long>{1000, 2000, 4000}));  // doubling from 1 s
  EXPECT_EQ(c.counters().retransmitted, 3u);
  EXPECT_EQ(c.cwnd(), 1u);
}

TEST(L2tpReliable, LossHalvesThresholdAndCapsTimeout) {
  Wire wire;
  ReliableSettings s;
  s.max_retransmissions = 10;
  ReliableChannel c(wire, s);
  c.set_peer_window(16);
  TimePoint t{};
  auto noop = [](std::uint16_t, Bytes) {};
  for (int i = 0; i < 20; ++i) c.send(0, hello(), t);
  for (std::uint16_t nr = 1; nr <= 8; ++nr) c.receive(from_peer(0, nr), {}, t, noop);
  unsigned before = c.cwnd();
  ASSERT_GT(before, 4u);
  c.tick(t + seconds(2));  // the oldest in flight timed out
  EXPECT_EQ(c.ssthresh(), before / 2);
  EXPECT_EQ(c.cwnd(), 1u);
  // Timeouts: 2, 4, 8, 8, 8 s (capped).
  TimePoint now = t + seconds(2);
  for (int i = 0; i < 5; ++i) {
    std::size_t n = wire.sent.size();
    now += seconds(i < 2 ? 2 << i : 8);
    c.tick(now - milliseconds(1));
    EXPECT_EQ(wire.sent.size(), n) << "retransmitted early, round " << i;
    c.tick(now);
    EXPECT_EQ(wire.sent.size(), n + 1) << "round " << i;
  }
}

TEST(L2tpReliable, ReceivingInOrderDuplicatesReorderingAndWindow) {
  Wire wire;
  ReliableSettings s;
  s.receive_window = 4;
  ReliableChannel c(wire, s);
  TimePoint t{};
  std::vector<std::uint16_t> got;
  auto deliver = [&](std::uint16_t session, Bytes) { got.push_back(session); };
  auto h = hello();
  c.receive(from_peer(0, 0), h, t, deliver);
  EXPECT_EQ(c.nr(), 1);
  // Ns 2 and 3 early: held; Ns 1 fills the gap and all three follow in order.
  Header h2 = from_peer(2, 0), h3 = from_peer(3, 0), h1 = from_peer(1, 0);
  h2.session_id = 2;
  h3.session_id = 3;
  h1.session_id = 1;
  c.receive(h2, h, t, deliver);
  c.receive(h3, h, t, deliver);
  EXPECT_EQ(got.size(), 1u);
  c.receive(h1, h, t, deliver);
  EXPECT_EQ(got, (std::vector<std::uint16_t>{0, 1, 2, 3}));
  EXPECT_EQ(c.nr(), 4);
  EXPECT_EQ(c.counters().reordered, 2u);
  // A duplicate is acknowledged at once with a ZLB and not delivered again.
  std::size_t sent = wire.sent.size();
  c.receive(from_peer(2, 0), h, t, deliver);
  EXPECT_EQ(got.size(), 4u);
  ASSERT_EQ(wire.sent.size(), sent + 1);
  EXPECT_TRUE(wire.avps(sent).empty());
  EXPECT_EQ(wire.header(sent).nr, 4);
  EXPECT_EQ(c.counters().duplicates, 1u);
  // Beyond our window of 4 (Ns 8 when Nr is 4): dropped.
  c.receive(from_peer(8, 0), h, t, deliver);
  EXPECT_EQ(c.counters().out_of_window, 1u);
  EXPECT_EQ(got.size(), 4u);
  // Sequence numbers wrap at 2^16.
  EXPECT_TRUE(seq_before(65535, 0));
  EXPECT_FALSE(seq_before(0, 65535));
}

TEST(L2tpReliable, AckRidesOnTheNextMessageOrGoesAsZlb) {
  Wire wire;
  ReliableChannel c(wire, {});
  TimePoint t{};
  auto noop = [](std::uint16_t, Bytes) {};
  c.receive(from_peer(0, 0), hello(), t, noop);
  ASSERT_TRUE(c.next_deadline());
  EXPECT_EQ(*c.next_deadline(), t + milliseconds(100));
  c.send(0, hello(), t + milliseconds(50));  // carries Nr 1
  ASSERT_EQ(wire.sent.size(), 1u);
  EXPECT_EQ(wire.header(0).nr, 1);
  c.tick(t + milliseconds(150));
  EXPECT_EQ(wire.sent.size(), 1u);  // no ZLB needed
  c.receive(from_peer(1, 1), hello(), t + milliseconds(200), noop);
  c.tick(t + milliseconds(299));
  EXPECT_EQ(wire.sent.size(), 1u);
  c.tick(t + milliseconds(300));
  ASSERT_EQ(wire.sent.size(), 2u);
  EXPECT_TRUE(wire.avps(1).empty());
  EXPECT_EQ(wire.header(1).nr, 2);
  EXPECT_EQ(wire.header(1).ns, 1);  // a ZLB carries the next Ns without taking it
  EXPECT_EQ(c.counters().zlb_sent, 1u);
}

TEST(L2tpReliable, AnAckForWhatWasNeverSentIsIgnored) {
  Wire wire;
  ReliableChannel c(wire, {});
  c.set_peer_window(4);
  TimePoint t{};
  auto noop = [](std::uint16_t, Bytes) {};
  c.send(0, hello(), t);
  c.receive(from_peer(0, 500), {}, t, noop);
  EXPECT_EQ(c.in_flight(), 1u);
  EXPECT_EQ(c.counters().acked, 0u);
}

}  // namespace
}  // namespace pppoe::l2tp
