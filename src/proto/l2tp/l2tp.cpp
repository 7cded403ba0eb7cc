#include "proto/l2tp/l2tp.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>

#include "proto/ppp/chap.hpp"

namespace pppoe::l2tp {
namespace {

constexpr std::uint16_t kAvpMandatory = 0x8000;
constexpr std::uint16_t kAvpHidden = 0x4000;
constexpr std::uint16_t kAvpReserved = 0x3c00;
constexpr std::uint16_t kAvpLengthMask = 0x03ff;
constexpr std::size_t kAvpHeader = 6;
constexpr std::size_t kMaxAvpValue = kAvpLengthMask - kAvpHeader;

std::array<std::uint8_t, 16> md5(std::initializer_list<Bytes> parts) {
  std::array<std::uint8_t, 16> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned len = 0;
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  for (Bytes p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  return out;
}

/// Section 4.3: b(1) = MD5(type + secret + RV), b(i) = MD5(secret + c(i-1)); c(i) = p(i) xor b(i).
/// `reveal` chooses whether the chaining block is the input (hidden) or the output.
std::vector<std::uint8_t> xor_stream(std::uint16_t type, Bytes in, std::string_view secret, Bytes vector, bool reveal) {
  std::vector<std::uint8_t> out(in.size());
  const std::uint8_t type_octets[2] = {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type)};
  std::array<std::uint8_t, 16> b = md5({Bytes(type_octets, 2), as_bytes(secret), vector});
  for (std::size_t at = 0; at < in.size(); at += 16) {
    std::size_t n = std::min<std::size_t>(16, in.size() - at);
    for (std::size_t i = 0; i < n; ++i) out[at + i] = static_cast<std::uint8_t>(in[at + i] ^ b[i]);
    Bytes cipher = reveal ? in.subspan(at, n) : Bytes(out).subspan(at, n);
    b = md5({as_bytes(secret), cipher});
  }
  return out;
}

}  // namespace

const char* to_string(HeaderError e) {
  switch (e) {
    case HeaderError::kTruncated: return "truncated";
    case HeaderError::kBadVersion: return "bad_version";
    case HeaderError::kControlFlags: return "control_flags";
    case HeaderError::kBadLength: return "bad_length";
    case HeaderError::kBadOffset: return "bad_offset";
  }
  return "?";
}

std::expected<Message, HeaderError> decode(Bytes datagram) {
  ByteReader r(datagram);
  auto flags = r.u16();
  if (!flags) return std::unexpected(HeaderError::kTruncated);
  if ((*flags & kVersionMask) != kVersion) return std::unexpected(HeaderError::kBadVersion);
  Message m;
  Header& h = m.header;
  h.control = (*flags & kFlagType) != 0;
  h.has_length = (*flags & kFlagLength) != 0;
  h.has_sequence = (*flags & kFlagSequence) != 0;
  h.has_offset = (*flags & kFlagOffset) != 0;
  h.priority = (*flags & kFlagPriority) != 0;
  // Section 3.1: control messages MUST have L and S set and O and P clear.
  if (h.control && (!h.has_length || !h.has_sequence || h.has_offset || h.priority))
    return std::unexpected(HeaderError::kControlFlags);
  if (h.has_length) {
    auto len = r.u16();
    if (!len) return std::unexpected(HeaderError::kTruncated);
    h.length = *len;
  }
  auto tunnel = r.u16(), session = r.u16();
  if (!tunnel || !session) return std::unexpected(HeaderError::kTruncated);
  h.tunnel_id = *tunnel;
  h.session_id = *session;
  if (h.has_sequence) {
    auto ns = r.u16(), nr = r.u16();
    if (!ns || !nr) return std::unexpected(HeaderError::kTruncated);
    h.ns = *ns;
    h.nr = *nr;
  }
  std::size_t end = datagram.size();
  if (h.has_length) {
    // The length covers the whole message; a shorter datagram is cut, a longer one padded
    // (trailing octets ignored, as UDP padding would be).
    if (h.length > datagram.size() || h.length < r.position()) return std::unexpected(HeaderError::kBadLength);
    end = h.length;
  }
  std::size_t at = r.position();
  if (h.has_offset) {
    auto offset = r.u16();
    if (!offset) return std::unexpected(HeaderError::kTruncated);
    at = r.position() + *offset;
    if (at > end) return std::unexpected(HeaderError::kBadOffset);
  }
  m.payload = datagram.subspan(at, end - at);
  return m;
}

std::size_t encode_control(MutableBytes out, std::uint16_t tunnel_id, std::uint16_t session_id, std::uint16_t ns,
                           std::uint16_t nr, Bytes avps) {
  std::size_t total = 12 + avps.size();
  if (total > 0xffff || out.size() < total) return 0;
  ByteWriter w(out);
  w.u16(kFlagType | kFlagLength | kFlagSequence | kVersion);
  w.u16(static_cast<std::uint16_t>(total));
  w.u16(tunnel_id);
  w.u16(session_id);
  w.u16(ns);
  w.u16(nr);
  w.bytes(avps);
  return w.overflow() ? 0 : w.size();
}

std::size_t encode_data(MutableBytes out, std::uint16_t tunnel_id, std::uint16_t session_id,
                        std::optional<std::pair<std::uint16_t, std::uint16_t>> sequence, Bytes ppp_frame) {
  ByteWriter w(out);
  w.u16(static_cast<std::uint16_t>((sequence ? kFlagSequence : 0) | kVersion));
  w.u16(tunnel_id);
  w.u16(session_id);
  if (sequence) {
    w.u16(sequence->first);
    w.u16(sequence->second);
  }
  w.bytes(ppp_frame);
  return w.overflow() ? 0 : w.size();
}

const char* to_string(MessageType t) {
  switch (t) {
    case MessageType::kSccrq: return "SCCRQ";
    case MessageType::kSccrp: return "SCCRP";
    case MessageType::kScccn: return "SCCCN";
    case MessageType::kStopccn: return "StopCCN";
    case MessageType::kHello: return "HELLO";
    case MessageType::kOcrq: return "OCRQ";
    case MessageType::kOcrp: return "OCRP";
    case MessageType::kOccn: return "OCCN";
    case MessageType::kIcrq: return "ICRQ";
    case MessageType::kIcrp: return "ICRP";
    case MessageType::kIccn: return "ICCN";
    case MessageType::kCdn: return "CDN";
    case MessageType::kWen: return "WEN";
    case MessageType::kSli: return "SLI";
  }
  return "?";
}

bool known_message_type(std::uint16_t t) { return (t >= 1 && t <= 4) || (t >= 6 && t <= 12) || (t >= 14 && t <= 16); }

bool known_avp(std::uint16_t vendor, std::uint16_t type) { return vendor == 0 && type <= 39 && type != 20; }

const char* to_string(AvpError e) {
  switch (e) {
    case AvpError::kTruncated: return "avp_truncated";
    case AvpError::kBadLength: return "avp_bad_length";
    case AvpError::kReservedBits: return "avp_reserved_bits";
    case AvpError::kHiddenWithoutVector: return "hidden_without_vector";
    case AvpError::kHiddenWithoutSecret: return "hidden_without_secret";
    case AvpError::kHiddenBadLength: return "hidden_bad_length";
    case AvpError::kFirstNotMessageType: return "first_not_message_type";
    case AvpError::kBadMessageType: return "bad_message_type";
  }
  return "?";
}

std::optional<std::uint16_t> Avp::u16() const {
  if (value.size() != 2) return std::nullopt;
  return static_cast<std::uint16_t>((value[0] << 8) | value[1]);
}

std::optional<std::uint32_t> Avp::u32() const {
  if (value.size() != 4) return std::nullopt;
  return (std::uint32_t{value[0]} << 24) | (std::uint32_t{value[1]} << 16) | (std::uint32_t{value[2]} << 8) | value[3];
}

std::optional<std::uint64_t> Avp::u64() const {
  if (value.size() != 8) return std::nullopt;
  std::uint64_t v = 0;
  for (std::uint8_t b : value) v = (v << 8) | b;
  return v;
}

const Avp* ControlMessage::find(AvpType t) const {
  for (const Avp& a : avps)
    if (a.vendor == 0 && a.type == static_cast<std::uint16_t>(t)) return &a;
  return nullptr;
}

std::pair<std::uint16_t, std::string> ControlMessage::result(const std::string& prefix) const {
  std::pair<std::uint16_t, std::string> out{0, prefix};
  if (const Avp* rc = find(AvpType::kResultCode); rc && rc->value.size() >= 2) {
    out.first = static_cast<std::uint16_t>((rc->value[0] << 8) | rc->value[1]);
    if (rc->value.size() > 4) out.second += ": " + std::string(as_text(Bytes(rc->value).subspan(4)));
  }
  return out;
}

const Avp* ControlMessage::unknown_mandatory() const {
  for (const Avp& a : avps)
    if (a.mandatory && !known_avp(a.vendor, a.type)) return &a;
  return nullptr;
}

std::vector<std::uint8_t> hide_value(std::uint16_t type, Bytes value, std::string_view secret, Bytes vector) {
  // Subformat (section 4.3): original length (2 octets), the value, no padding here.
  std::vector<std::uint8_t> plain;
  plain.reserve(value.size() + 2);
  plain.push_back(static_cast<std::uint8_t>(value.size() >> 8));
  plain.push_back(static_cast<std::uint8_t>(value.size()));
  plain.insert(plain.end(), value.begin(), value.end());
  return xor_stream(type, plain, secret, vector, false);
}

std::optional<std::vector<std::uint8_t>> reveal_value(std::uint16_t type, Bytes hidden, std::string_view secret,
                                                      Bytes vector) {
  if (hidden.size() < 2) return std::nullopt;
  std::vector<std::uint8_t> plain = xor_stream(type, hidden, secret, vector, true);
  std::size_t length = (std::size_t{plain[0]} << 8) | plain[1];
  if (length > plain.size() - 2) return std::nullopt;  // the wrong secret, most likely
  return std::vector<std::uint8_t>(plain.begin() + 2, plain.begin() + 2 + static_cast<std::ptrdiff_t>(length));
}

std::expected<ControlMessage, AvpError> decode_avps(Bytes avps, std::string_view secret) {
  ControlMessage m;
  ByteReader r(avps);
  std::vector<std::uint8_t> vector;  // the last Random Vector seen (section 4.3)
  bool have_vector = false;
  while (r.remaining() > 0) {
    auto flags_length = r.u16();
    auto vendor = r.u16();
    auto type = r.u16();
    if (!flags_length || !vendor || !type) return std::unexpected(AvpError::kTruncated);
    std::size_t length = *flags_length & kAvpLengthMask;
    if (length < kAvpHeader) return std::unexpected(AvpError::kBadLength);
    auto value = r.bytes(length - kAvpHeader);
    if (!value) return std::unexpected(AvpError::kTruncated);
    Avp a;
    a.mandatory = (*flags_length & kAvpMandatory) != 0;
    a.hidden = (*flags_length & kAvpHidden) != 0;
    a.vendor = *vendor;
    a.type = *type;
    if ((*flags_length & kAvpReserved) != 0) {
      // Section 4.1: reserved bits set make the AVP unknown; with M the message cannot be
      // processed. Kept as an unknown vendor AVP so the caller applies the M bit rule.
      if (a.mandatory) return std::unexpected(AvpError::kReservedBits);
      continue;
    }
    if (a.hidden) {
      if (!have_vector) return std::unexpected(AvpError::kHiddenWithoutVector);
      if (secret.empty()) return std::unexpected(AvpError::kHiddenWithoutSecret);
      auto plain = reveal_value(a.type, *value, secret, vector);
      if (!plain) return std::unexpected(AvpError::kHiddenBadLength);
      a.value = std::move(*plain);
    } else {
      a.value.assign(value->begin(), value->end());
    }
    if (a.vendor == 0 && a.type == static_cast<std::uint16_t>(AvpType::kRandomVector)) {
      vector = a.value;
      have_vector = true;
    }
    m.avps.push_back(std::move(a));
  }
  if (m.avps.empty()) return m;  // a ZLB acknowledgement
  const Avp& first = m.avps.front();
  if (first.vendor != 0 || first.type != static_cast<std::uint16_t>(AvpType::kMessageType))
    return std::unexpected(AvpError::kFirstNotMessageType);
  auto t = first.u16();
  if (!t || first.hidden) return std::unexpected(AvpError::kBadMessageType);
  m.raw_type = *t;
  if (known_message_type(*t)) m.type = static_cast<MessageType>(*t);
  return m;
}

void AvpWriter::header(bool mandatory, bool hidden, std::size_t value_size, AvpType t) {
  std::size_t length = kAvpHeader + std::min(value_size, kMaxAvpValue);
  w_.u16(static_cast<std::uint16_t>((mandatory ? kAvpMandatory : 0) | (hidden ? kAvpHidden : 0) | length));
  w_.u16(0);  // IETF
  w_.u16(static_cast<std::uint16_t>(t));
}

void AvpWriter::u16(AvpType t, std::uint16_t v, bool mandatory) {
  header(mandatory, false, 2, t);
  w_.u16(v);
}

void AvpWriter::u32(AvpType t, std::uint32_t v, bool mandatory) {
  header(mandatory, false, 4, t);
  w_.u32(v);
}

void AvpWriter::u64(AvpType t, std::uint64_t v, bool mandatory) {
  header(mandatory, false, 8, t);
  w_.u32(static_cast<std::uint32_t>(v >> 32));
  w_.u32(static_cast<std::uint32_t>(v));
}

void AvpWriter::bytes(AvpType t, Bytes v, bool mandatory) {
  v = v.first(std::min(v.size(), kMaxAvpValue));
  header(mandatory, false, v.size(), t);
  w_.bytes(v);
}

void AvpWriter::vendor_bytes(std::uint16_t vendor, std::uint16_t type, Bytes v) {
  v = v.first(std::min(v.size(), kMaxAvpValue));
  w_.u16(static_cast<std::uint16_t>(kAvpHeader + v.size()));
  w_.u16(vendor);
  w_.u16(type);
  w_.bytes(v);
}

void AvpWriter::result_code(std::uint16_t result, std::uint16_t error, std::string_view message) {
  message = message.substr(0, kMaxAvpValue - 4);
  header(true, false, 4 + message.size(), AvpType::kResultCode);
  w_.u16(result);
  w_.u16(error);
  w_.text(message);
}

void AvpWriter::hidden(AvpType t, Bytes v, std::string_view secret, Bytes vector, bool mandatory) {
  v = v.first(std::min(v.size(), kMaxAvpValue - 2));
  auto cipher = hide_value(static_cast<std::uint16_t>(t), v, secret, vector);
  header(mandatory, true, cipher.size(), t);
  w_.bytes(cipher);
}

std::array<std::uint8_t, 16> challenge_response(MessageType in_message, std::string_view secret, Bytes challenge) {
  return ppp::chap::md5_response(static_cast<std::uint8_t>(in_message), secret, challenge);
}

}  // namespace pppoe::l2tp
