// The batch reader against a datagram socket pair (one read() returns one datagram, as a TUN
// returns one packet): every packet arrives in order and intact, with the multishot read and
// with the read() fallback, also when more packets arrive than the reader has buffers.
#include "dataplane/tun_batch_reader.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace pppoe::dataplane {
namespace {

std::vector<std::uint8_t> packet(int i) {
  std::vector<std::uint8_t> p(20 + static_cast<std::size_t>(i % 1400));
  for (std::size_t k = 0; k < p.size(); ++k) p[k] = static_cast<std::uint8_t>(i + static_cast<int>(k));
  return p;
}

struct Pair {
  int fds[2];
  Pair() {
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    int big = 8 << 20;
    ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
    ::setsockopt(fds[1], SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  }
  ~Pair() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  void send(int i) const {
    auto p = packet(i);
    ASSERT_EQ(::send(fds[0], p.data(), p.size(), 0), static_cast<ssize_t>(p.size()));
  }
};

/// Receives until `count` packets arrived (or a second passes without any), checking each.
int drain(TunBatchReader& r, int first, int count) {
  int next = first;
  while (next < first + count) {
    pollfd p{r.fd(), POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) break;
    r.receive(
        [&](Bytes got) {
          auto want = packet(next);
          EXPECT_EQ(std::vector<std::uint8_t>(got.begin(), got.end()), want) << "packet " << next;
          ++next;
        },
        64);
  }
  return next - first;
}

class TunBatchReaderTest : public ::testing::TestWithParam<bool> {};

TEST_P(TunBatchReaderTest, EveryPacketArrivesInOrder) {
  Pair pair;
  TunBatchReader reader(pair.fds[1], GetParam());
  ASSERT_EQ(reader.batched(), GetParam()) << "multishot reads must work on this machine (Linux >= 6.7)";
  int sent = 0;
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 100; ++i) pair.send(sent + i);
    EXPECT_EQ(drain(reader, sent, 100), 100);
    sent += 100;
  }
  EXPECT_EQ(reader.packets, 1000U);
  EXPECT_EQ(reader.errors, 0U);
  if (GetParam()) {
    EXPECT_EQ(reader.rearms, 0U) << "100 packets at a time fit the buffers: the read stays posted";
  }
}

TEST_P(TunBatchReaderTest, MorePacketsThanBuffersAreAllDelivered) {
  Pair pair;
  TunBatchReader reader(pair.fds[1], GetParam());
  const int n = static_cast<int>(TunBatchReader::kBuffers) + 300;
  for (int i = 0; i < n; ++i) pair.send(i);
  EXPECT_EQ(drain(reader, 0, n), n);
  if (GetParam()) {
    EXPECT_GE(reader.overruns, 1U) << "the buffers ran out while the packets kept coming";
    EXPECT_GE(reader.rearms, 1U);
  }
  // Still posted afterwards: the next packets arrive as well.
  for (int i = 0; i < 10; ++i) pair.send(n + i);
  EXPECT_EQ(drain(reader, n, 10), 10);
}

TEST_P(TunBatchReaderTest, ReceiveStopsAtTheLimit) {
  Pair pair;
  TunBatchReader reader(pair.fds[1], GetParam());
  for (int i = 0; i < 50; ++i) pair.send(i);
  pollfd p{reader.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 1000), 1);
  int next = 0;
  auto check = [&](Bytes got) {
    EXPECT_EQ(got.size(), packet(next).size());
    ++next;
  };
  EXPECT_EQ(reader.receive(check, 20), 20U);
  EXPECT_EQ(next, 20);
  EXPECT_EQ(drain(reader, 20, 30), 30);
}

INSTANTIATE_TEST_SUITE_P(IoUringAndFallback, TunBatchReaderTest, ::testing::Bool());

}  // namespace
}  // namespace pppoe::dataplane
