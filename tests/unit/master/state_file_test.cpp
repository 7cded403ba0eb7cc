// The handover state file: what one pppoed leaves for the next (restart, upgrade).
#include "master/state_file.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

namespace pppoe::master {
namespace {

StateFile sample() {
  StateFile f;
  f.interface = "eth1";
  f.ac_mac = *MacAddress::parse("02:00:00:00:00:01");
  f.written_unix_ms = 1764700000000;
  for (int i = 0; i < 3; ++i) {
    HandedOverSession s;
    auto& r = s.record;
    r.session_id = static_cast<std::uint16_t>(4000 + i);
    r.state = dataplane::SessionState::kUp;
    r.client_mac = *MacAddress::parse("02:00:00:00:10:0" + std::to_string(i));
    r.vlans.count = 2;
    r.vlans.tags[0] = {0x88a8, 200};
    r.vlans.tags[1] = {0x8100, static_cast<std::uint16_t>(300 + i)};
    r.ipv4 = 0x0a000010u + static_cast<std::uint32_t>(i);
    std::snprintf(r.user, sizeof r.user, "user%d", i);
    std::snprintf(r.acct_session_id, sizeof r.acct_session_id, "ACCT%d", i);
    r.acct_started = true;
    r.adoptable = true;
    r.local_magic = 0x1234;
    r.lcp_peer_mru = 1492;
    r.lcp_next_id = static_cast<std::uint8_t>(7 + i);
    r.rx_bytes = 1000u + static_cast<std::uint64_t>(i);
    s.downstream = {5, 5000};
    f.sessions.push_back(s);
  }
  return f;
}

TEST(StateFile, RoundTripKeepsEveryRecord) {
  StateFile f = sample();
  auto d = decode_state_file(Bytes(encode_state_file(f)));
  ASSERT_TRUE(d) << d.error();
  EXPECT_TRUE(d->continuable);
  EXPECT_EQ(d->interface, "eth1");
  EXPECT_EQ(d->ac_mac, f.ac_mac);
  EXPECT_EQ(d->written_unix_ms, f.written_unix_ms);
  ASSERT_EQ(d->sessions.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(std::memcmp(&d->sessions[i].record, &f.sessions[i].record, sizeof(dataplane::SessionRecord)), 0);
    EXPECT_EQ(d->sessions[i].downstream.bytes, 5000u);
  }
}

TEST(StateFile, AnotherVersionIsReadOnlyToEndTheSessions) {
  StateFile f = sample();
  f.format_version = kStateFormatVersion + 1;  // an upgrade that changed SessionRecord
  auto d = decode_state_file(Bytes(encode_state_file(f)));
  ASSERT_TRUE(d) << d.error();
  EXPECT_FALSE(d->continuable);
  ASSERT_EQ(d->sessions.size(), 3u);
  const auto& r = d->sessions[2].record;  // what a PADT and a Stop need, from the stable part
  EXPECT_EQ(r.session_id, 4002);
  EXPECT_EQ(r.client_mac, f.sessions[2].record.client_mac);
  EXPECT_EQ(r.vlans, f.sessions[2].record.vlans);
  EXPECT_EQ(r.ipv4, f.sessions[2].record.ipv4);
  EXPECT_STREQ(r.user, "user2");
  EXPECT_STREQ(r.acct_session_id, "ACCT2");
  EXPECT_TRUE(r.acct_started);
  EXPECT_EQ(r.rx_bytes, 1002u);
  EXPECT_EQ(r.local_magic, 0u);  // nothing of the versioned part is taken
  EXPECT_FALSE(r.adoptable);
}

TEST(StateFile, TornAlteredOrForeignFilesAreRefused) {
  auto bytes = encode_state_file(sample());
  EXPECT_FALSE(decode_state_file(Bytes(bytes.data(), bytes.size() - 1)));  // truncated
  EXPECT_FALSE(decode_state_file(Bytes(bytes.data(), 20)));                // shorter than the header
  auto altered = bytes;
  altered[bytes.size() - 20] ^= 1;
  auto d = decode_state_file(Bytes(altered));
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().find("checksum"), std::string::npos);
  auto foreign = bytes;
  foreign[0] = 'X';
  EXPECT_FALSE(decode_state_file(Bytes(foreign)));
  auto huge = bytes;
  huge[23] = 0xff;  // the session count's low octet: the size no longer fits
  EXPECT_FALSE(decode_state_file(Bytes(huge)));
  EXPECT_FALSE(decode_state_file({}));
}

TEST(StateFile, WrittenAtomically) {
  auto dir = std::filesystem::temp_directory_path() / ("pppoed-state-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "eth1.sessions").string();
  ASSERT_TRUE(write_state_file(path, sample()));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  auto bytes = read_file_bytes(path);
  ASSERT_TRUE(bytes);
  auto d = decode_state_file(Bytes(*bytes));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->sessions.size(), 3u);
  EXPECT_TRUE(read_file_bytes((dir / "missing").string())->empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pppoe::master
