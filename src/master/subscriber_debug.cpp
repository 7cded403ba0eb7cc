// Server: `pppoectl debug user NAME | mac MAC on [MINUTES] | off`, `pppoectl debug list`. The
// targets live in shared memory (dataplane::LiveSettings::debug): the workers log the PPP
// control frames of those sessions, the master their discovery frames, decoded, until the time
// runs out; never more than kDebugTargets at once, never longer than kMaxDebugMinutes.
#include <ctime>

#include "dataplane/held_prefixes.hpp"
#include "master/server.hpp"

namespace pppoe::master {

namespace {
constexpr unsigned kDefaultDebugMinutes = 10;
constexpr unsigned kMaxDebugMinutes = 240;
}  // namespace

ctl::Json Server::set_debug(const ctl::Json& req) {
  auto& live = shared_.settings();
  const std::int64_t now = std::time(nullptr);
  std::string what = ctl::text_field(req, "what");
  if (what == "list") {
    ctl::Json list = ctl::Json::array();
    for (std::size_t i = 0; i < debug_names_.size(); ++i)
      if (live.debug[i].until_unix.load() >= now)
        list.push_back({{"target", debug_names_[i]}, {"seconds_left", live.debug[i].until_unix.load() - now}});
    return {{"ok", true}, {"debugging", list}};
  }
  std::string target = ctl::text_field(req, "target");
  std::uint64_t mac = 0, user = 0;
  if (what == "mac") {
    auto m = MacAddress::parse(target);
    if (!m || m->is_zero()) return {{"ok", false}, {"error", fmt::format("'{}' is not a MAC address", target)}};
    mac = m->as_u64();
    target = "mac " + m->to_string();
  } else if (what == "user" && !target.empty() && target.size() <= 63) {
    user = dataplane::HeldPrefixes::key_of(target);
    target = "user " + target;
  } else {
    return {{"ok", false}, {"error", "debug user NAME | mac MAC on [MINUTES] | off"}};
  }
  const bool on = req.contains("on") && req["on"].is_boolean() && req["on"].get<bool>();
  unsigned minutes = kDefaultDebugMinutes;
  if (req.contains("minutes")) {
    if (!req["minutes"].is_number_unsigned() || req["minutes"].get<std::uint64_t>() == 0 ||
        req["minutes"].get<std::uint64_t>() > kMaxDebugMinutes)
      return {{"ok", false}, {"error", fmt::format("minutes: from 1 to {}", kMaxDebugMinutes)}};
    minutes = static_cast<unsigned>(req["minutes"].get<std::uint64_t>());
  }
  // The slot already debugging this target, else a free one.
  std::optional<std::size_t> slot;
  for (std::size_t i = 0; i < debug_names_.size() && !slot; ++i)
    if (debug_names_[i] == target && live.debug[i].until_unix.load() >= now) slot = i;
  if (!on) {
    if (!slot) return {{"ok", false}, {"error", fmt::format("{} is not being debugged", target)}};
    live.debug[*slot].until_unix.store(0);
    expire_debug(now);
    log::info("debug of {} off", target);
    return {{"ok", true}, {"target", target}, {"on", false}};
  }
  for (std::size_t i = 0; i < debug_names_.size() && !slot; ++i)
    if (live.debug[i].until_unix.load() < now) slot = i;
  if (!slot) return {{"ok", false}, {"error", fmt::format("{} subscribers are being debugged already", debug_names_.size())}};
  auto& t = live.debug[*slot];
  t.until_unix.store(0);  // not matched while half written
  t.mac.store(mac);
  t.user_key.store(user);
  t.until_unix.store(now + std::int64_t{minutes} * 60);
  debug_names_[*slot] = target;
  expire_debug(now);
  log::info("debug of {} on for {} minutes: its frames are logged, decoded", target, minutes);
  return {{"ok", true}, {"target", target}, {"on", true}, {"minutes", minutes}};
}

void Server::expire_debug(std::int64_t now) {
  auto& live = shared_.settings();
  std::uint32_t in_use = 0;
  for (std::size_t i = 0; i < debug_names_.size(); ++i) {
    if (live.debug[i].until_unix.load() >= now) {
      ++in_use;
    } else if (!debug_names_[i].empty()) {
      if (live.debug[i].until_unix.load() != 0) log::info("debug of {} ended (time is up)", debug_names_[i]);
      live.debug[i].until_unix.store(0);
      debug_names_[i].clear();
    }
  }
  live.debug_targets.store(in_use);
}

}  // namespace pppoe::master
