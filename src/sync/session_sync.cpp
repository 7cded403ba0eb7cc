#include "sync/session_sync.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace pppoe::sync {
namespace {

constexpr std::size_t kRecordPayload = 4 + 4 + sizeof(dataplane::SessionRecord) + 8 + 8;
constexpr std::size_t kRoleFixed = 1 + 1 + 1 + 4 + 6 + 4;
constexpr std::size_t kMaxWhy = 64;

}  // namespace

const char* to_string(StandbyRole r) {
  switch (r) {
    case StandbyRole::kBackup: return "BACKUP";
    case StandbyRole::kMaster: return "MASTER";
    case StandbyRole::kFault: return "FAULT";
  }
  return "?";
}

std::vector<std::uint8_t> encode_session(const SyncedSession& s) {
  std::vector<std::uint8_t> out(kRecordPayload);
  ByteWriter w(out);
  w.u32(dataplane::kSessionRecordVersion);
  w.u32(static_cast<std::uint32_t>(sizeof s.record));
  w.bytes(Bytes(reinterpret_cast<const std::uint8_t*>(&s.record), sizeof s.record));
  w.u64(s.down_packets);
  w.u64(s.down_bytes);
  return out;
}

std::expected<SyncedSession, std::string> decode_session(Bytes payload) {
  ByteReader r(payload);
  auto version = r.u32();
  auto size = r.u32();
  if (!version || !size) return std::unexpected(fmt::format("record message of {} octets", payload.size()));
  if (*version != dataplane::kSessionRecordVersion || *size != sizeof(dataplane::SessionRecord))
    return std::unexpected(fmt::format("session record version {} ({} octets); this pppoed's is {} ({} octets)", *version,
                                       *size, dataplane::kSessionRecordVersion, sizeof(dataplane::SessionRecord)));
  auto bytes = r.bytes(*size);
  auto packets = r.u64(), octets = r.u64();
  if (!bytes || !packets || !octets || !r.empty())
    return std::unexpected(fmt::format("record message of {} octets, expected {}", payload.size(), kRecordPayload));
  auto record = dataplane::record_from_bytes(*bytes);
  if (!record) return std::unexpected("malformed session record");
  if (record->session_id == 0 || record->session_id == 0xffff)
    return std::unexpected(fmt::format("session ID {} out of range", record->session_id));
  return SyncedSession{*record, *packets, *octets};
}

std::vector<std::uint8_t> encode_role(const RoleAnnouncement& a) {
  std::string_view why(a.not_ready_why);
  why = why.substr(0, kMaxWhy);
  std::vector<std::uint8_t> out(kRoleFixed + why.size());
  ByteWriter w(out);
  w.u8(static_cast<std::uint8_t>(a.role));
  w.u8(a.ready ? 1 : 0);
  w.u8(a.snapshot_follows ? 1 : 0);
  w.u32(a.record_version);
  w.bytes(Bytes(a.ac_mac.octets.data(), 6));
  w.u32(a.sessions);
  w.bytes(as_bytes(why));
  return out;
}

std::expected<RoleAnnouncement, std::string> decode_role(Bytes payload) {
  ByteReader r(payload);
  auto role = r.u8(), ready = r.u8(), flags = r.u8();
  auto version = r.u32();
  auto mac = r.bytes(6);
  auto sessions = r.u32();
  if (!role || !ready || !flags || !version || !mac || !sessions)
    return std::unexpected(fmt::format("role message of {} octets", payload.size()));
  if (*role > 2 || *ready > 1 || (*flags & ~1u) != 0) return std::unexpected("role message with unknown values");
  if (r.remaining() > kMaxWhy) return std::unexpected("role message with a reason over 64 octets");
  RoleAnnouncement a;
  a.role = static_cast<StandbyRole>(*role);
  a.ready = *ready == 1;
  a.snapshot_follows = (*flags & 1u) != 0;
  a.record_version = *version;
  std::copy(mac->begin(), mac->end(), a.ac_mac.octets.begin());
  a.sessions = *sessions;
  Bytes why = r.rest();
  a.not_ready_why.assign(why.begin(), why.end());
  for (char& c : a.not_ready_why)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f) c = '?';  // it goes into logs
  return a;
}

}  // namespace pppoe::sync
