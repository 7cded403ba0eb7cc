#include "proto/pppoe.hpp"

#include <array>

namespace pppoe::pppoe_proto {

const char* to_string(Error e) {
  switch (e) {
    case Error::kTruncatedHeader: return "truncated_header";
    case Error::kBadVersionType: return "bad_version_type";
    case Error::kLengthPastFrame: return "length_past_frame";
    case Error::kUnknownCode: return "unknown_code";
    case Error::kTruncatedTag: return "truncated_tag";
    case Error::kDuplicateTag: return "duplicate_tag";
    case Error::kTagTooLong: return "tag_too_long";
  }
  return "?";
}

namespace {
bool known_code(std::uint8_t c) {
  switch (static_cast<Code>(c)) {
    case Code::kSession:
    case Code::kPado:
    case Code::kPadi:
    case Code::kPadr:
    case Code::kPads:
    case Code::kPadt:
      return true;
  }
  return false;
}
}  // namespace

std::expected<Packet, Error> decode(Bytes data) {
  ByteReader r(data);
  auto vt = r.u8();
  auto code = r.u8();
  auto sid = r.u16();
  auto len = r.u16();
  if (!vt || !code || !sid || !len) return std::unexpected(Error::kTruncatedHeader);
  if (*vt != 0x11) return std::unexpected(Error::kBadVersionType);
  if (!known_code(*code)) return std::unexpected(Error::kUnknownCode);
  auto payload = r.bytes(*len);
  if (!payload) return std::unexpected(Error::kLengthPastFrame);
  Packet p;
  p.header = Header{1, 1, static_cast<Code>(*code), *sid, *len};
  p.payload = *payload;
  return p;
}

void encode_header(const Header& h, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>((h.version << 4) | (h.type & 0x0f)));
  w.u8(static_cast<std::uint8_t>(h.code));
  w.u16(h.session_id);
  w.u16(h.length);
}

namespace {
template <typename T>
std::expected<void, Error> set_once(std::optional<T>& slot, T value) {
  if (slot) return std::unexpected(Error::kDuplicateTag);
  slot = std::move(value);
  return {};
}
std::vector<std::uint8_t> to_vec(Bytes b) { return {b.begin(), b.end()}; }
std::string to_str(Bytes b) { return std::string(as_text(b)); }

/// TR-101 section 3.9.3 (DSL Forum vendor 3561); anything malformed is ignored like any
/// unknown vendor data.
void read_line_identification(Bytes value, Tags& tags) {
  ByteReader r(value);
  auto vendor = r.u32();
  if (!vendor || *vendor != 3561) return;
  while (!r.empty()) {
    auto type = r.u8();
    auto len = r.u8();
    if (!type || !len) return;
    auto v = r.bytes(*len);
    if (!v || v->size() > 63) return;
    if (*type == 1) tags.circuit_id = to_str(*v);
    if (*type == 2) tags.remote_id = to_str(*v);
  }
}
}  // namespace

std::expected<Tags, Error> decode_tags(Bytes payload) {
  Tags tags;
  ByteReader r(payload);
  while (!r.empty()) {
    auto type = r.u16();
    auto len = r.u16();
    if (!type || !len) return std::unexpected(Error::kTruncatedTag);
    auto value = r.bytes(*len);
    if (!value) return std::unexpected(Error::kTruncatedTag);
    if (value->size() > kMaxTagValue) return std::unexpected(Error::kTagTooLong);
    std::expected<void, Error> ok;
    switch (static_cast<TagType>(*type)) {
      case TagType::kEndOfList: return tags;  // section 4: processing stops here
      case TagType::kServiceName:
        if (tags.service_name)
          tags.more_service_names.push_back(to_str(*value));
        else
          tags.service_name = to_str(*value);
        break;
      case TagType::kAcName: ok = set_once(tags.ac_name, to_str(*value)); break;
      case TagType::kHostUniq: ok = set_once(tags.host_uniq, to_vec(*value)); break;
      case TagType::kAcCookie: ok = set_once(tags.ac_cookie, to_vec(*value)); break;
      case TagType::kVendorSpecific:
        ++tags.vendor_specific;
        read_line_identification(*value, tags);
        break;
      case TagType::kRelaySessionId: ok = set_once(tags.relay_session_id, to_vec(*value)); break;
      case TagType::kPppMaxPayload: {
        // RFC 4638 section 4: a two-octet value; anything else is malformed and ignored.
        ByteReader v(*value);
        auto mp = v.u16();
        if (mp && v.empty()) ok = set_once(tags.ppp_max_payload, *mp);
        break;
      }
      case TagType::kServiceNameError: ok = set_once(tags.service_name_error, to_str(*value)); break;
      case TagType::kAcSystemError: ok = set_once(tags.ac_system_error, to_str(*value)); break;
      case TagType::kGenericError: ok = set_once(tags.generic_error, to_str(*value)); break;
      default: break;  // unknown TAG_TYPEs MUST be ignored (section 4)
    }
    if (!ok) return std::unexpected(ok.error());
  }
  return tags;
}

void encode_tag(ByteWriter& w, TagType type, Bytes value) {
  w.u16(static_cast<std::uint16_t>(type));
  w.u16(static_cast<std::uint16_t>(value.size()));
  w.bytes(value);
}

void encode_tags(ByteWriter& w, const Tags& t) {
  auto text = [&](TagType type, const std::optional<std::string>& v) {
    if (v) encode_tag(w, type, as_bytes(*v));
  };
  auto blob = [&](TagType type, const std::optional<std::vector<std::uint8_t>>& v) {
    if (v) encode_tag(w, type, Bytes(*v));
  };
  text(TagType::kServiceName, t.service_name);
  for (const auto& s : t.more_service_names) encode_tag(w, TagType::kServiceName, as_bytes(s));
  text(TagType::kAcName, t.ac_name);
  blob(TagType::kHostUniq, t.host_uniq);
  blob(TagType::kAcCookie, t.ac_cookie);
  blob(TagType::kRelaySessionId, t.relay_session_id);
  if (t.ppp_max_payload) {
    std::uint8_t v[2] = {static_cast<std::uint8_t>(*t.ppp_max_payload >> 8),
                         static_cast<std::uint8_t>(*t.ppp_max_payload)};
    encode_tag(w, TagType::kPppMaxPayload, Bytes(v, 2));
  }
  text(TagType::kServiceNameError, t.service_name_error);
  text(TagType::kAcSystemError, t.ac_system_error);
  text(TagType::kGenericError, t.generic_error);
  if (!t.circuit_id.empty() || !t.remote_id.empty()) {
    // TR-101 section 3.9.3: vendor 3561, then sub-options (type, length, value).
    std::array<std::uint8_t, 4 + 2 * 65> v{};
    ByteWriter sub(v);
    sub.u32(3561);
    for (auto [type, text_value] : {std::pair<std::uint8_t, const std::string*>{1, &t.circuit_id}, {2, &t.remote_id}}) {
      if (text_value->empty() || text_value->size() > 63) continue;
      sub.u8(type);
      sub.u8(static_cast<std::uint8_t>(text_value->size()));
      sub.text(*text_value);
    }
    encode_tag(w, TagType::kVendorSpecific, Bytes(v.data(), sub.size()));
  }
}

std::size_t encode_discovery(MutableBytes out, Code code, std::uint16_t session_id,
                             const Tags& tags) {
  ByteWriter w(out);
  encode_header(Header{1, 1, code, session_id, 0}, w);
  encode_tags(w, tags);
  if (w.overflow() || w.size() - kHeaderSize > 0xffff) return 0;
  w.patch_u16(4, static_cast<std::uint16_t>(w.size() - kHeaderSize));
  return w.size();
}

}  // namespace pppoe::pppoe_proto
