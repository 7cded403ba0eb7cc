// The whole state of a client session in one serialisable record: what another pppoec process
// needs to continue the session without the AC noticing (ppp_thing's state file, spec/004):
// the PPPoE identity (our MAC, the AC's MAC, session ID), what LCP/IPCP/IPv6CP negotiated,
// and counters. Written to the state file after every change that matters, and what a router
// pair's MASTER streams to its BACKUP (sync/message.hpp).
//
// Stored as one line of JSON with a version. Read back like any untrusted input: every field
// checked for type and range, and a record that fails is refused as a whole, never half used.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "common/mac.hpp"
#include "session/ppp_link.hpp"

namespace pppoe::pppoec {

struct SessionRecord {
  static constexpr int kVersion = 1;
  std::string profile;
  std::string interface;
  MacAddress our_mac;
  MacAddress ac_mac;
  std::uint16_t session_id = 0;
  std::uint16_t max_payload = 0;  ///< RFC 4638 value agreed in the PADS, 0 = none
  std::string ac_name;
  session::LinkSnapshot link;
  std::uint64_t saved_unix_ms = 0;
  std::uint64_t up_unix_ms = 0;  ///< when the session came up first
  /// The session's IP traffic so far (continued by whoever resumes it).
  std::uint64_t packets_in = 0, bytes_in = 0, packets_out = 0, bytes_out = 0;
  friend bool operator==(const SessionRecord&, const SessionRecord&) = default;
};

[[nodiscard]] std::string encode(const SessionRecord& r);
[[nodiscard]] std::expected<SessionRecord, std::string> decode_record(std::string_view text);

/// Writes `r` to `path` atomically (a temporary file, fsync, rename): a crash leaves either
/// the old record or the new one, never a torn one.
std::expected<void, std::string> save_record(const std::string& path, const SessionRecord& r);
std::expected<SessionRecord, std::string> load_record(const std::string& path);

}  // namespace pppoe::pppoec
