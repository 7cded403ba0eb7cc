// `show sessions` of any size without holding up discovery: the master answers a page at a
// time (at most kMaxPage sessions, at most kMaxScan IDs looked at), the client asks for the
// next page from the ID it was given. Sessions can be narrowed the way accel-cmd's
// `show sessions match` does, by shell patterns (fnmatch(3)) on user, MAC, address, state, or
// by VLAN and worker.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "ctl/control_socket.hpp"
#include "dataplane/session_table.hpp"

namespace pppoe::master {

struct SessionMatch {
  std::string user, mac, ip, state;  ///< shell patterns; "" = any
  std::optional<std::uint16_t> vlan;   ///< any tag of the stack
  std::optional<unsigned> worker;
  [[nodiscard]] bool matches(const dataplane::SessionRecord& r) const;
};

struct SessionPage {
  std::uint16_t from = 1;   ///< the first session ID to look at
  unsigned max = 1000;      ///< sessions in the answer
  SessionMatch match;
  static constexpr unsigned kMaxPage = 5000;
  /// IDs looked at per request: a match that selects few sessions stays bounded too.
  static constexpr unsigned kMaxScan = 16384;
};

/// The page a request asks for ({"from": ID, "max": N, "match": {"user": PATTERN, ...}}), or
/// what is wrong with it.
std::expected<SessionPage, std::string> parse_session_page(const ctl::Json& request);

}  // namespace pppoe::master
