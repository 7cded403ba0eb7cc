// pppoed's standby stream payloads (sync/session_sync.hpp) and the standby settings.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>

#include "master/config.hpp"
#include "sync/session_sync.hpp"

namespace pppoe::sync {
namespace {

SyncedSession sample() {
  SyncedSession s;
  s.record.session_id = 4711;
  s.record.state = dataplane::SessionState::kUp;
  s.record.ipv4 = 0x0a640001;
  s.record.adoptable = true;
  s.record.acct_started = true;
  s.record.local_magic = 0x12345678;
  s.record.lcp_peer_mru = 1492;
  std::strcpy(s.record.user, "alice");
  std::strcpy(s.record.acct_session_id, "0000ABCD000001000001");
  s.down_packets = 12;
  s.down_bytes = 3400;
  return s;
}

TEST(StandbySync, RecordRoundTrip) {
  auto s = sample();
  auto d = decode_session(encode_session(s));
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->record.session_id, 4711);
  EXPECT_STREQ(d->record.user, "alice");
  EXPECT_EQ(d->down_bytes, 3400u);
  EXPECT_TRUE(dataplane::can_adopt(d->record));
}

TEST(StandbySync, RecordOfAnotherVersionOrLengthIsRefusedNotMisread) {
  auto bytes = encode_session(sample());
  auto other = bytes;
  other[3] = static_cast<std::uint8_t>(dataplane::kSessionRecordVersion + 1);  // another record version
  auto d = decode_session(other);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().find(fmt::format("version {}", dataplane::kSessionRecordVersion + 1)), std::string::npos) << d.error();
  EXPECT_FALSE(decode_session(Bytes(bytes.data(), bytes.size() - 1)));
  bytes.push_back(0);
  EXPECT_FALSE(decode_session(bytes));
}

TEST(StandbySync, RecordContentsAreMadeSafe) {
  auto bytes = encode_session(sample());
  dataplane::SessionRecord probe;
  const auto at = [&](const void* field) {
    return 8 + static_cast<std::size_t>(static_cast<const std::uint8_t*>(field) - reinterpret_cast<const std::uint8_t*>(&probe));
  };
  bytes[at(&probe.adoptable)] = 7;  // not a bool value: read as true, never as undefined
  std::memset(bytes.data() + at(&probe.user), 'x', sizeof probe.user);  // no terminator
  auto d = decode_session(bytes);
  ASSERT_TRUE(d) << d.error();
  EXPECT_TRUE(d->record.adoptable);
  EXPECT_EQ(std::strlen(d->record.user), sizeof probe.user - 1);
  bytes[at(&probe.vlans.count)] = 3;  // more VLAN tags than a record holds
  EXPECT_FALSE(decode_session(bytes));
}

TEST(StandbySync, RoleRoundTripAndRefusals) {
  RoleAnnouncement a;
  a.role = StandbyRole::kBackup;
  a.ready = false;
  a.snapshot_follows = false;
  a.ac_mac = *MacAddress::parse("02:50:50:44:00:01");
  a.sessions = 300;
  a.not_ready_why = "no sync from the MASTER for 3 s";
  auto d = decode_role(encode_role(a));
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->role, StandbyRole::kBackup);
  EXPECT_FALSE(d->ready);
  EXPECT_EQ(d->sessions, 300u);
  EXPECT_EQ(d->ac_mac, a.ac_mac);
  EXPECT_EQ(d->not_ready_why, a.not_ready_why);
  auto bytes = encode_role(a);
  bytes[0] = 9;  // no such role
  EXPECT_FALSE(decode_role(bytes));
  bytes = encode_role(a);
  bytes.back() = '\n';  // a reason goes into logs: control characters replaced
  EXPECT_EQ(decode_role(bytes)->not_ready_why.back(), '?');
  bytes.insert(bytes.end(), 64, 'y');
  EXPECT_FALSE(decode_role(bytes));
  EXPECT_FALSE(decode_role(Bytes(bytes.data(), 5)));
}

TEST(StandbyConfig, IncompleteOrBadSettingsNameWhatIsMissing) {
  master::Config c;
  c.interface = "eth1";
  ASSERT_TRUE(master::parse_config_text(c, "pool 10.0.0.10-10.0.0.100\nstandby-peer 10.254.1.2\n", "pppoed.conf"));
  auto v = master::validate(c);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "a standby pair also needs standby-listen, standby-key, standby-vrrp, standby-side");
  auto e = master::parse_config_text(c, "\nstandby-key short\n", "pppoed.conf");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().find("pppoed.conf:2: 'standby-key' expects one secret of at least 16 characters"), std::string::npos)
      << e.error();
  EXPECT_EQ(e.error().find("short"), std::string::npos);  // never the secret itself
  e = master::parse_config_text(c, "standby-side c\n", "f");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().find("expects a or b"), std::string::npos);
  e = master::parse_config_text(c, "standby-vrrp relative/fifo acc\n", "f");
  ASSERT_FALSE(e);
  ASSERT_TRUE(master::parse_config_text(c,
                                        "standby-listen 10.254.1.1:7070\nstandby-key a-key-of-sixteen-chars\n"
                                        "standby-vrrp /run/pppoed/vrrp.fifo acc\nstandby-side a\n",
                                        "f"));
  EXPECT_TRUE(master::validate(c));
  EXPECT_EQ(c.standby.peer.port, 7070);  // the default port
  EXPECT_EQ(c.role_file_path(), "/run/pppoed/eth1.ready.role");
}

}  // namespace
}  // namespace pppoe::sync
