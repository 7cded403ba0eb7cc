#include "master/state_file.hpp"

#include "common/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <optional>
#include <cerrno>
#include <cstring>
#include <type_traits>

#include <fmt/format.h>

namespace pppoe::master {
namespace {

// The fixed parts, in network byte order through ByteWriter/ByteReader; never change them (a
// new field goes into SessionRecord, and kStateFormatVersion goes up).
constexpr char kMagic[8] = {'P', 'P', 'P', 'O', 'E', 'D', 'S', 'T'};
constexpr std::size_t kHeaderSize = 8 + 4 + 4 + 4 + 4 + 8 + 16 + 6 + 2 + 8;  // = 64
constexpr std::size_t kStableSize = 2 + 6 + 1 + 2 * 4 + 4 + 24 + 64 + 1 + 1 + 8 * 5;  // session ID .. up time
constexpr std::size_t kMaxSessions = 65535;


/// FNV-1a 64 over the body: catches a torn or altered file (not an attacker: the file's
/// directory permissions are the protection).
std::uint64_t checksum(Bytes body) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::uint8_t b : body) h = (h ^ b) * 1099511628211ull;
  return h;
}

template <std::size_t N>
void fixed_text(ByteWriter& w, const char (&text)[N]) {
  w.bytes(Bytes(reinterpret_cast<const std::uint8_t*>(text), N));
}

void stable_entry(ByteWriter& w, const HandedOverSession& s) {
  const auto& r = s.record;
  w.u16(r.session_id);
  w.bytes(Bytes(r.client_mac.octets.data(), 6));
  w.u8(r.vlans.count);
  for (const auto& t : r.vlans.tags) {
    w.u16(t.tpid);
    w.u16(t.tci);
  }
  w.u32(r.ipv4);
  fixed_text(w, r.acct_session_id);
  fixed_text(w, r.user);
  w.u8(r.acct_started ? 1 : 0);
  w.u8(r.radius_auth ? 1 : 0);
  w.u64(r.rx_packets);
  w.u64(r.rx_bytes);
  w.u64(s.downstream.packets);
  w.u64(s.downstream.bytes);
  w.u64(static_cast<std::uint64_t>(r.up_unix_ms));
}

std::optional<HandedOverSession> read_stable(ByteReader& r) {
  HandedOverSession s;
  auto& rec = s.record;
  auto id = r.u16();
  auto mac = r.bytes(6);
  auto vlan_count = r.u8();
  if (!id || !mac || !vlan_count || *vlan_count > 2) return std::nullopt;
  rec.session_id = *id;
  std::copy(mac->begin(), mac->end(), rec.client_mac.octets.begin());
  rec.vlans.count = *vlan_count;
  for (auto& t : rec.vlans.tags) {
    auto tpid = r.u16();
    auto tci = r.u16();
    if (!tpid || !tci) return std::nullopt;
    t = {*tpid, *tci};
  }
  auto ipv4 = r.u32();
  auto acct = r.bytes(sizeof rec.acct_session_id);
  auto user = r.bytes(sizeof rec.user);
  auto acct_started = r.u8();
  auto radius_auth = r.u8();
  auto rx_packets = r.u64(), rx_bytes = r.u64(), tx_packets = r.u64(), tx_bytes = r.u64(), up = r.u64();
  if (!ipv4 || !acct || !user || !acct_started || !radius_auth || !rx_packets || !rx_bytes || !tx_packets || !tx_bytes || !up)
    return std::nullopt;
  rec.ipv4 = *ipv4;
  std::copy(acct->begin(), acct->end(), rec.acct_session_id);
  rec.acct_session_id[sizeof rec.acct_session_id - 1] = '\0';
  std::copy(user->begin(), user->end(), rec.user);
  rec.user[sizeof rec.user - 1] = '\0';
  rec.acct_started = *acct_started != 0;
  rec.radius_auth = *radius_auth != 0;
  rec.rx_packets = *rx_packets;
  rec.rx_bytes = *rx_bytes;
  s.downstream = {*tx_packets, *tx_bytes};
  rec.up_unix_ms = static_cast<std::int64_t>(*up);
  rec.state = dataplane::SessionState::kUp;
  return s;
}

}  // namespace

std::vector<std::uint8_t> encode_state_file(const StateFile& f) {
  const std::size_t n = std::min(f.sessions.size(), kMaxSessions);
  const std::size_t body = n * (kStableSize + sizeof(dataplane::SessionRecord) + 16);
  std::vector<std::uint8_t> out(kHeaderSize + body);
  ByteWriter b(MutableBytes(out.data() + kHeaderSize, body));
  for (std::size_t i = 0; i < n; ++i) stable_entry(b, f.sessions[i]);
  for (std::size_t i = 0; i < n; ++i)
    b.bytes(Bytes(reinterpret_cast<const std::uint8_t*>(&f.sessions[i].record), sizeof(dataplane::SessionRecord)));
  for (std::size_t i = 0; i < n; ++i) {
    b.u64(f.sessions[i].downstream.packets);
    b.u64(f.sessions[i].downstream.bytes);
  }
  ByteWriter h(MutableBytes(out.data(), kHeaderSize));
  h.bytes(Bytes(reinterpret_cast<const std::uint8_t*>(kMagic), sizeof kMagic));
  h.u32(f.format_version);
  h.u32(static_cast<std::uint32_t>(kHeaderSize));
  h.u32(static_cast<std::uint32_t>(sizeof(dataplane::SessionRecord)));
  h.u32(static_cast<std::uint32_t>(n));
  h.u64(static_cast<std::uint64_t>(f.written_unix_ms));
  char name[16] = {};
  std::memcpy(name, f.interface.data(), std::min(f.interface.size(), sizeof name - 1));
  fixed_text(h, name);
  h.bytes(Bytes(f.ac_mac.octets.data(), 6));
  h.u16(0);
  h.u64(checksum(Bytes(out.data() + kHeaderSize, body)));
  return out;
}

std::expected<StateFile, std::string> decode_state_file(Bytes data) {
  ByteReader h(data);
  auto magic = h.bytes(sizeof kMagic);
  if (!magic) return std::unexpected(fmt::format("truncated: {} octets, shorter than the header", data.size()));
  if (!std::equal(magic->begin(), magic->end(), reinterpret_cast<const std::uint8_t*>(kMagic)))
    return std::unexpected("not a pppoed state file (wrong magic)");
  auto version = h.u32(), header_size = h.u32(), record_size = h.u32(), count = h.u32();
  auto written = h.u64();
  auto name = h.bytes(16);
  auto mac = h.bytes(6);
  auto pad = h.u16();
  auto sum = h.u64();
  if (!version || !header_size || !record_size || !count || !written || !name || !mac || !pad || !sum)
    return std::unexpected(fmt::format("truncated: {} octets, shorter than the header", data.size()));
  if (*header_size != kHeaderSize) return std::unexpected(fmt::format("header of {} octets, expected {}", *header_size, kHeaderSize));
  if (*count > kMaxSessions) return std::unexpected(fmt::format("{} sessions, more than {}", *count, kMaxSessions));
  if (*record_size > 65536) return std::unexpected(fmt::format("records of {} octets", *record_size));
  const std::size_t body = std::size_t{*count} * (kStableSize + *record_size + 16);
  if (data.size() != kHeaderSize + body)
    return std::unexpected(fmt::format("{} octets, expected {} for {} sessions (torn or truncated)", data.size(),
                                       kHeaderSize + body, *count));
  if (checksum(data.subspan(kHeaderSize)) != *sum) return std::unexpected("checksum mismatch (torn or altered)");
  StateFile f;
  f.interface = std::string(reinterpret_cast<const char*>(name->data()), strnlen(reinterpret_cast<const char*>(name->data()), 16));
  std::copy(mac->begin(), mac->end(), f.ac_mac.octets.begin());
  f.written_unix_ms = static_cast<std::int64_t>(*written);
  f.format_version = *version;
  f.continuable = *version == kStateFormatVersion && *record_size == sizeof(dataplane::SessionRecord);
  ByteReader b(data.subspan(kHeaderSize));
  f.sessions.reserve(*count);
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto s = read_stable(b);
    if (!s) return std::unexpected(fmt::format("session entry {} is malformed", i));
    f.sessions.push_back(*s);
  }
  auto records = b.bytes(std::size_t{*count} * *record_size);
  if (!records) return std::unexpected("truncated records");
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto down_packets = b.u64(), down_bytes = b.u64();
    if (!down_packets || !down_bytes) return std::unexpected("truncated counters");
    if (!f.continuable) continue;
    HandedOverSession& s = f.sessions[i];
    const std::uint16_t stable_id = s.record.session_id;
    auto record = dataplane::record_from_bytes(records->subspan(std::size_t{i} * *record_size, *record_size));
    if (!record) return std::unexpected(fmt::format("session record {} is malformed", i));
    s.record = *record;
    s.downstream = {*down_packets, *down_bytes};
    // The stable part and the record describe the same session, or the file lies.
    if (s.record.session_id != stable_id) return std::unexpected(fmt::format("session entry {} disagrees with its record", i));
  }
  return f;
}

std::expected<void, std::string> write_state_file(const std::string& path, const StateFile& f) {
  auto bytes = encode_state_file(f);
  return write_file_atomically(path, Bytes(bytes));
}

std::expected<std::vector<std::uint8_t>, std::string> read_file_bytes(const std::string& path) {
  return read_whole_file(path, std::size_t{256} << 20);
}

}  // namespace pppoe::master
