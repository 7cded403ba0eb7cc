#include "policy/rate.hpp"

#include <gtest/gtest.h>

#include "policy/gcra.hpp"

namespace pppoe::policy {
namespace {

TEST(Rate, UnitsAndBareNumbers) {
  EXPECT_EQ(parse_kbps("10M", 1000), 10'000u);
  EXPECT_EQ(parse_kbps("512k", 1000), 512u);
  EXPECT_EQ(parse_kbps("1.5M", 1000), 1'500u);
  EXPECT_EQ(parse_kbps("2G", 1000), 2'000'000u);
  EXPECT_EQ(parse_kbps("1000", 1000), 1'000u);  // kbit/s: our config, Filter-Id
  EXPECT_EQ(parse_kbps("64000", 1), 64u);       // bit/s: MikroTik
  for (const char* bad : {"", "M", "10x", "1.M", "1.1234567M", "-5", "7", "5000G", " 10M", "10 M", "1e6"})
    EXPECT_FALSE(parse_kbps(bad, 1000)) << bad;
}

TEST(Rate, DownUpForms) {
  EXPECT_EQ(parse_down_up("20M/5M"), (RateLimit{Rate{20'000, 0}, Rate{5'000, 0}}));
  EXPECT_EQ(parse_down_up("8000"), (RateLimit{Rate{8'000, 0}, Rate{8'000, 0}}));
  EXPECT_FALSE(parse_down_up("1/2/3"));
  EXPECT_FALSE(parse_down_up("10M/"));
  // Filter-Id: digits only, else it names a filter list.
  EXPECT_EQ(parse_filter_id_rate("1000/500"), (RateLimit{Rate{1'000, 0}, Rate{500, 0}}));
  EXPECT_FALSE(parse_filter_id_rate("residential"));
  EXPECT_FALSE(parse_filter_id_rate("10M/5M"));
}

TEST(Rate, MikrotikRateLimit) {
  auto r = parse_mikrotik_rate_limit("10M/20M");  // rx (upload) / tx (download)
  ASSERT_TRUE(r);
  EXPECT_EQ(r->up->kbps, 10'000u);
  EXPECT_EQ(r->down->kbps, 20'000u);
  // Bursts: threshold x time as the bucket: 8 Mbit/s x 10 s = 10 MB up, 16 Mbit/s x 10 s down.
  r = parse_mikrotik_rate_limit("10M/20M 20M/40M 8M/16M 10/10 8 5M/10M");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->up->burst, 10'000'000u);
  EXPECT_EQ(r->down->burst, 20'000'000u);
  EXPECT_FALSE(parse_mikrotik_rate_limit(""));
  EXPECT_FALSE(parse_mikrotik_rate_limit("10M/20M 20M/40M"));  // a burst rate without threshold and time
  EXPECT_FALSE(parse_mikrotik_rate_limit("fast/slow"));
  EXPECT_FALSE(parse_mikrotik_rate_limit("10M/20M 20M/40M 8M/16M 10/x"));
}

TEST(Rate, CiscoAvPair) {
  auto c = parse_cisco_avpair("lcp:interface-config#1=rate-limit output 1024000 192000 384000 conform-action transmit exceed-action drop");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->kind, CiscoPolicy::Kind::kRate);
  EXPECT_FALSE(c->upstream);
  EXPECT_EQ(c->rate, (Rate{1'024, 384'000}));
  c = parse_cisco_avpair("rate-limit input 256000 7500");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->upstream);
  EXPECT_EQ(c->rate, (Rate{256, 7'500}));
  c = parse_cisco_avpair("ip:sub-qos-policy-out=gold");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, CiscoPolicy::Kind::kNamed);
  EXPECT_FALSE(c->upstream);
  EXPECT_EQ(c->name, "gold");
  c = parse_cisco_avpair("shell:priv-lvl=15");  // not about rates: not ours to judge
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, CiscoPolicy::Kind::kNotPolicy);
  EXPECT_FALSE(parse_cisco_avpair("rate-limit output 1024000"));
  EXPECT_FALSE(parse_cisco_avpair("rate-limit sideways 1024000 1000"));
  EXPECT_FALSE(parse_cisco_avpair("rate-limit input 1024000 1000 exceed-action transmit"));
  EXPECT_FALSE(parse_cisco_avpair("ip:sub-qos-policy-in="));
}

TEST(Gcra, PolicerKeepsTheRateAfterItsBurst) {
  std::atomic<std::int64_t> tat{0};
  Rate rate{8'000, 10'000};  // 1 MB/s, 10 kB bucket
  std::int64_t now = 1'000'000'000;
  unsigned sent = 0;
  for (int i = 0; i < 100; ++i)  // 100 kB at once: the bucket (10 kB) and one packet more pass
    if (admit(tat, now, 1'000, rate, 0).verdict == Admission::Verdict::kSend) ++sent;
  EXPECT_EQ(sent, 11u);
  // One second later: another second's worth (1 MB) at 1,000 octets every millisecond passes.
  sent = 0;
  for (int ms = 0; ms < 1000; ++ms)
    if (admit(tat, now + 1'000'000'000 + ms * 1'000'000, 1'000, rate, 0).verdict == Admission::Verdict::kSend) ++sent;
  EXPECT_GE(sent, 999u);
}

TEST(Gcra, ShaperDelaysInOrderAndDropsPastTheQueue) {
  std::atomic<std::int64_t> tat{0};
  Rate rate{8'000, 1'000};  // 1 MB/s: 1 ms per 1,000 octets, one packet of burst
  const std::int64_t now = 1'000'000'000, max_delay = 5'000'000;
  std::int64_t last = 0;
  unsigned delayed = 0, dropped = 0;
  for (int i = 0; i < 10; ++i) {
    auto a = admit(tat, now, 1'000, rate, max_delay);
    if (a.verdict == Admission::Verdict::kDelay) {
      EXPECT_GT(a.depart_ns, last);
      last = a.depart_ns;
      ++delayed;
    }
    if (a.verdict == Admission::Verdict::kDrop) ++dropped;
  }
  EXPECT_EQ(delayed, 5u);  // 1..5 ms later
  EXPECT_EQ(dropped, 3u);  // 6 ms and more: past the queue
  EXPECT_EQ(last, now + 5'000'000);
}

}  // namespace
}  // namespace pppoe::policy
