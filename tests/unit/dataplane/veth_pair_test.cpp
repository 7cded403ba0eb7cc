// pppoe0 as a veth pair (dataplane/veth_pair.hpp), in a private namespace: created with the
// settings the fast path and the workers' packet sockets rely on, taken over by the next start
// (a restart, a replacement after a crash), refused where the name belongs to something else,
// removed at a clean end.
#include "dataplane/veth_pair.hpp"

#include <gtest/gtest.h>
#include <net/if.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "private_netns.hpp"

namespace pppoe::dataplane {
namespace {

std::string output_of(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    ::pclose(p);
  }
  return out;
}

TEST(VethPair, IsCreatedTakenOverAndRemoved) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces)";
  bool ran = testing::in_private_netns([] {
    EXPECT_EQ(VethPair::peer_name("pppoe0"), "pppoe0-w");
    EXPECT_EQ(VethPair::peer_name("averylongname15"), "averylongname-w") << "15 characters: within IFNAMSIZ";
    auto first = VethPair::open("vp0", 1492);
    ASSERT_TRUE(first.has_value()) << first.error();
    EXPECT_EQ(first->peer(), "vp0-w");
    EXPECT_EQ(first->routed_ifindex(), static_cast<int>(::if_nametoindex("vp0")));
    EXPECT_EQ(first->peer_ifindex(), static_cast<int>(::if_nametoindex("vp0-w")));
    const std::string link = output_of("ip -d link show vp0");
    EXPECT_NE(link.find("NOARP"), std::string::npos) << link;
    const std::string features = output_of("ethtool -k vp0");
    EXPECT_NE(features.find("generic-receive-offload: on"), std::string::npos) << features;
    EXPECT_NE(features.find("tx-checksumming: off"), std::string::npos) << features;
    EXPECT_NE(features.find("generic-segmentation-offload: off"), std::string::npos) << features;
    EXPECT_NE(output_of("ip link show vp0-w").find("mtu 1492"), std::string::npos);

    auto again = VethPair::open("vp0", 1492);  // the next pppoed finds it
    ASSERT_TRUE(again.has_value()) << again.error();
    EXPECT_EQ(again->routed_ifindex(), first->routed_ifindex());
    EXPECT_EQ(again->peer_mac(), first->peer_mac());

    ASSERT_EQ(std::system("ip link add vp1 type veth peer name vpx"), 0);
    auto other = VethPair::open("vp1", 1492);
    ASSERT_FALSE(other.has_value());
    EXPECT_NE(other.error().find("is not a veth paired with vp1-w"), std::string::npos) << other.error();
    EXPECT_FALSE(VethPair::open("vp2", 4000).has_value()) << "an MTU the workers' frames cannot hold";

    ASSERT_TRUE(first->remove().has_value());
    EXPECT_EQ(::if_nametoindex("vp0"), 0u);
    EXPECT_EQ(::if_nametoindex("vp0-w"), 0u);
    EXPECT_TRUE(again->remove().has_value()) << "removing what is gone is no error";
  });
  if (!ran) GTEST_SKIP() << "no private network namespace";
}

}  // namespace
}  // namespace pppoe::dataplane
