#include "proto/ether.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pppoe::ether {

std::vector<std::uint8_t> frame(std::vector<std::uint8_t> after_macs) {
  std::vector<std::uint8_t> f = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1};
  for (auto b : after_macs) f.push_back(b);  // (insert() trips a g++ 12 -Warray-bounds false positive)
  return f;
}

TEST(Ether, UntaggedRoundTrip) {
  auto f = frame({0x88, 0x63, 0x11});
  auto d = decode(f);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->header.dst.is_broadcast());
  EXPECT_EQ(d->header.ether_type, 0x8863);
  EXPECT_EQ(d->header.vlans.count, 0);
  EXPECT_EQ(d->payload.size(), 1u);
  std::array<std::uint8_t, 32> out{};
  ByteWriter w(out);
  encode(d->header, w);
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 14), std::vector<std::uint8_t>(f.begin(), f.begin() + 14));
}

TEST(Ether, QinQRoundTrip) {
  auto f = frame({0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x21, 0x2c, 0x88, 0x64});
  auto d = decode(f);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->header.vlans.count, 2);
  EXPECT_EQ(d->header.vlans.tags[0].tpid, 0x88a8);
  EXPECT_EQ(d->header.vlans.tags[0].vid(), 200);
  EXPECT_EQ(d->header.vlans.tags[1].vid(), 300);
  EXPECT_EQ((d->header.vlans.tags[1].tci >> 13), 1);  // priority bits kept
  EXPECT_EQ(d->header.ether_type, 0x8864);
  std::array<std::uint8_t, 32> out{};
  ByteWriter w(out);
  encode(d->header, w);
  ASSERT_EQ(w.size(), d->header.size());
  EXPECT_TRUE(std::equal(f.begin(), f.end(), out.begin()));
}

struct BadFrame {
  const char* name;
  std::vector<std::uint8_t> bytes;
  Error expected;
};

TEST(Ether, RejectsMalformed) {
  std::vector<BadFrame> cases = {
      {"too short for MACs", {1, 2, 3}, Error::kTruncated},
      {"no ethertype", frame({}), Error::kTruncated},
      {"tag without TCI", frame({0x81, 0x00, 0x00}), Error::kTruncated},
      {"three tags", frame({0x88, 0xa8, 0, 1, 0x81, 0, 0, 2, 0x81, 0, 0, 3, 0x88, 0x64}), Error::kTooManyTags},
  };
  for (const auto& c : cases) {
    auto d = decode(c.bytes);
    ASSERT_FALSE(d) << c.name;
    EXPECT_EQ(d.error(), c.expected) << c.name;
  }
}

}  // namespace pppoe::ether
