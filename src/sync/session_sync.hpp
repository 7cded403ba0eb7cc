// pppoed's standby stream (operator guide "High availability", the standby box): the payloads
// the two pppoed of a pair exchange in message.hpp's authenticated frames.
//
//   RECORD  record version (u32) | record size (u32) | SessionRecord | downstream packets (u64) | downstream octets (u64)
//   GONE    message.hpp's Gone: session ID, reason
//   ROLE    role (u8) | ready (u8) | flags (u8, 1 = a snapshot follows) | record version (u32) |
//           AC MAC (6) | sessions (u32) | why not ready (text, at most 64 octets)
//   SNAPSHOT_DONE  (empty) every session the MASTER had when the snapshot began has been sent
//
// A RECORD carries the record in this build's layout (dataplane::kSessionRecordVersion): a peer
// of another version is refused, never misread (its ROLE says so before any RECORD comes).
// Everything is untrusted, authenticated or not: lengths, versions and the record's contents are
// checked here, and again when a session is continued from it.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/mac.hpp"
#include "dataplane/session_table.hpp"

namespace pppoe::sync {

/// A session as the MASTER streams it.
struct SyncedSession {
  dataplane::SessionRecord record;
  std::uint64_t down_packets = 0;
  std::uint64_t down_bytes = 0;
};

/// A pppoed's part in the pair, from keepalived's notify FIFO: MASTER speaks on the wire,
/// every other state is silent.
enum class StandbyRole : std::uint8_t { kBackup = 0, kMaster = 1, kFault = 2 };
const char* to_string(StandbyRole r);

struct RoleAnnouncement {
  StandbyRole role = StandbyRole::kBackup;
  bool ready = false;
  bool snapshot_follows = false;  ///< the MASTER starts a full snapshot with this message
  std::uint32_t record_version = dataplane::kSessionRecordVersion;
  MacAddress ac_mac;
  std::uint32_t sessions = 0;  ///< the MASTER's live sessions, the BACKUP's held ones
  std::string not_ready_why;
};

std::vector<std::uint8_t> encode_session(const SyncedSession& s);
/// The session, or why the payload was refused (length, version, a record that cannot be).
std::expected<SyncedSession, std::string> decode_session(Bytes payload);

std::vector<std::uint8_t> encode_role(const RoleAnnouncement& r);
std::expected<RoleAnnouncement, std::string> decode_role(Bytes payload);

}  // namespace pppoe::sync
