// The handover state file (operator guide "High availability", restart and upgrade): what one
// pppoed leaves for the next when it hands its sessions over (SIGUSR2) instead of ending them.
//
//   header (fixed forever: magic, versions, sizes, interface, time, checksum)
//   count x StableEntry   (fixed forever: enough to END a session properly, whatever the version)
//   count x SessionRecord (this build's layout, kFormatVersion: enough to CONTINUE it)
//   count x downstream counters
//
// A reader of another format version (an upgrade that changed SessionRecord) cannot continue
// the sessions, but it can always end them cleanly from the stable part: PADT, accounting Stop.
// The whole file is untrusted input: sizes, counts and the checksum are checked before anything
// is used, and every entry is checked again when it is applied.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/mac.hpp"
#include "dataplane/session_table.hpp"

namespace pppoe::master {

/// The records' layout version (bumped with SessionRecord, session_table.hpp).
inline constexpr std::uint32_t kStateFormatVersion = dataplane::kSessionRecordVersion;

/// Downstream counters of one session (dataplane::SessionTraffic without the atomics).
struct DownstreamCounters {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
};

/// One session as the file holds it.
struct HandedOverSession {
  dataplane::SessionRecord record;
  DownstreamCounters downstream;
};

struct StateFile {
  std::string interface;
  MacAddress ac_mac;
  std::int64_t written_unix_ms = 0;
  /// True when the records are of this build's layout and may be continued; false: only the
  /// stable part was readable (fields needed to end a session are filled in, the rest zero).
  bool continuable = true;
  std::uint32_t format_version = kStateFormatVersion;
  std::vector<HandedOverSession> sessions;
};

std::vector<std::uint8_t> encode_state_file(const StateFile& f);
/// Refusals name what was wrong (truncated, magic, checksum, a count that does not fit...).
std::expected<StateFile, std::string> decode_state_file(Bytes data);

/// Written to PATH.tmp, fsync'ed, renamed over PATH: a reader never sees half a file.
std::expected<void, std::string> write_state_file(const std::string& path, const StateFile& f);
/// The file's bytes (at most 256 MiB), or an error; a missing file is std::nullopt-like: empty.
std::expected<std::vector<std::uint8_t>, std::string> read_file_bytes(const std::string& path);

}  // namespace pppoe::master
