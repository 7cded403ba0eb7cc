// IPv6 prefixes, their pools and the longest-prefix-match index the downstream path uses.
#include <gtest/gtest.h>

#include "common/ipv6.hpp"
#include "dataplane/prefix_index.hpp"
#include "dataplane/shared_prefix_pool.hpp"

namespace pppoe {
namespace {

Ipv6Prefix prefix(const char* text) {
  auto p = Ipv6Prefix::parse(text);
  EXPECT_TRUE(p) << text;
  return p.value_or(Ipv6Prefix{});
}
Ipv6Bytes address(const char* text) { return parse_ipv6(text).value(); }

TEST(Ipv6Prefix, ParsesFormatsAndRefusesWhatIsNoPrefix) {
  EXPECT_EQ(prefix("2001:db8:100::/40").to_string(), "2001:db8:100::/40");
  EXPECT_EQ(prefix("2001:db8:1:2::/64").upper, 0x20010db800010002ull);
  EXPECT_FALSE(Ipv6Prefix::parse("2001:db8::1/64"));      // host bits past 64
  EXPECT_FALSE(Ipv6Prefix::parse("2001:db8:ff::/40"));    // bits past the length
  EXPECT_FALSE(Ipv6Prefix::parse("2001:db8::/65"));       // longer than 64
  EXPECT_FALSE(Ipv6Prefix::parse("2001:db8::/0"));
  EXPECT_FALSE(Ipv6Prefix::parse("2001:db8::"));
  EXPECT_FALSE(Ipv6Prefix::parse("2001:db8::/6x"));
  EXPECT_FALSE(Ipv6Prefix::parse("nonsense/48"));
  auto p = prefix("2001:db8:1:2::/64");
  EXPECT_TRUE(p.contains(address("2001:db8:1:2::abcd")));
  EXPECT_FALSE(p.contains(address("2001:db8:1:3::1")));
  EXPECT_EQ(ipv6_to_string(p.address(0x0211223344556677ull)), "2001:db8:1:2:211:2233:4455:6677");
  EXPECT_TRUE(prefix("2001:db8::/32").contains(p));
  EXPECT_FALSE(p.contains(prefix("2001:db8::/32")));
}

TEST(SharedPrefixPool, HandsOutEveryPrefixOnceAndTakesThemBack) {
  dataplane::SharedPrefixPool pool({"", prefix("2001:db8:100::/60"), 64});
  ASSERT_EQ(pool.capacity(), 16u);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 16; ++i) {
    auto p = pool.allocate();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->length, 64);
    EXPECT_TRUE(prefix("2001:db8:100::/60").contains(*p));
    seen.insert(p->upper);
  }
  EXPECT_EQ(seen.size(), 16u);
  EXPECT_FALSE(pool.allocate());
  pool.release(prefix("2001:db8:100:5::/64"));
  EXPECT_EQ(pool.in_use(), 15u);
  EXPECT_FALSE(pool.reserve(prefix("2001:db8:100:4::/64")));  // taken
  EXPECT_TRUE(pool.reserve(prefix("2001:db8:100:5::/64")));
  EXPECT_FALSE(pool.contains(prefix("2001:db8:101::/64")));    // outside
  EXPECT_FALSE(pool.contains(prefix("2001:db8:100::/56")));    // another length
  pool.release(prefix("2001:db8:101::/64"));                   // not ours: nothing happens
  EXPECT_EQ(pool.in_use(), 16u);
}

TEST(SharedPrefixPool, HalvesForAStandbyPairNeverOverlap) {
  dataplane::SharedPrefixPool pool({"", prefix("2001:db8:100::/60"), 64});
  std::set<std::uint64_t> lower, upper;
  while (auto p = pool.allocate(dataplane::PoolPart::kLower)) lower.insert(p->upper);
  while (auto p = pool.allocate(dataplane::PoolPart::kUpper)) upper.insert(p->upper);
  EXPECT_EQ(lower.size(), 8u);
  EXPECT_EQ(upper.size(), 8u);
  for (auto u : upper) EXPECT_FALSE(lower.count(u));
}

TEST(SharedPrefixIndex, LongestPrefixWinsAndOnlyTheOwnerErases) {
  dataplane::SharedPrefixIndex index(10);
  ASSERT_TRUE(index.insert(prefix("2001:db8:200::/56"), 7));    // a delegated prefix
  ASSERT_TRUE(index.insert(prefix("2001:db8:200:10::/64"), 9)); // a /64 inside it, another session
  ASSERT_TRUE(index.insert(prefix("2001:db8:1000:1::/64"), 3));
  EXPECT_EQ(index.find(address("2001:db8:200:10::1")), 9);
  EXPECT_EQ(index.find(address("2001:db8:200:11::1")), 7);
  EXPECT_EQ(index.find(address("2001:db8:1000:1:211:2233:4455:6677")), 3);
  EXPECT_FALSE(index.find(address("2001:db8:1000:2::1")));
  EXPECT_FALSE(index.find(address("fe80::1")));
  EXPECT_FALSE(index.insert(prefix("2001:db8:1000:1::/64"), 4));  // two sessions never share one
  EXPECT_FALSE(index.insert(Ipv6Prefix{0, 64}, 4));                // ::/64 is no prefix
  EXPECT_FALSE(index.erase(prefix("2001:db8:200::/56"), 8));      // not the owner
  EXPECT_EQ(index.owner(prefix("2001:db8:200::/56")), 7);
  EXPECT_FALSE(index.owner(prefix("2001:db8:200::/64")));         // same upper bits, other length
  EXPECT_TRUE(index.erase(prefix("2001:db8:200::/56"), 7));
  EXPECT_FALSE(index.find(address("2001:db8:200:11::1")));
  EXPECT_EQ(index.find(address("2001:db8:200:10::1")), 9);
  EXPECT_EQ(index.size(), 2u);
}

}  // namespace
}  // namespace pppoe

#include "dataplane/held_prefixes.hpp"

namespace pppoe {
namespace {

TEST(HeldPrefixes, ClaimedOnceExpiredOnceNeverBoth) {
  dataplane::HeldPrefixes held(4);
  auto alice = dataplane::HeldPrefixes::key_of("alice");
  auto bob = dataplane::HeldPrefixes::key_of("bob");
  dataplane::HeldPrefixes::Held h{*Ipv6Prefix::parse("2001:db8:1000:1::/64"), *Ipv6Prefix::parse("2001:db8:2000:100::/56")};
  ASSERT_TRUE(held.hold(alice, h, 1000));
  EXPECT_FALSE(held.hold(alice, h, 1000));  // one entry per user
  auto got = held.claim(alice);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->wan, h.wan);
  EXPECT_EQ(got->delegated, h.delegated);
  EXPECT_FALSE(held.claim(alice));  // a second session of the same user gets nothing
  int released = 0;
  held.expire(5000, [&](const auto&) { ++released; });
  EXPECT_EQ(released, 0);  // claimed: the session has them
  EXPECT_EQ(held.size(), 0u);
  // Not claimed in time: back to the pools, and no claim after that.
  ASSERT_TRUE(held.hold(bob, h, 2000));
  held.expire(1999, [&](const auto&) { ++released; });
  EXPECT_EQ(released, 0);
  held.expire(2000, [&](const auto&) { ++released; });
  EXPECT_EQ(released, 1);
  EXPECT_FALSE(held.claim(bob));
  // A user whose claimed entry was not expired yet holds again at once.
  ASSERT_TRUE(held.hold(alice, h, 3000));
  ASSERT_TRUE(held.claim(alice));
  EXPECT_TRUE(held.hold(alice, h, 4000));
  // Full.
  for (const char* u : {"c", "d", "e"}) held.hold(dataplane::HeldPrefixes::key_of(u), h, 9000);
  EXPECT_FALSE(held.hold(dataplane::HeldPrefixes::key_of("f"), h, 9000));
}

}  // namespace
}  // namespace pppoe
