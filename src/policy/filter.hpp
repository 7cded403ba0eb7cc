// Per-session packet filters (operator guide "Service policy"): named lists of stateless
// rules in the config, attached to a session by ppp.secret (filter=NAME) or RADIUS (a
// Filter-Id that is not a rate), applied by the workers upstream and downstream.
//
//   filter LIST allow|deny [in|out] [ip|tcp|udp|icmp|icmpv6|NUMBER] [from ADDR[/LEN]]
//          [to ADDR[/LEN]] [sport P[-Q]] [dport P[-Q]]
//
// "out" is what the subscriber sends, "in" what it receives (neither: both). Rules are tried
// in order and the first that matches decides; a packet no rule matches passes. Ports match
// only TCP and UDP packets that carry them (not fragments after the first).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe::policy {

inline constexpr std::size_t kMaxFilterLists = 32;
inline constexpr std::size_t kMaxFilterRules = 64;

struct AddressMatch {
  std::uint8_t family = 0;  ///< 0: any address; 4 or 6: that family, `length` leading bits of `address`
  std::uint8_t length = 0;
  std::array<std::uint8_t, 16> address{};
};

struct FilterRule {
  bool allow = false;
  bool upstream = true, downstream = true;
  int protocol = -1;  ///< -1: any
  AddressMatch from, to;
  std::uint16_t sport_min = 0, sport_max = 65535, dport_min = 0, dport_max = 65535;
  bool ports = false;  ///< a port was given: only TCP and UDP with their header match
  std::string text;    ///< as written, for show commands
};

struct FilterList {
  std::string name;
  std::uint32_t id = 0;  ///< filter_id(name): what a session record stores
  std::vector<FilterRule> rules;
};

/// A list's identity in session records: FNV-1a of the name, never 0 (0: no filter).
std::uint32_t filter_id(std::string_view name);

/// One rule from the words after `filter LIST`.
std::expected<FilterRule, std::string> parse_filter_rule(const std::vector<std::string>& words);

/// The index of the first rule of `list` that matches `packet` (an IPv4 or IPv6 packet, in the
/// direction given), or -1 when none does (the packet passes).
int match(const FilterList& list, Bytes packet, bool upstream);

}  // namespace pppoe::policy
