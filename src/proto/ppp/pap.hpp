// PAP (RFC 1334 section 2).
//   Authenticate-Request: Code=1 | Id | Length | Peer-ID Length | Peer-Id | Passwd-Length | Password
//   Authenticate-Ack/Nak: Code=2/3 | Id | Length | Msg-Length | Message
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "common/bytes.hpp"

namespace pppoe::ppp::pap {

enum class Code : std::uint8_t { kRequest = 1, kAck = 2, kNak = 3 };
enum class Error : std::uint8_t { kTruncated, kBadLength, kBadCode, kFieldTooLong };
const char* to_string(Error e);

struct Request {
  std::uint8_t id = 0;
  std::string peer_id;
  std::string password;
};
struct Reply {
  Code code = Code::kAck;
  std::uint8_t id = 0;
  std::string message;
};

[[nodiscard]] std::expected<Request, Error> decode_request(Bytes packet);
[[nodiscard]] std::expected<Reply, Error> decode_reply(Bytes packet);
/// Returns the size written, 0 if a field exceeds 255 bytes or `out` is too small.
std::size_t encode_request(MutableBytes out, std::uint8_t id, std::string_view peer_id, std::string_view password);
std::size_t encode_reply(MutableBytes out, Code code, std::uint8_t id, std::string_view message);

}  // namespace pppoe::ppp::pap
