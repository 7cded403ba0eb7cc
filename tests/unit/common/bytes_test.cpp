#include "common/bytes.hpp"

#include <gtest/gtest.h>

#include <array>

namespace pppoe {

TEST(ByteReader, ReadsBigEndianAndStopsAtTheEnd) {
  const std::uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r(data);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_FALSE(r.u8().has_value());
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, FailedReadKeepsTheCursor) {
  const std::uint8_t data[] = {0xaa, 0xbb, 0xcc};
  ByteReader r(data);
  EXPECT_FALSE(r.u32().has_value());
  EXPECT_EQ(r.position(), 0u);
  EXPECT_FALSE(r.bytes(4).has_value());
  EXPECT_EQ(r.u16(), 0xaabb);
}

TEST(ByteWriter, OverflowIsStickyAndWritesNothingMore) {
  std::array<std::uint8_t, 3> buf{};
  ByteWriter w(buf);
  w.u16(0x1234);
  w.u16(0x5678);
  EXPECT_TRUE(w.overflow());
  EXPECT_EQ(w.size(), 2u);
  w.u8(9);
  EXPECT_EQ(w.size(), 2u);
}

TEST(ByteWriter, PatchesLengthFields) {
  std::array<std::uint8_t, 8> buf{};
  ByteWriter w(buf);
  auto at = w.placeholder(2);
  w.u32(0xdeadbeef);
  w.patch_u16(at, 4);
  EXPECT_EQ(buf[0], 0);
  EXPECT_EQ(buf[1], 4);
}

}  // namespace pppoe
