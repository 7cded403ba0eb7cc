// Control-protocol packets shared by LCP, IPCP and IPv6CP (RFC 1661 section 5) and their
// option lists (section 6).
//
//   +--------+--------+--------+--------+------
//   |  Code  |   Id   |     Length      | Data ...
//   +--------+--------+--------+--------+------
#pragma once

#include <cstdint>
#include <expected>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe::ppp {

/// PPP protocol field values (RFC 1661 section 2, IANA assignments).
enum class Protocol : std::uint16_t {
  kIpv4 = 0x0021,
  kIpv6 = 0x0057,
  kIpcp = 0x8021,
  kIpv6cp = 0x8057,
  kLcp = 0xc021,
  kPap = 0xc023,
  kChap = 0xc223,
};

enum class Code : std::uint8_t {
  kConfigureRequest = 1,
  kConfigureAck = 2,
  kConfigureNak = 3,
  kConfigureReject = 4,
  kTerminateRequest = 5,
  kTerminateAck = 6,
  kCodeReject = 7,
  kProtocolReject = 8,  ///< LCP only
  kEchoRequest = 9,
  kEchoReply = 10,
  kDiscardRequest = 11,
};

enum class CpError : std::uint8_t { kTruncated, kBadLength, kBadOptionLength };
const char* to_string(CpError e);

struct CpPacket {
  std::uint8_t code = 0;
  std::uint8_t id = 0;
  Bytes data;  ///< Length - 4 bytes; padding after Length is ignored (section 5)
};

[[nodiscard]] std::expected<CpPacket, CpError> decode_cp(Bytes packet);

/// Writes Code, Id, Length and `data`; returns the size or 0 when `out` is too small.
std::size_t encode_cp(MutableBytes out, std::uint8_t code, std::uint8_t id, Bytes data);

struct Option {
  std::uint8_t type = 0;
  Bytes value;
};

/// Splits a Configure-* data field into options; an option whose Length is below 2 or runs
/// past the data makes the whole packet malformed (section 6).
[[nodiscard]] std::expected<std::vector<Option>, CpError> decode_options(Bytes data);
void encode_option(ByteWriter& w, std::uint8_t type, Bytes value);

}  // namespace pppoe::ppp
