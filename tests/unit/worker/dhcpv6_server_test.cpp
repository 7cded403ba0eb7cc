// The DHCPv6 server of a session (RFC 8415): the codec's round trip, Rapid Commit and the
// four-message exchange, renewals, one binding per session, and the bindings only their
// client may give back.
#include <gtest/gtest.h>

#include "proto/dhcpv6.hpp"
#include "worker/dhcpv6_server.hpp"

namespace pppoe::worker {
namespace {

using dhcpv6::Status;
using dhcpv6::Type;

class Pool final : public DelegationHost {
 public:
  std::optional<Ipv6Prefix> delegate_prefix() override {
    if (left == 0) return std::nullopt;
    --left;
    return Ipv6Prefix{0x20010db820000000ull + (std::uint64_t{++given} << 8), 56};
  }
  void return_prefix(Ipv6Prefix) override { ++returned; }
  unsigned left = 10, given = 0, returned = 0;
};

struct Dhcpv6ServerTest : ::testing::Test {
  Dhcpv6ServerTest() {
    config.pools.push_back({"", *Ipv6Prefix::parse("2001:db8:1000::/48"), 64});
    config.delegate_pools.push_back({"", *Ipv6Prefix::parse("2001:db8:2000::/40"), 56});
    config.dhcpv6_ia_na = true;
  }
  dhcpv6::Message ask(Type type, std::vector<std::uint8_t> client = {0, 3, 0, 1, 2, 0, 0, 0, 0, 1}) {
    dhcpv6::Message m;
    m.type = type;
    m.transaction = 0xabcdef;
    m.client_id = std::move(client);
    m.ia_pd.push_back({7, 0, 0, {}, std::nullopt});
    m.ia_na.push_back({8, 0, 0, {}, std::nullopt});
    return m;
  }
  dhcpv6::Message answer(const dhcpv6::Message& request) {
    std::array<std::uint8_t, 1024> out{};
    auto r = server.handle(request, wan, 0x0211223344556677ull, binding, pool, out);
    last = r;
    if (r.outcome != Dhcpv6Server::Outcome::kReply) return {};
    auto m = dhcpv6::decode(Bytes(out.data(), r.size));
    EXPECT_TRUE(m);
    return m.value_or(dhcpv6::Message{});
  }
  master::Ipv6Service config;
  MacAddress mac{{0x02, 0x50, 0x50, 0x44, 0, 1}};
  Dhcpv6Server server{config, mac};
  Ipv6Prefix wan = *Ipv6Prefix::parse("2001:db8:1000:7::/64");
  Dhcpv6Binding binding;
  Pool pool;
  Dhcpv6Server::Result last;
};

TEST_F(Dhcpv6ServerTest, RapidCommitBindsAPrefixAndAnAddressAtOnce) {
  auto solicit = ask(Type::kSolicit);
  solicit.rapid_commit = true;
  auto reply = answer(solicit);
  EXPECT_EQ(reply.type, Type::kReply);
  EXPECT_TRUE(reply.rapid_commit);
  EXPECT_EQ(reply.transaction, 0xabcdefu);
  EXPECT_EQ(reply.server_id, dhcpv6::duid_ll(mac));
  ASSERT_EQ(reply.ia_pd.size(), 1u);
  ASSERT_EQ(reply.ia_pd[0].leases.size(), 1u);
  EXPECT_EQ(reply.ia_pd[0].leases[0].prefix.length, 56);
  EXPECT_EQ(reply.ia_pd[0].t1, config.t1());
  ASSERT_EQ(reply.ia_na.size(), 1u);
  EXPECT_EQ(ipv6_to_string(reply.ia_na[0].leases[0].address), "2001:db8:1000:7:211:2233:4455:6677");
  EXPECT_TRUE(last.binding_changed);
  EXPECT_EQ(binding.pd_iaid, 7u);
  EXPECT_TRUE(binding.na_bound);
  EXPECT_EQ(pool.given, 1u);
}

TEST_F(Dhcpv6ServerTest, FourMessagesWithoutRapidCommitAndRenewKeepsThePrefix) {
  auto adv = answer(ask(Type::kSolicit));
  EXPECT_EQ(adv.type, Type::kAdvertise);
  auto request = ask(Type::kRequest);
  answer(request);  // without a Server Identifier: dropped
  EXPECT_EQ(last.outcome, Dhcpv6Server::Outcome::kDiscard);
  request.server_id = adv.server_id;
  auto reply = answer(request);
  ASSERT_EQ(reply.ia_pd.size(), 1u);
  auto prefix = reply.ia_pd[0].leases[0].prefix;
  EXPECT_EQ(prefix, adv.ia_pd[0].leases[0].prefix);
  auto renew = ask(Type::kRenew);
  renew.server_id = adv.server_id;
  EXPECT_EQ(answer(renew).ia_pd[0].leases[0].prefix, prefix);
  auto rebind = ask(Type::kRebind);
  EXPECT_EQ(answer(rebind).ia_pd[0].leases[0].prefix, prefix);
  EXPECT_EQ(pool.given, 1u);  // one prefix for the session's life
}

TEST_F(Dhcpv6ServerTest, OneDelegatedPrefixPerSession) {
  auto solicit = ask(Type::kSolicit);
  solicit.rapid_commit = true;
  solicit.ia_pd.push_back({9, 0, 0, {}, std::nullopt});
  auto reply = answer(solicit);
  ASSERT_EQ(reply.ia_pd.size(), 2u);
  EXPECT_FALSE(reply.ia_pd[0].status);
  EXPECT_EQ(reply.ia_pd[1].status, Status::kNoPrefixAvail);
  EXPECT_EQ(pool.given, 1u);
}

TEST_F(Dhcpv6ServerTest, OnlyTheHolderReleasesOrRenews) {
  auto solicit = ask(Type::kSolicit);
  solicit.rapid_commit = true;
  auto bound = answer(solicit);
  auto release = ask(Type::kRelease, {0, 3, 0, 1, 2, 0, 0, 0, 0, 99});  // someone else's DUID
  release.server_id = bound.server_id;
  auto refused = answer(release);
  ASSERT_EQ(refused.ia_pd.size(), 1u);
  EXPECT_EQ(refused.ia_pd[0].status, Status::kNoBinding);
  EXPECT_EQ(pool.returned, 0u);
  auto renew = ask(Type::kRenew, {0, 3, 0, 1, 2, 0, 0, 0, 0, 99});
  renew.server_id = bound.server_id;
  EXPECT_EQ(answer(renew).ia_pd[0].status, Status::kNoBinding);
  release = ask(Type::kRelease);
  release.server_id = bound.server_id;
  auto ok = answer(release);
  EXPECT_EQ(ok.status, Status::kSuccess);
  EXPECT_TRUE(ok.ia_pd.empty());
  EXPECT_EQ(pool.returned, 1u);
  EXPECT_TRUE(binding.delegated.empty());
  EXPECT_FALSE(binding.na_bound);
}

TEST_F(Dhcpv6ServerTest, MessagesWithoutTheRightIdentifiersAreDropped) {
  auto solicit = ask(Type::kSolicit);
  solicit.server_id = {0, 3, 0, 1, 1, 2, 3, 4, 5, 6};  // a Solicit names no server (section 16)
  answer(solicit);
  EXPECT_EQ(last.outcome, Dhcpv6Server::Outcome::kDiscard);
  auto renew = ask(Type::kRenew);
  renew.server_id = {0, 3, 0, 1, 1, 2, 3, 4, 5, 6};  // another server's
  answer(renew);
  EXPECT_EQ(last.outcome, Dhcpv6Server::Outcome::kDiscard);
  auto advertise = ask(Type::kAdvertise);
  answer(advertise);
  EXPECT_EQ(last.outcome, Dhcpv6Server::Outcome::kDiscard);
  EXPECT_EQ(pool.given, 0u);
}

TEST_F(Dhcpv6ServerTest, PoolExhaustedSaysNoPrefixAvail) {
  pool.left = 0;
  auto solicit = ask(Type::kSolicit);
  solicit.rapid_commit = true;
  auto reply = answer(solicit);
  ASSERT_EQ(reply.ia_pd.size(), 1u);
  EXPECT_EQ(reply.ia_pd[0].status, Status::kNoPrefixAvail);
  EXPECT_TRUE(reply.ia_pd[0].leases.empty());
}

TEST(Dhcpv6Codec, RefusesWhatNoClientSends) {
  std::vector<std::uint8_t> relay{12, 0, 0, 0};
  EXPECT_EQ(dhcpv6::decode(relay).error(), dhcpv6::Error::kRelayed);
  std::vector<std::uint8_t> two_ids{1, 0, 0, 1, 0, 1, 0, 2, 0, 1, 0, 1, 0, 2, 0, 1};
  EXPECT_EQ(dhcpv6::decode(two_ids).error(), dhcpv6::Error::kDuplicate);
  std::vector<std::uint8_t> short_ia{1, 0, 0, 1, 0, 25, 0, 4, 0, 0, 0, 1};
  EXPECT_EQ(dhcpv6::decode(short_ia).error(), dhcpv6::Error::kBadOption);
  std::vector<std::uint8_t> past_end{1, 0, 0, 1, 0, 1, 0, 30, 0, 1};
  EXPECT_EQ(dhcpv6::decode(past_end).error(), dhcpv6::Error::kTruncated);
  EXPECT_EQ(dhcpv6::decode(std::vector<std::uint8_t>{1, 0}).error(), dhcpv6::Error::kTruncated);
}

}  // namespace
}  // namespace pppoe::worker
