#include "proto/ppp/pap.hpp"

#include "proto/ppp/cp_packet.hpp"

namespace pppoe::ppp::pap {

const char* to_string(Error e) {
  switch (e) {
    case Error::kTruncated: return "pap_truncated";
    case Error::kBadLength: return "pap_bad_length";
    case Error::kBadCode: return "pap_bad_code";
    case Error::kFieldTooLong: return "pap_field_too_long";
  }
  return "?";
}

namespace {
std::expected<CpPacket, Error> frame(Bytes packet) {
  auto p = decode_cp(packet);
  if (!p) return std::unexpected(p.error() == CpError::kTruncated ? Error::kTruncated : Error::kBadLength);
  return *p;
}
std::optional<std::string> counted(ByteReader& r) {
  auto n = r.u8();
  if (!n) return std::nullopt;
  auto v = r.bytes(*n);
  if (!v) return std::nullopt;
  return std::string(as_text(*v));
}
}  // namespace

std::expected<Request, Error> decode_request(Bytes packet) {
  auto p = frame(packet);
  if (!p) return std::unexpected(p.error());
  if (p->code != static_cast<std::uint8_t>(Code::kRequest)) return std::unexpected(Error::kBadCode);
  ByteReader r(p->data);
  auto peer = counted(r);
  auto pass = counted(r);
  if (!peer || !pass) return std::unexpected(Error::kTruncated);
  return Request{p->id, std::move(*peer), std::move(*pass)};
}

std::expected<Reply, Error> decode_reply(Bytes packet) {
  auto p = frame(packet);
  if (!p) return std::unexpected(p.error());
  if (p->code != static_cast<std::uint8_t>(Code::kAck) && p->code != static_cast<std::uint8_t>(Code::kNak))
    return std::unexpected(Error::kBadCode);
  ByteReader r(p->data);
  // Some peers omit the message entirely; accept an empty data field.
  std::string msg;
  if (!r.empty()) {
    auto m = counted(r);
    if (!m) return std::unexpected(Error::kTruncated);
    msg = std::move(*m);
  }
  return Reply{static_cast<Code>(p->code), p->id, std::move(msg)};
}

std::size_t encode_request(MutableBytes out, std::uint8_t id, std::string_view peer_id, std::string_view password) {
  if (peer_id.size() > 255 || password.size() > 255) return 0;
  std::uint8_t data[512];
  ByteWriter w(data);
  w.u8(static_cast<std::uint8_t>(peer_id.size()));
  w.text(peer_id);
  w.u8(static_cast<std::uint8_t>(password.size()));
  w.text(password);
  return encode_cp(out, static_cast<std::uint8_t>(Code::kRequest), id, w.written());
}

std::size_t encode_reply(MutableBytes out, Code code, std::uint8_t id, std::string_view message) {
  if (message.size() > 255) return 0;
  std::uint8_t data[256];
  ByteWriter w(data);
  w.u8(static_cast<std::uint8_t>(message.size()));
  w.text(message);
  return encode_cp(out, static_cast<std::uint8_t>(code), id, w.written());
}

}  // namespace pppoe::ppp::pap
