// CHAP (RFC 1994 section 4) packets, shared by CHAP-MD5 and MS-CHAPv2 (RFC 2759 section 4).
//   Challenge/Response: Code=1/2 | Id | Length | Value-Size | Value | Name
//   Success/Failure:    Code=3/4 | Id | Length | Message
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe::ppp::chap {

enum class Code : std::uint8_t { kChallenge = 1, kResponse = 2, kSuccess = 3, kFailure = 4 };
enum class Error : std::uint8_t { kTruncated, kBadLength, kBadCode, kEmptyValue };
const char* to_string(Error e);

struct Message {
  Code code = Code::kChallenge;
  std::uint8_t id = 0;
  std::vector<std::uint8_t> value;  ///< Challenge and Response only
  std::string name;                 ///< Challenge/Response: Name; Success/Failure: Message
};

[[nodiscard]] std::expected<Message, Error> decode(Bytes packet);
std::size_t encode_challenge_or_response(MutableBytes out, Code code, std::uint8_t id, Bytes value,
                                         std::string_view name);
std::size_t encode_status(MutableBytes out, Code code, std::uint8_t id, std::string_view message);

/// RFC 1994 section 4.1: Response Value = MD5(Identifier || secret || Challenge Value).
std::array<std::uint8_t, 16> md5_response(std::uint8_t id, std::string_view secret, Bytes challenge);

/// Constant-time comparison for response checks.
bool equal_constant_time(Bytes a, Bytes b);

}  // namespace pppoe::ppp::chap
