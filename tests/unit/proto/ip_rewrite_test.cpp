#include <gtest/gtest.h>

#include "proto/ip.hpp"

namespace pppoe::ip {
namespace {

TEST(RewriteIpv4Source, UdpAndHeaderChecksumsStayRight) {
  std::array<std::uint8_t, 200> buf{};
  const std::uint8_t payload[] = {'h', 'e', 'l', 'l', 'o', '!', 1, 2, 3};
  std::size_t n = build_udp(buf, *Ipv4Address::parse("10.0.0.2"), *Ipv4Address::parse("198.51.100.1"), 40000, 53,
                            Bytes(payload, sizeof payload));
  ASSERT_GT(n, 0u);
  MutableBytes packet(buf.data(), n);
  ASSERT_TRUE(rewrite_ipv4_source(packet, *Ipv4Address::parse("100.64.7.201")));
  EXPECT_EQ(internet_checksum(Bytes(buf.data(), 20)), 0) << "IPv4 header checksum";
  auto udp = parse_udp(Bytes(buf.data(), n));
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->src.to_string(), "100.64.7.201");
  EXPECT_TRUE(udp->checksum_ok) << "UDP checksum over the new pseudo-header";
}

TEST(RewriteIpv4Source, IcmpAndMalformed) {
  std::array<std::uint8_t, 200> buf{};
  std::size_t n = build_icmp_echo(buf, *Ipv4Address::parse("10.0.0.2"), *Ipv4Address::parse("10.0.0.1"), 7, 1, 32);
  ASSERT_TRUE(rewrite_ipv4_source(MutableBytes(buf.data(), n), *Ipv4Address::parse("10.0.0.77")));
  EXPECT_EQ(internet_checksum(Bytes(buf.data(), 20)), 0);
  std::array<std::uint8_t, 10> short_packet{0x45};
  EXPECT_FALSE(rewrite_ipv4_source(MutableBytes(short_packet), *Ipv4Address::parse("1.2.3.4")));
  std::array<std::uint8_t, 40> v6{0x60};
  EXPECT_FALSE(rewrite_ipv4_source(MutableBytes(v6), *Ipv4Address::parse("1.2.3.4")));
}

}  // namespace
}  // namespace pppoe::ip
