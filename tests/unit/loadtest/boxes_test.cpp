#include "loadtest/boxes.hpp"

#include <gtest/gtest.h>

namespace pppoe::loadtest {
namespace {

BoxReport box(const std::string& name, std::uint64_t sessions, unsigned score = 100, const char* role = nullptr) {
  Snapshot s;
  s.sessions_total = s.sessions_up = sessions;
  s.workers.push_back({1, "ACTIVE", sessions, 0, 0, 60, 0, 0, 10});
  if (role) s.standby = Snapshot::StandbyView{role, true, "", 0};
  BoxReport b{name, s, {}, {}};
  b.health.score = score;
  return b;
}

BoxReport unreachable(const std::string& name, int code) { return {name, std::nullopt, {code, "connection refused"}, {}}; }

TEST(Boxes, TotalsAndSpreadOverServingBoxes) {
  auto r = compare_boxes({box("a", 500), box("b", 450), box("c", 550)});
  EXPECT_EQ(r.sessions, 1500u);
  EXPECT_EQ(r.reachable, 3u);
  EXPECT_EQ(r.serving, 3u);
  EXPECT_EQ(r.workers, 3u);
  EXPECT_EQ(r.imbalance_pct, 10u);  // 450 and 550 are 10 % from the mean of 500
  EXPECT_EQ(r.exit_code(std::nullopt), 0);
  EXPECT_EQ(r.exit_code(10u), 0);
  EXPECT_EQ(r.exit_code(9u), 1);
  EXPECT_NEAR(r.boxes[2].share_pct(r.sessions), 36.67, 0.01);
}

TEST(Boxes, StandbyBackupIsShownButNotCountedInTheSpread) {
  auto r = compare_boxes({box("master", 300, 100, "MASTER"), box("backup", 0, 100, "BACKUP"), box("plain", 300)});
  EXPECT_EQ(r.serving, 2u);
  EXPECT_EQ(r.imbalance_pct, 0u);
  EXPECT_FALSE(r.boxes[1].serving());
}

TEST(Boxes, NoSessionsIsNoImbalance) {
  auto r = compare_boxes({box("a", 0), box("b", 0)});
  EXPECT_EQ(r.imbalance_pct, 0u);
  EXPECT_EQ(r.exit_code(20u), 0);
}

TEST(Boxes, AnUnreachableBoxDecidesTheExitCodeAndTheOthersStillCount) {
  auto r = compare_boxes({box("a", 100), unreachable("b", 4), box("c", 100)});
  EXPECT_EQ(r.reachable, 2u);
  EXPECT_EQ(r.sessions, 200u);
  EXPECT_EQ(r.lowest_health, 0u);
  EXPECT_EQ(r.exit_code(std::nullopt), 4);
}

TEST(Boxes, AnUnhealthyBoxFails) {
  auto r = compare_boxes({box("a", 100), box("b", 100, 65)});
  EXPECT_EQ(r.lowest_health, 65u);
  EXPECT_EQ(r.exit_code(std::nullopt), 1);
}

}  // namespace
}  // namespace pppoe::loadtest
