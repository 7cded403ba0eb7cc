#include "master/failure_log.hpp"

#include <gtest/gtest.h>

#include "session/ppp_link.hpp"

namespace pppoe::master {
namespace {

FailureEntry entry(std::int64_t ms, std::uint8_t mac_last, std::string reason, std::uint16_t sid = 0, std::string user = "") {
  return {ms, MacAddress{{0x02, 0, 0, 0, 0, mac_last}}, {}, std::move(user), "discovery", std::move(reason), sid, 1};
}

TEST(FailureLog, KeepsTheNewestMergesARetryingClientAndFilters) {
  FailureLog log(3);
  log.add(entry(1000, 1, "Service-Name 'x' not offered"));
  log.add(entry(4000, 1, "Service-Name 'x' not offered"));  // within 10 s: the same entry
  log.add(entry(5000, 2, "wrong password", 7, "alice"));
  log.add(entry(6000, 3, "unknown user", 8, "mallory"));
  auto all = log.to_json("", "", 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["user"], "mallory");  // newest first
  EXPECT_EQ(all[2]["repeats"], 2);
  EXPECT_EQ(all[2]["unix_ms"], 4000);
  log.add(entry(7000, 4, "pool"));  // the oldest goes
  EXPECT_EQ(log.to_json("", "", 10).back()["user"], "alice");
  EXPECT_EQ(log.recorded(), 5u);
  EXPECT_EQ(log.to_json("alice", "", 10).size(), 1u);
  EXPECT_EQ(log.to_json("", "02:00:00:00:00:03", 10)[0]["user"], "mallory");
  EXPECT_EQ(log.to_json("", "", 1).size(), 1u);
  FailureLog off(0);
  off.add(entry(1, 1, "x"));
  EXPECT_EQ(off.size(), 0u);
}

TEST(FailureLog, SaysWhereAndWhyInWords) {
  using session::EndReason;
  using session::Phase;
  auto r = [](EndReason e) { return static_cast<std::uint8_t>(e); };
  auto p = [](Phase ph) { return static_cast<std::uint8_t>(ph); };
  EXPECT_EQ(describe_phase(p(Phase::kDead), false, r(EndReason::kAuthFailed)), "authentication");
  EXPECT_EQ(describe_phase(p(Phase::kDead), false, r(EndReason::kPoolExhausted)), "IPCP");
  EXPECT_EQ(describe_phase(p(Phase::kEstablish), false, r(EndReason::kPeerPadt)), "LCP");
  EXPECT_EQ(describe_phase(p(Phase::kNetwork), true, r(EndReason::kEchoTimeout)), "up");
  EXPECT_EQ(describe_end(r(EndReason::kAuthFailed), "RADIUS reject: suspended"), "RADIUS reject: suspended");
  EXPECT_EQ(describe_end(r(EndReason::kPoolExhausted), ""), "no address left in the pool");
  for (std::size_t i = 0; i < session::kEndReasons; ++i) EXPECT_FALSE(describe_end(static_cast<std::uint8_t>(i), "").empty());
}

}  // namespace
}  // namespace pppoe::master
