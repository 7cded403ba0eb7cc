#include "proto/ppp/hdlc.hpp"

#include <gtest/gtest.h>

namespace pppoe::ppp::hdlc {
namespace {

struct Got {
  std::uint16_t protocol;
  std::vector<std::uint8_t> info;
};

std::vector<Got> deframe(Deframer& d, const std::vector<std::uint8_t>& wire) {
  std::vector<Got> got;
  d.feed(Bytes(wire), [&](std::uint16_t p, Bytes info) { got.push_back({p, {info.begin(), info.end()}}); });
  return got;
}

TEST(Hdlc, Fcs16AndFcs32CheckValues) {
  // "123456789": the standard check values of CRC-16/X-25 and CRC-32 (RFC 1662 appendix C).
  const std::uint8_t text[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(static_cast<std::uint16_t>(~fcs16(Bytes(text, 9))), 0x906e);
  EXPECT_EQ(~fcs32(Bytes(text, 9)), 0xcbf43926u);
}

TEST(Hdlc, KnownLcpFrame) {
  // An LCP Configure-Request with ACCM 0 and Magic-Number as a real pppd sends it; the escaped
  // wire form computed by hand from section 4.2 (all control characters escaped for LCP).
  std::vector<std::uint8_t> info = {0x01, 0x01, 0x00, 0x0e, 0x02, 0x06, 0x00, 0x00, 0x00, 0x00, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78};
  std::vector<std::uint8_t> wire;
  encode(wire, 0xc021, Bytes(info), {});
  ASSERT_GE(wire.size(), 4u);
  EXPECT_EQ(wire.front(), kFlag);
  EXPECT_EQ(wire.back(), kFlag);
  EXPECT_EQ(wire[1], 0xff);
  EXPECT_EQ(wire[2], 0x7d);  // 0x03 escaped
  EXPECT_EQ(wire[3], 0x23);
  Deframer d;
  auto got = deframe(d, wire);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].protocol, 0xc021);
  EXPECT_EQ(got[0].info, info);
}

TEST(Hdlc, RoundTripEveryOptionCombination) {
  std::vector<std::uint8_t> info;
  for (int i = 0; i < 300; ++i) info.push_back(static_cast<std::uint8_t>(i * 7));  // 7E, 7D, controls
  for (bool acfc : {false, true})
    for (bool pfc : {false, true})
      for (bool f32 : {false, true})
        for (std::uint32_t accm : {0u, 0xffffffffu, 0x000a0000u}) {
          std::vector<std::uint8_t> wire;
          encode(wire, 0x0021, Bytes(info), {accm, acfc, pfc, f32});
          encode(wire, 0x8021, Bytes(info).first(10), {accm, acfc, pfc, f32});
          for (std::uint8_t c : std::vector<std::uint8_t>(wire.begin() + 1, wire.end() - 1))
            if (c < 0x20) {
              EXPECT_EQ((accm >> c) & 1u, 0u) << "control character not escaped";
            }
          Deframer d(f32);
          auto got = deframe(d, wire);
          ASSERT_EQ(got.size(), 2u);
          EXPECT_EQ(got[0].protocol, 0x0021);
          EXPECT_EQ(got[0].info, info);
          EXPECT_EQ(got[1].protocol, 0x8021);
        }
}

TEST(Hdlc, BadFramesAreCountedAndDropped) {
  std::vector<std::uint8_t> info = {1, 2, 3, 4};
  std::vector<std::uint8_t> wire;
  encode(wire, 0x0021, Bytes(info), {});
  auto corrupted = wire;
  corrupted[5] ^= 0x01;
  Deframer d;
  EXPECT_TRUE(deframe(d, corrupted).empty());
  EXPECT_EQ(d.counters().bad_fcs, 1u);
  std::vector<std::uint8_t> aborted = {kFlag, 0xff, 0x7d, 0x23, 0x00, kEscape, kFlag};
  EXPECT_TRUE(deframe(d, aborted).empty());
  EXPECT_EQ(d.counters().aborted, 1u);
  std::vector<std::uint8_t> runt = {kFlag, 0x21, kFlag};
  EXPECT_TRUE(deframe(d, runt).empty());
  EXPECT_EQ(d.counters().too_short, 1u);
  std::vector<std::uint8_t> huge(4000, 0x41);
  huge.front() = kFlag;
  huge.push_back(kFlag);
  EXPECT_TRUE(deframe(d, huge).empty());
  EXPECT_EQ(d.counters().too_long, 1u);
  // The good frame after all that still arrives: the deframer resynchronises on flags.
  EXPECT_EQ(deframe(d, wire).size(), 1u);
  // Split across reads at every position.
  for (std::size_t cut = 1; cut < wire.size(); ++cut) {
    Deframer s;
    std::vector<std::uint8_t> a(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(cut)), b(wire.begin() + static_cast<std::ptrdiff_t>(cut), wire.end());
    std::size_t n = deframe(s, a).size() + deframe(s, b).size();
    EXPECT_EQ(n, 1u) << cut;
  }
}

TEST(Hdlc, OtherFcsTakenForLcpOnly) {
  // RFC 1570: the ends switch FCS at slightly different moments; LCP with the other FCS still
  // gets through (it is what renegotiates), IP with the other FCS is dropped as damaged.
  std::vector<std::uint8_t> lcp = {0x09, 0x01, 0x00, 0x08, 0x12, 0x34, 0x56, 0x78};
  std::vector<std::uint8_t> ip(40, 0x45);
  FramingOptions fcs16_out, fcs32_out;
  fcs32_out.fcs32 = true;
  std::vector<std::uint8_t> wire;
  encode(wire, 0xc021, Bytes(lcp), fcs16_out);
  encode(wire, 0x0021, Bytes(ip), fcs16_out);
  encode(wire, 0x0021, Bytes(ip), fcs32_out);
  Deframer d(true);
  auto got = deframe(d, wire);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].protocol, 0xc021);
  EXPECT_EQ(got[0].info, lcp);
  EXPECT_EQ(got[1].protocol, 0x0021);
  EXPECT_EQ(d.counters().bad_fcs, 1u);
  d.set_fcs32(false);
  wire.clear();
  encode(wire, 0xc021, Bytes(lcp), fcs32_out);
  encode(wire, 0x0021, Bytes(ip), fcs32_out);
  got = deframe(d, wire);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].protocol, 0xc021);
  EXPECT_EQ(d.counters().bad_fcs, 2u);
}

}  // namespace
}  // namespace pppoe::ppp::hdlc
