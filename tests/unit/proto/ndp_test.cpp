// Router Solicitation and Advertisement (RFC 4861) with RFC 8106's DNS options: round trips,
// and the checks a received message must pass.
#include <gtest/gtest.h>

#include "proto/ip.hpp"
#include "proto/ndp.hpp"
#include "session/ra_schedule.hpp"

namespace pppoe {
namespace {

TEST(Ndp, AdvertisementRoundTripsWithEveryOption) {
  ndp::RouterAdvertisement ra;
  ra.other = true;
  ra.router_lifetime = 1800;
  ra.prefix = *Ipv6Prefix::parse("2001:db8:1000:2a::/64");
  ra.mtu = 1492;
  ra.dns = {*parse_ipv6("2001:db8:ffff::53"), *parse_ipv6("2001:db8:ffff::54")};
  ra.domains = {"example.net", "isp.example"};
  ra.dns_lifetime = 1800;
  std::array<std::uint8_t, 512> buf{};
  std::size_t n = ndp::build_router_advertisement(buf, ip::link_local(1), ndp::kAllNodes, ra);
  ASSERT_GT(n, 40u);
  auto back = ndp::decode_router_advertisement(Bytes(buf.data(), n));
  ASSERT_TRUE(back) << ndp::to_string(back.error());
  EXPECT_TRUE(back->other);
  EXPECT_FALSE(back->managed);
  EXPECT_EQ(back->router_lifetime, 1800);
  EXPECT_EQ(back->prefix, ra.prefix);
  EXPECT_TRUE(back->autonomous);
  EXPECT_EQ(back->valid_lifetime, ra.valid_lifetime);
  EXPECT_EQ(back->mtu, 1492u);
  EXPECT_EQ(back->dns, ra.dns);
  EXPECT_EQ(back->domains, ra.domains);
  // Any flipped bit breaks the checksum.
  buf[60] ^= 1;
  EXPECT_EQ(ndp::decode_router_advertisement(Bytes(buf.data(), n)).error(), ndp::Error::kBadChecksum);
}

TEST(Ndp, SolicitationChecks) {
  std::array<std::uint8_t, 64> buf{};
  std::size_t n = ndp::build_router_solicitation(buf, ip::link_local(0x0211223344556677ull));
  ASSERT_EQ(n, 48u);
  auto rs = ndp::decode_router_solicitation(Bytes(buf.data(), n));
  ASSERT_TRUE(rs);
  EXPECT_EQ(ip::link_local_id(rs->source), 0x0211223344556677ull);
  auto bad = buf;
  bad[7] = 64;  // crossed a router: RFC 4861 section 6.1.1
  EXPECT_EQ(ndp::decode_router_solicitation(Bytes(bad.data(), n)).error(), ndp::Error::kBadHopLimit);
  bad = buf;
  bad[41] = 1;  // code
  EXPECT_EQ(ndp::decode_router_solicitation(Bytes(bad.data(), n)).error(), ndp::Error::kBadCode);
  bad = buf;
  bad[5] = 60;  // payload length past the packet
  EXPECT_EQ(ndp::decode_router_solicitation(Bytes(bad.data(), n)).error(), ndp::Error::kNotIcmpv6);
  EXPECT_EQ(ndp::decode_router_solicitation(Bytes(buf.data(), 44)).error(), ndp::Error::kNotIcmpv6);
  EXPECT_EQ(ndp::decode_router_advertisement(Bytes(buf.data(), n)).error(), ndp::Error::kOtherType);
}

TEST(Ndp, ZeroLengthOptionIsRefused) {
  // An RS with an option of length 0 (RFC 4861 section 6.1.1: silently discarded).
  std::array<std::uint8_t, 64> buf{};
  ByteWriter w(buf);
  w.u32(0x60000000);
  w.u16(16);
  w.u8(58);
  w.u8(255);
  auto src = ip::link_local(5);
  w.bytes(Bytes(src));
  w.bytes(Bytes(ndp::kAllRouters));
  w.u8(133);
  w.u8(0);
  w.u16(0);
  w.u32(0);
  w.u8(1);
  w.u8(0);  // length 0
  w.u16(0);
  w.u32(0);
  w.patch_u16(42, ip::icmpv6_checksum(src, ndp::kAllRouters, w.written().subspan(40)));
  EXPECT_EQ(ndp::decode_router_solicitation(w.written()).error(), ndp::Error::kBadOption);
}

TEST(RaSchedule, ThreeInitialAdvertisementsThenTheInterval) {
  using namespace std::chrono;
  session::RaSchedule s;
  TimePoint t0{seconds(1000)};
  EXPECT_FALSE(s.running());
  s.start(t0);
  EXPECT_TRUE(s.due(t0));
  TimePoint t = t0;
  for (int i = 0; i < 2; ++i) {
    s.sent(t, seconds(600), 12345);
    EXPECT_LE(*s.next() - t, seconds(16));  // RFC 4861 MAX_INITIAL_RTR_ADVERT_INTERVAL
    t = *s.next();
  }
  s.sent(t, seconds(600), 0);
  EXPECT_GE(*s.next() - t, seconds(200));  // MinRtrAdvInterval = MaxRtrAdvInterval / 3
  s.sent(t, seconds(600), 0xffffffffu);
  EXPECT_LE(*s.next() - t, seconds(600));
  // Solicitations: answered, but not within 3 s of the last advertisement.
  EXPECT_FALSE(s.solicited(t + seconds(2)));
  EXPECT_TRUE(s.solicited(t + seconds(3)));
  s.stop();
  EXPECT_FALSE(s.solicited(t + seconds(10)));
  EXPECT_FALSE(s.next());
}

}  // namespace
}  // namespace pppoe
