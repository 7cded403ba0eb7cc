#include "master/sysctl.hpp"

#include <gtest/gtest.h>

namespace pppoe::master {
namespace {

TEST(Sysctl, ReadsLeavesAndSubtreesWritesWithinRange) {
  unsigned value = 80;
  SysctlTree t;
  t.add_rw("net.graph.pppoe_lb.governor.cpu_threshold", [&] { return std::to_string(value); },
           [&](long long v) -> std::expected<void, std::string> {
             value = static_cast<unsigned>(v);
             return {};
           },
           1, 100);
  t.add_ro("net.graph.pppoe_lb.governor.current_workers", [] { return "3"; });
  t.add_ro("net.graph.pppoe_lb.governorx", [] { return "not in the subtree"; });
  auto leaf = t.read("net.graph.pppoe_lb.governor.current_workers");
  ASSERT_TRUE(leaf);
  EXPECT_EQ(leaf->at(0).second, "3");
  auto sub = t.read("net.graph.pppoe_lb.governor");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->size(), 2u);
  EXPECT_FALSE(t.read("net.graph.pppoe_lb.nothing"));
  EXPECT_TRUE(t.write("net.graph.pppoe_lb.governor.cpu_threshold", "70"));
  EXPECT_EQ(value, 70u);
  EXPECT_EQ(t.write("net.graph.pppoe_lb.governor.cpu_threshold", "101").error(),
            "net.graph.pppoe_lb.governor.cpu_threshold: 101 is out of range (1 to 100)");
  EXPECT_EQ(t.write("net.graph.pppoe_lb.governor.cpu_threshold", "high").error(),
            "net.graph.pppoe_lb.governor.cpu_threshold: expected an integer, found 'high'");
  EXPECT_EQ(t.write("net.graph.pppoe_lb.governor.current_workers", "5").error(),
            "oid 'net.graph.pppoe_lb.governor.current_workers' is read only");
  EXPECT_EQ(value, 70u);
}

TEST(Sysctl, ParsesSysctlConfLines) {
  auto lines = parse_sysctl_lines(
      "# /etc/sysctl.conf\nnet.graph.pppoe_lb.governor.enabled=1 # Enable governor\n\n"
      "  net.graph.pppoe_lb.governor.min_workers = 2\n",
      "sysctl.conf");
  ASSERT_TRUE(lines) << lines.error();
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[1].first, "net.graph.pppoe_lb.governor.min_workers");
  EXPECT_EQ((*lines)[1].second, "2");
  EXPECT_EQ(parse_sysctl_lines("a=1\nbroken line\n", "f").error(), "f:2: expected name=value, found 'broken line'");
  EXPECT_EQ(parse_sysctl_lines("a=\n", "f").error(), "f:1: expected name=value, found 'a='");
}

}  // namespace
}  // namespace pppoe::master
