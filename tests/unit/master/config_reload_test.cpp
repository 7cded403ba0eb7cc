#include "master/config_reload.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "master/config_source.hpp"

namespace pppoe::master {
namespace {

LoadedConfig build(const std::string& config, const std::string& secrets = "") {
  auto loaded = build_config(ConfigSource{"pppoed.conf", {{"interface", {"eth1"}}}}, ConfigTexts{config, secrets});
  EXPECT_TRUE(loaded) << loaded.error();
  return std::move(*loaded);
}

TEST(ConfigReload, AppliesLiveSettingsAndKeepsTheOthersRunning) {
  LoadedConfig running = build("ac-name bras1\nlcp-echo-interval 10\npado-delay 5\ndns 192.0.2.1\n");
  LoadedConfig next = build("ac-name bras2\nlcp-echo-interval 4\npado-delay 5\ndns 192.0.2.9\ntun ppp9\n");
  running.config.limits.padi_rate = 77;  // a sysctl changed at run time, not in the file
  ReloadReport r = apply_live(running.config, running.lines, next.config, next.lines);
  EXPECT_EQ(r.applied, (std::vector<std::string>{"dns", "lcp-echo-interval"}));
  EXPECT_EQ(r.need_restart, (std::vector<std::string>{"ac-name", "tun"}));
  EXPECT_FALSE(r.radius_changed);
  EXPECT_EQ(running.config.lcp_echo_interval, 4u);
  EXPECT_EQ(running.config.name_servers.dns1, Ipv4Address(0xc0000209));
  EXPECT_EQ(running.config.ac_name, "bras1");  // the running value stays
  EXPECT_EQ(running.config.tun_name, "pppoe0");
  EXPECT_EQ(running.config.limits.padi_rate, 77u);  // untouched: its line did not change
  // The restart-only lines stay the running ones: the next reload names them again.
  ReloadReport again = apply_live(running.config, running.lines, next.config, next.lines);
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.need_restart, (std::vector<std::string>{"ac-name", "tun"}));
}

TEST(ConfigReload, ASettingRemovedGoesBackToItsDefault) {
  LoadedConfig running = build("session-timeout 3600\nlog-level debug\n");
  LoadedConfig next = build("");
  ReloadReport r = apply_live(running.config, running.lines, next.config, next.lines);
  EXPECT_EQ(r.applied, (std::vector<std::string>{"log-level", "session-timeout"}));
  EXPECT_EQ(running.config.session_timeout, 0u);
  EXPECT_EQ(running.config.log_level, log::Level::kInfo);
  EXPECT_EQ(running.lines.size(), 1u);  // the command line's interface alone
}

TEST(ConfigReload, RadiusServersChangeLiveButTurningRadiusOnNeedsARestart) {
  LoadedConfig running = build("radius-auth-server 192.0.2.5 old-secret\n");
  LoadedConfig next = build("radius-auth-server 192.0.2.6 new-secret\nradius-timeout 2\n");
  ReloadReport r = apply_live(running.config, running.lines, next.config, next.lines);
  EXPECT_EQ(r.applied, (std::vector<std::string>{"radius-auth-server", "radius-timeout"}));
  EXPECT_TRUE(r.radius_changed);
  ASSERT_EQ(running.config.radius.auth_servers.size(), 1u);
  EXPECT_EQ(running.config.radius.auth_servers[0].secret, "new-secret");
  EXPECT_EQ(running.config.radius.timeout, 2u);

  LoadedConfig local = build("");
  ReloadReport on = apply_live(local.config, local.lines, next.config, next.lines);
  EXPECT_EQ(on.need_restart, (std::vector<std::string>{"radius-auth-server"}));
  EXPECT_TRUE(local.config.radius.auth_servers.empty());
}

TEST(ConfigReload, PoolsGrowLiveThroughTheHookOrWaitWithItsReason) {
  LoadedConfig running = build("pool 10.0.0.10-10.0.0.20\nframed-pool gold 10.1.0.1-10.1.0.9\n");
  LoadedConfig grown = build("pool 10.0.0.10-10.0.0.40\nframed-pool gold 10.1.0.1-10.1.0.9\nframed-pool new 10.2.0.0/24\n");
  std::vector<std::string> asked;
  PoolChange refuse = [&](const Config& next) -> std::optional<std::string> {
    asked.push_back(std::to_string(next.named_pools.size()));
    return "the default pool: it would lose addresses";
  };
  ReloadReport r = apply_live(running.config, running.lines, grown.config, grown.lines, refuse);
  EXPECT_EQ(r.need_restart, (std::vector<std::string>{"framed-pool", "pool"}));
  EXPECT_EQ(r.why, (std::vector<std::string>{"the default pool: it would lose addresses"}));
  EXPECT_FALSE(r.pools_changed);
  EXPECT_EQ(running.config.named_pools.size(), 1u);
  PoolChange accept = [&](const Config& next) -> std::optional<std::string> {
    asked.push_back(std::to_string(next.named_pools.size()));
    return std::nullopt;
  };
  r = apply_live(running.config, running.lines, grown.config, grown.lines, accept);
  EXPECT_EQ(r.applied, (std::vector<std::string>{"framed-pool", "pool"}));
  EXPECT_TRUE(r.pools_changed);
  EXPECT_EQ(running.config.named_pools.size(), 2u);
  EXPECT_EQ(running.config.pool[0].last, Ipv4Address(0x0a000028));
  EXPECT_EQ(asked, (std::vector<std::string>{"2", "2"}));  // asked once per reload, not once per setting
  // Without a hook (no shared pools here) the pools wait for a restart.
  LoadedConfig again = build("pool 10.0.0.10-10.0.0.20\n");
  r = apply_live(again.config, again.lines, grown.config, grown.lines);
  EXPECT_EQ(r.need_restart, (std::vector<std::string>{"framed-pool", "pool"}));
}

TEST(ConfigSource, BuildsFromTextsWithOverridesAndNamesTheLineOfAnError) {
  ConfigSource source{"/etc/pppoed/pppoed.conf", {{"interface", {"eth2"}}, {"lcp-echo-interval", {"3"}}}};
  auto ok = build_config(source, {"interface eth1\nlcp-echo-interval 9\nsecrets /etc/pppoed/ppp.secret\n", "alice wonderland\n"});
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->config.interface, "eth2");  // options override the file
  EXPECT_EQ(ok->config.lcp_echo_interval, 3u);
  EXPECT_EQ(ok->secrets.size(), 1u);
  EXPECT_EQ(ok->lines.at("lcp-echo-interval"), (std::vector<std::vector<std::string>>{{"9"}, {"3"}}));
  auto bad = build_config(source, {"interface eth1\nmru nine\n", ""});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().starts_with("/etc/pppoed/pppoed.conf:2: ")) << bad.error();
  auto bad_user = build_config(source, {"secrets /etc/pppoed/ppp.secret\n", "alice\n"});
  ASSERT_FALSE(bad_user);
  EXPECT_TRUE(bad_user.error().starts_with("/etc/pppoed/ppp.secret:1: ")) << bad_user.error();
}

TEST(ConfigSource, SnapshotsRoundTripAndRejectDamage) {
  auto dir = std::filesystem::temp_directory_path() / ("pppoed-snapshot-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "s.reload").string();
  ConfigTexts texts{"interface eth1\nradius-auth-server 192.0.2.5 \"two words\"\n", "alice wonder\nland\n\n"};
  ASSERT_TRUE(write_snapshot(path, texts));
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_read |
                                                                                          std::filesystem::perms::owner_write);
  auto back = read_snapshot(path);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->config, texts.config);
  EXPECT_EQ(back->secrets, texts.secrets);
  std::filesystem::remove_all(dir);

  EXPECT_FALSE(parse_snapshot(""));
  EXPECT_FALSE(parse_snapshot("pppoed-config-snapshot 1\nconfig 5\nabc\n"));              // cut short
  EXPECT_FALSE(parse_snapshot("pppoed-config-snapshot 1\nconfig 99999999999999999999\n"));  // absurd length
  EXPECT_FALSE(parse_snapshot("pppoed-config-snapshot 1\nconfig 0\n\nsecrets 0\n\nmore"));  // trailing data
  EXPECT_TRUE(parse_snapshot("pppoed-config-snapshot 1\nconfig 0\n\nsecrets 0\n\n"));
}

}  // namespace
}  // namespace pppoe::master
