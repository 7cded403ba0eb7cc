// Shared-memory structures against simple models.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dataplane/session_table.hpp"
#include "dataplane/shared_index.hpp"
#include "dataplane/shared_pool.hpp"
#include "dataplane/shared_pools.hpp"

namespace pppoe::dataplane {
namespace {

TEST(SharedIndex, MatchesAMapThroughRandomInsertsAndErases) {
  SharedIndex index(8);  // 256 slots: probe runs and backward shifts happen a lot
  std::map<std::uint64_t, std::uint16_t> model;
  std::mt19937 rng(7);
  for (int step = 0; step < 20000; ++step) {
    std::uint64_t key = SharedIndex::ipv4_key(static_cast<std::uint32_t>(rng() % 200));
    if (rng() % 2 == 0) {
      auto sid = static_cast<std::uint16_t>(rng() % 60000 + 1);
      bool inserted = index.insert(key, sid);
      bool expected = !model.contains(key) && model.size() * 2 <= 255;
      ASSERT_EQ(inserted, expected) << "step " << step;
      if (inserted) model[key] = sid;
    } else {
      ASSERT_EQ(index.erase(key), model.erase(key) == 1) << "step " << step;
    }
    if (step % 97 == 0)
      for (std::uint32_t k = 0; k < 200; ++k) {
        auto found = index.find(SharedIndex::ipv4_key(k));
        auto it = model.find(SharedIndex::ipv4_key(k));
        ASSERT_EQ(found.has_value(), it != model.end());
        if (found) {
          ASSERT_EQ(*found, it->second);
        }
      }
  }
  EXPECT_EQ(index.size(), model.size());
}

TEST(SharedPool, AllocatesEveryAddressOnceAndRecovers) {
  auto ranges = *session::parse_ranges("10.0.0.1-10.0.0.100");
  SharedAddressPool pool(ranges, *Ipv4Address::parse("10.0.0.1"));
  EXPECT_EQ(pool.capacity(), 99u);
  std::set<std::uint32_t> seen;
  while (auto a = pool.allocate()) ASSERT_TRUE(seen.insert(a->value).second);
  EXPECT_EQ(seen.size(), 99u);
  EXPECT_EQ(pool.in_use(), 99u);
  EXPECT_FALSE(seen.contains(Ipv4Address::parse("10.0.0.1")->value));
  pool.release(*Ipv4Address::parse("10.0.0.50"));
  pool.release(*Ipv4Address::parse("10.0.0.50"));  // twice: counted once
  EXPECT_EQ(pool.in_use(), 98u);
  EXPECT_EQ(pool.allocate(), Ipv4Address::parse("10.0.0.50"));
  pool.release(*Ipv4Address::parse("10.0.0.7"));
  EXPECT_TRUE(pool.reserve(*Ipv4Address::parse("10.0.0.7")));
  EXPECT_FALSE(pool.reserve(*Ipv4Address::parse("10.0.0.7")));
  EXPECT_FALSE(pool.reserve(*Ipv4Address::parse("192.0.2.1")));  // outside: not tracked here
  EXPECT_FALSE(pool.contains(*Ipv4Address::parse("192.0.2.1")));
}

TEST(SharedPool, HalvesForAStandbyPairNeverOverlap) {
  // 130 addresses over three bitmap words: side a takes the first 65, side b the other 65.
  auto ranges = *session::parse_ranges("10.0.0.1-10.0.0.130");
  SharedAddressPool pool(ranges, *Ipv4Address::parse("192.0.2.1"));
  std::set<std::uint32_t> lower, upper;
  while (auto a = pool.allocate(PoolPart::kLower)) ASSERT_TRUE(lower.insert(a->value).second);
  while (auto a = pool.allocate(PoolPart::kUpper)) ASSERT_TRUE(upper.insert(a->value).second);
  EXPECT_EQ(lower.size(), 65u);
  EXPECT_EQ(upper.size(), 65u);
  EXPECT_EQ(*lower.rbegin(), Ipv4Address::parse("10.0.0.65")->value);
  EXPECT_EQ(*upper.begin(), Ipv4Address::parse("10.0.0.66")->value);
  EXPECT_FALSE(pool.allocate());  // the whole pool is in use
  pool.release(*Ipv4Address::parse("10.0.0.3"));
  EXPECT_FALSE(pool.allocate(PoolPart::kUpper));  // a free address of the other half is not ours
  EXPECT_EQ(pool.allocate(PoolPart::kLower), Ipv4Address::parse("10.0.0.3"));
}

Ipv4Address ip(const char* text) { return *Ipv4Address::parse(text); }
std::vector<session::AddressRange> ranges(const char* text) { return *session::parse_ranges(text); }

TEST(SharedPools, GrowKeepingEveryAddressAndItsHolderAndAddNamedPools) {
  const Ipv4Address local = ip("10.0.0.1");
  SharedPools pools(ranges("10.0.0.2-10.0.0.5"), {{"gold", ranges("10.1.0.1-10.1.0.2")}}, local);
  ASSERT_EQ(pools.capacity(), 6u);
  auto held = pools.allocate();  // a session's address must stay taken through the change
  ASSERT_TRUE(held);
  // A "worker" forked before the reload sees the same pages and applies the same change.
  int to_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  pid_t child = ::fork();
  if (child == 0) {
    char go;
    if (::read(to_child[0], &go, 1) != 1) ::_exit(10);
    pools.change(ranges("10.0.0.2-10.0.0.9"), {{"gold", ranges("10.1.0.1-10.1.0.2")}, {"new", ranges("10.2.0.1")}},
                 local);
    // Every address once across both processes: the child takes what is free, then all is used.
    int taken = 0;
    while (pools.allocate()) ++taken;
    while (pools.allocate("new")) ++taken;
    ::_exit(taken == 8 ? 0 : 20 + taken);  // 8 default but the one the parent holds, 1 new
  }
  auto next_default = ranges("10.0.0.2-10.0.0.9");
  dataplane::NamedRanges next_named{{"gold", ranges("10.1.0.1-10.1.0.2")}, {"new", ranges("10.2.0.1")}};
  EXPECT_FALSE(pools.why_not(next_default, next_named, local)) << *pools.why_not(next_default, next_named, local);
  EXPECT_EQ(pools.change(next_default, next_named, local), 5u);
  EXPECT_EQ(pools.index_of("new"), 2u);  // appended: existing positions stay
  EXPECT_EQ(::write(to_child[1], "g", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(pools.in_use(), 9u);  // 8 default + 1 new, taken by both processes, none twice
  EXPECT_FALSE(pools.allocate());
  pools.release(*held);
  EXPECT_EQ(pools.allocate(), held);
  ::close(to_child[0]);
  ::close(to_child[1]);
}

TEST(SharedPools, RefuseToLoseAddressesOrPoolsAndToOutgrowTheirRoom) {
  const Ipv4Address local = ip("10.0.0.1");
  SharedPools pools(ranges("10.0.0.2-10.0.0.5"), {{"gold", ranges("10.1.0.1-10.1.0.2")}}, local);
  auto why = pools.why_not(ranges("10.0.0.3-10.0.0.9"), {{"gold", ranges("10.1.0.1-10.1.0.2")}}, local);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("default pool: it would lose addresses"), std::string::npos) << *why;
  why = pools.why_not(ranges("10.0.0.2-10.0.0.5"), {}, local);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "framed-pool 'gold' would be removed");
  why = pools.why_not(ranges("10.0.0.2-10.0.0.5"), {{"gold", ranges("10.1.0.1-10.1.0.2")}, {"big", ranges("10.32.0.0/11")}},
                      local);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("framed-pool 'big': it would hold 2097150 addresses, more than the 1048576"), std::string::npos)
      << *why;
  // Room for 4x the size at start or 2^20 addresses: a /13 more fits the default pool.
  EXPECT_FALSE(pools.why_not(ranges("10.0.0.2-10.0.0.5,10.16.0.0/13"), {{"gold", ranges("10.1.0.1-10.1.0.2")}}, local));
  NamedRanges many{{"gold", ranges("10.1.0.1-10.1.0.2")}};
  for (std::size_t i = 0; i <= kSparePools; ++i)
    many.emplace_back("p" + std::to_string(i), ranges(("10.3.0." + std::to_string(i + 1)).c_str()));
  why = pools.why_not(ranges("10.0.0.2-10.0.0.5"), many, local);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("no room for more new pools"), std::string::npos) << *why;
  // Nothing changed by asking.
  EXPECT_EQ(pools.capacity(), 6u);
  EXPECT_FALSE(pools.has("p0"));
}

TEST(SessionTable, AWriterKilledMidWriteLeavesATornRecordThatIsNeverTakenForConsistent) {
  SessionTable table;  // MAP_SHARED: the child writes into the same records
  table.update(7, [](SessionRecord& r) {
    r.state = SessionState::kUp;
    r.ipv4 = 0x0a000001;
  });
  EXPECT_EQ(table.read_checked(7).kind, CheckedRead::Kind::kConsistent);
  EXPECT_EQ(table.read_checked(8).kind, CheckedRead::Kind::kFree);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A worker dying inside update(): half the record written, the sequence odd.
    table.update(7, [](SessionRecord& r) {
      r.ipv4 = 0x0a000002;
      ::kill(::getpid(), SIGKILL);
    });
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  CheckedRead torn = table.read_checked(7);
  EXPECT_EQ(torn.kind, CheckedRead::Kind::kTorn);
  EXPECT_EQ(torn.record.ipv4, 0x0a000002u);  // the bytes as they are, for a PADT and a Stop
  EXPECT_FALSE(table.read(7).has_value());   // readers give up rather than take it
  table.clear_abandoned(7);
  EXPECT_EQ(table.read_checked(7).kind, CheckedRead::Kind::kFree);
  table.update(7, [](SessionRecord& r) { r.state = SessionState::kNegotiating; });
  EXPECT_EQ(table.read_checked(7).kind, CheckedRead::Kind::kConsistent);  // the slot is usable again
}

TEST(SessionTable, AReaderWaitsOutAWriterPreemptedInsideItsUpdate) {
  // A worker descheduled between the two sequence increments: the master's read must wait for
  // it, not report the session absent (the standby took a running session for a clash so).
  SessionTable table;
  table.update(9, [](SessionRecord& r) { r.state = SessionState::kUp; r.ipv4 = 1; });
  std::atomic<bool> inside{false};
  std::thread writer([&] {
    table.update(9, [&](SessionRecord& r) {
      inside = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // thousands of reader spins
      r.ipv4 = 2;
    });
  });
  while (!inside) std::this_thread::yield();
  auto r = table.read(9);
  writer.join();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->ipv4, 2u);
}

TEST(SessionTable, CanAdoptOnlyCompleteTerminatedRecords) {
  SessionRecord r;
  r.state = SessionState::kUp;
  r.adoptable = true;
  r.ipv4 = 0x0a000001;
  r.local_magic = 0x1234;
  r.lcp_peer_mru = 1492;
  r.auth_method = 1;
  EXPECT_TRUE(can_adopt(r));
  SessionRecord lns = r;
  lns.lns = true;  // the L2TP tunnel's state died with the worker
  EXPECT_FALSE(can_adopt(lns));
  SessionRecord lac = r;
  lac.l2tp_tunnel = 3;
  EXPECT_FALSE(can_adopt(lac));
  SessionRecord negotiating = r;
  negotiating.state = SessionState::kNegotiating;
  EXPECT_FALSE(can_adopt(negotiating));
  SessionRecord bad_auth = r;
  bad_auth.auth_method = 9;
  EXPECT_FALSE(can_adopt(bad_auth));
  SessionRecord incomplete = r;
  incomplete.adoptable = false;
  EXPECT_FALSE(can_adopt(incomplete));
}

}  // namespace
}  // namespace pppoe::dataplane
