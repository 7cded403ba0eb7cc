// Reload (SIGHUP, `pppoectl reload`, `systemctl reload`): which settings may change while
// sessions are up, and applying them to the running configuration.
//
// A setting is live when everything that reads it reads it again for each new session or
// frame (timers, limits, RADIUS servers, DNS servers, users); sessions that are up keep what
// they negotiated. The rest (the interface, the TUN, pools, L2TP, the standby pair, ...) is
// bound at start to sockets, shared memory or kernel state: a new value waits for a restart,
// and the running one stays. The address pools are in between: they may grow and gain named
// pools (master/pool_reload.hpp), never shrink.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "master/config.hpp"

namespace pppoe::master {

struct ReloadReport {
  std::vector<std::string> applied;       ///< setting names whose new values now apply
  std::vector<std::string> need_restart;  ///< setting names whose new values wait for a restart
  std::vector<std::string> why;           ///< for some need_restart entries: why they wait
  bool radius_changed = false;            ///< RADIUS servers, secrets or timers: clients rebuilt
  bool pools_changed = false;             ///< 'pool' or 'framed-pool' applied
};

/// Makes the running address pools those of `next` ('pool', 'framed-pool'), or says why that
/// waits for a restart (then nothing changed).
using PoolChange = std::function<std::optional<std::string>(const Config& next)>;

/// Whether a setting of this name may change on a reload.
bool is_live_setting(std::string_view name);

/// Applies to `running` the live settings whose lines differ between `running_lines` and
/// `next_lines`, and updates `running_lines` for them; other changed settings keep their
/// running values and lines (a later reload names them again until a restart). Changed pools
/// apply when `pools` is given and agrees.
ReloadReport apply_live(Config& running, SettingLines& running_lines, const Config& next, const SettingLines& next_lines,
                        const PoolChange& pools = {});

}  // namespace pppoe::master
