#include "proto/ppp/cp_packet.hpp"

namespace pppoe::ppp {

const char* to_string(CpError e) {
  switch (e) {
    case CpError::kTruncated: return "cp_truncated";
    case CpError::kBadLength: return "cp_bad_length";
    case CpError::kBadOptionLength: return "cp_bad_option_length";
  }
  return "?";
}

std::expected<CpPacket, CpError> decode_cp(Bytes packet) {
  ByteReader r(packet);
  auto code = r.u8();
  auto id = r.u8();
  auto len = r.u16();
  if (!code || !id || !len) return std::unexpected(CpError::kTruncated);
  if (*len < 4 || *len > packet.size()) return std::unexpected(CpError::kBadLength);
  auto data = r.bytes(*len - 4u);
  if (!data) return std::unexpected(CpError::kBadLength);
  return CpPacket{*code, *id, *data};
}

std::size_t encode_cp(MutableBytes out, std::uint8_t code, std::uint8_t id, Bytes data) {
  ByteWriter w(out);
  w.u8(code);
  w.u8(id);
  w.u16(static_cast<std::uint16_t>(4 + data.size()));
  w.bytes(data);
  return (w.overflow() || data.size() > 0xfffb) ? 0 : w.size();
}

std::expected<std::vector<Option>, CpError> decode_options(Bytes data) {
  std::vector<Option> options;
  ByteReader r(data);
  while (!r.empty()) {
    auto type = r.u8();
    auto len = r.u8();
    if (!type || !len || *len < 2) return std::unexpected(CpError::kBadOptionLength);
    auto value = r.bytes(*len - 2u);
    if (!value) return std::unexpected(CpError::kBadOptionLength);
    options.push_back(Option{*type, *value});
  }
  return options;
}

void encode_option(ByteWriter& w, std::uint8_t type, Bytes value) {
  w.u8(type);
  w.u8(static_cast<std::uint8_t>(value.size() + 2));
  w.bytes(value);
}

}  // namespace pppoe::ppp
