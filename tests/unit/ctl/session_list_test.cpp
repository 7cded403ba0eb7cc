#include "ctl/session_list.hpp"

#include <gtest/gtest.h>

#include "ctl/session_pages.hpp"
#include "master/session_query.hpp"

namespace pppoe::ctl {
namespace {

Json session(unsigned id, const char* user, const char* ip, std::int64_t up_ms, std::uint64_t rx) {
  return {{"session_id", id}, {"worker", 0}, {"mac", "02:00:00:00:00:01"}, {"vlans", Json::array({100, 7})},
          {"ip", ip},         {"user", user}, {"state", "up"},             {"rx_bytes", rx},
          {"tx_bytes", 0u},   {"up_unix_ms", up_ms}};
}

TEST(SessionList, ParsesMatchOrderLimitAndColumnsWithAccelCmdNames) {
  auto q = parse_session_list({"match", "username", "a*", "match", "vlan", "100", "order", "rx-bytes", "desc", "limit",
                               "2", "columns", "sid,username,ip"});
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ(q->match, (Json{{"user", "a*"}, {"vlan", 100}}));
  EXPECT_EQ(q->order, "rx-bytes");
  EXPECT_TRUE(q->descending);
  EXPECT_EQ(q->limit, 2u);
  EXPECT_EQ(q->columns, (std::vector<std::string>{"id", "user", "ip"}));
  EXPECT_EQ(parse_session_list({"match", "colour", "x"}).error(), "cannot match on 'colour' (user, mac, ip, state, vlan, worker)");
  EXPECT_FALSE(parse_session_list({"limit", "0"}));
  EXPECT_FALSE(parse_session_list({"match", "vlan", "ten"}));
  EXPECT_FALSE(parse_session_list({"order"}));
  EXPECT_FALSE(parse_session_list({"columns", "id,nope"}));
}

TEST(SessionList, OrdersNumericallyAndPrintsAlignedRows) {
  std::vector<Json> s{session(3, "carol", "10.0.0.100", 5000, 10), session(1, "alice", "10.0.0.9", 1000, 300),
                      session(2, "bob", "10.0.0.20", 9000, 20)};
  auto q = parse_session_list({"order", "ip", "limit", "2", "columns", "id,user,ip,vlan,uptime"});
  ASSERT_TRUE(q);
  order_sessions(s, *q, 10'000);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0]["user"], "alice");  // 10.0.0.9 before 10.0.0.20: by address, not by text
  EXPECT_EQ(s[1]["user"], "bob");
  EXPECT_EQ(session_table_header(q->columns), "    ID USER             IP              VLAN      UPTIME");
  EXPECT_EQ(session_table_row(s[0], q->columns, 10'000), "     1 alice            10.0.0.9        100.7         9s");
}

TEST(SessionPages, AsksFromWhereThePreviousPageEndedAndStopsOnAConfusedAnswer) {
  std::vector<std::uint64_t> asked;
  auto pages = [&](const Json& req) -> std::optional<Json> {
    std::uint64_t from = req["from"].get<std::uint64_t>();
    asked.push_back(from);
    if (from == 1) return Json{{"ok", true}, {"sessions", Json::array({session(1, "a", "", 0, 0)})}, {"next", 500}};
    if (from == 500) return Json{{"ok", true}, {"sessions", Json::array({session(600, "b", "", 0, 0)})}, {"next", 0}};
    return std::nullopt;
  };
  std::size_t seen = 0;
  auto last = for_each_session_page(pages, Json::object(), [&](const Json& page) {
    seen += page.size();
    return true;
  });
  EXPECT_TRUE(last);
  EXPECT_EQ(asked, (std::vector<std::uint64_t>{1, 500}));
  EXPECT_EQ(seen, 2u);
  // A "next" that does not move forward ends the walk instead of looping.
  asked.clear();
  auto stuck = [&](const Json& req) -> std::optional<Json> {
    asked.push_back(req["from"].get<std::uint64_t>());
    return Json{{"ok", true}, {"sessions", Json::array()}, {"next", 1}};
  };
  (void)for_each_session_page(stuck, Json::object(), [](const Json&) { return true; });
  EXPECT_EQ(asked.size(), 1u);
}

TEST(SessionQuery, ParsesPagesAndMatchesRecords) {
  auto page = master::parse_session_page({{"from", 70}, {"max", 10}, {"match", {{"user", "al*"}, {"vlan", 7}}}});
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->from, 70);
  EXPECT_EQ(page->max, 10u);
  dataplane::SessionRecord r{};
  std::strcpy(r.user, "alice");
  r.vlans.count = 2;
  r.vlans.tags[1] = ether::VlanTag{0x8100, 7};
  EXPECT_TRUE(page->match.matches(r));
  std::strcpy(r.user, "bob");
  EXPECT_FALSE(page->match.matches(r));
  EXPECT_FALSE(master::parse_session_page({{"max", 100000}}));
  EXPECT_FALSE(master::parse_session_page({{"from", 0}}));
  EXPECT_FALSE(master::parse_session_page({{"match", {{"password", "x"}}}}));
  EXPECT_FALSE(master::parse_session_page({{"match", "user"}}));
}

}  // namespace
}  // namespace pppoe::ctl
