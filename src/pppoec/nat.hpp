// `nat enable yes` (ppp(8)'s libalias, here the kernel's nftables): masquerading of the LAN
// behind the session's address, `nat port` forwards inbound ports to hosts behind us, and
// `nat deny_incoming yes` drops new inbound connections that no forward asked for. Everything
// lives in one table of its own, `ip pppoec_<interface>`, created when pppoec starts (replacing
// one a crash left behind) and deleted when it exits, so the operator's own rules are never
// touched. Applied with the `nft` program (Debian's nftables), one atomic script each time.
#pragma once

#include <expected>
#include <string>

#include "pppoec/profile.hpp"

namespace pppoe::pppoec {

/// The nft script that (re)creates the table for `p` on interface `ifname`.
[[nodiscard]] std::string nat_ruleset(const Profile& p, const std::string& ifname);
/// The table's name for `ifname` (characters nft does not take in a name become '_').
[[nodiscard]] std::string nat_table(const std::string& ifname);

/// Installs the table (nothing when the profile has no NAT).
std::expected<void, std::string> nat_install(const Profile& p, const std::string& ifname);
/// Deletes the table if it exists.
std::expected<void, std::string> nat_remove(const std::string& ifname);

}  // namespace pppoe::pppoec
