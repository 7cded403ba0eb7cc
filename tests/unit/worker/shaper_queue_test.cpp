#include "worker/shaper_queue.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pppoe::worker {
namespace {

TEST(ShaperQueue, ReleasesByDepartureInOrder) {
  ShaperQueue q;
  const std::int64_t t0 = 10'000'000'000;
  std::uint8_t a[] = {1}, b[] = {2}, c[] = {3};
  ASSERT_TRUE(q.push(t0, t0 + 3'000'000, 7, Bytes(a)));
  ASSERT_TRUE(q.push(t0, t0 + 1'000'000, 8, Bytes(b)));
  ASSERT_TRUE(q.push(t0, t0 + 3'000'000, 7, Bytes(c)));  // same tick as `a`: after it
  EXPECT_EQ(q.size(), 3u);
  EXPECT_LE(*q.next_due(), t0 + 1'000'000);
  std::vector<std::uint8_t> order;
  auto collect = [&](std::uint16_t, Bytes p) { order.push_back(p[0]); };
  EXPECT_EQ(q.release(t0 + 500'000, collect), 0u);
  EXPECT_EQ(q.release(t0 + 1'200'000, collect), 1u);
  EXPECT_EQ(q.release(t0 + 4'000'000, collect), 2u);
  EXPECT_EQ(order, (std::vector<std::uint8_t>{2, 1, 3}));
  EXPECT_FALSE(q.next_due());
}

TEST(ShaperQueue, RefusesWhenFullTooBigOrTooLate) {
  ShaperQueue q;
  const std::int64_t t0 = 1'000'000'000;
  std::vector<std::uint8_t> big(ShaperQueue::kSlotSize + 1, 0), small(64, 0);
  EXPECT_FALSE(q.push(t0, t0 + 1'000, 1, Bytes(big)));
  EXPECT_FALSE(q.push(t0, t0 + ShaperQueue::kMaxDelayNs + 1, 1, Bytes(small)));
  for (std::size_t i = 0; i < ShaperQueue::kSlots; ++i) ASSERT_TRUE(q.push(t0, t0 + 1'000'000, 1, Bytes(small)));
  EXPECT_FALSE(q.push(t0, t0 + 1'000'000, 1, Bytes(small)));
  EXPECT_EQ(q.release(t0 + 2'000'000, [](std::uint16_t, Bytes) {}), ShaperQueue::kSlots);
  EXPECT_TRUE(q.push(t0 + 2'000'000, t0 + 3'000'000, 1, Bytes(small)));  // slots back
}

}  // namespace
}  // namespace pppoe::worker
