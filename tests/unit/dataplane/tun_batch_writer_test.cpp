// The batch writer against a pipe (any fd takes write requests): every packet arrives, in
// order, and a batch of 64 costs one submission.
#include "dataplane/tun_batch_writer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

namespace pppoe::dataplane {
namespace {

class TunBatchWriterTest : public ::testing::TestWithParam<bool> {};

TEST_P(TunBatchWriterTest, EveryPacketArrivesInOrder) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  ::fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
  std::vector<std::uint8_t> expected;
  {
    TunBatchWriter w(p[1], GetParam());
    ASSERT_EQ(w.batched(), GetParam()) << "io_uring must work on this machine";
    for (int i = 0; i < 200; ++i) {
      std::vector<std::uint8_t> pkt(20 + static_cast<std::size_t>(i % 7), static_cast<std::uint8_t>(i));
      // Reusing the caller's buffer at once must be fine: the writer copies.
      ASSERT_TRUE(w.write(Bytes(pkt.data(), pkt.size())));
      expected.insert(expected.end(), pkt.begin(), pkt.end());
      std::fill(pkt.begin(), pkt.end(), 0xEE);
    }
    EXPECT_EQ(w.flush(), 0U);
    EXPECT_EQ(w.packets, 200U);
    EXPECT_EQ(w.failures, 0U);
    EXPECT_EQ(w.submits, GetParam() ? 4U : 200U);  // batches of 64 + 64 + 64 + 8, or one write() each
    if (GetParam()) {
      std::vector<std::uint8_t> too_big(TunBatchWriter::kSlotSize + 1);
      EXPECT_FALSE(w.write(Bytes(too_big.data(), too_big.size())));
    }
  }
  std::vector<std::uint8_t> got(expected.size() + 16);
  ssize_t n = ::read(p[0], got.data(), got.size());
  ASSERT_EQ(n, static_cast<ssize_t>(expected.size()));
  got.resize(static_cast<std::size_t>(n));
  EXPECT_EQ(got, expected);
  ::close(p[0]);
  ::close(p[1]);
}

TEST(TunBatchWriterFailureTest, RefusedWritesAreCounted) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  ::close(p[0]);  // nobody reads: every write fails (EPIPE; SIGPIPE ignored below)
  signal(SIGPIPE, SIG_IGN);
  TunBatchWriter w(p[1], true);
  std::uint8_t pkt[40] = {};
  for (int i = 0; i < 10; ++i) w.write(Bytes(pkt, sizeof pkt));
  w.flush();
  EXPECT_EQ(w.failures, 10U);
  EXPECT_EQ(w.packets, 0U);
  ::close(p[1]);
}

INSTANTIATE_TEST_SUITE_P(IoUringAndFallback, TunBatchWriterTest, ::testing::Values(true, false));

}  // namespace
}  // namespace pppoe::dataplane
