// MS-CHAPv2 (RFC 2759) computations: NT-Response (section 8.1) and the authenticator
// response (section 8.7), checked against the test vectors of section 9.2.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.hpp"

namespace pppoe::ppp::mschapv2 {

using Challenge16 = std::array<std::uint8_t, 16>;
using NtResponse = std::array<std::uint8_t, 24>;

/// Response Value layout (section 4): Peer-Challenge[16] Reserved[8] NT-Response[24] Flags[1].
inline constexpr std::size_t kResponseSize = 49;

std::array<std::uint8_t, 16> nt_password_hash(std::string_view password);
std::array<std::uint8_t, 8> challenge_hash(const Challenge16& peer, const Challenge16& authenticator,
                                           std::string_view username);
NtResponse challenge_response(const std::array<std::uint8_t, 8>& challenge,
                              const std::array<std::uint8_t, 16>& password_hash);
NtResponse generate_nt_response(const Challenge16& authenticator, const Challenge16& peer,
                                std::string_view username, std::string_view password);
/// "S=" followed by 40 upper-case hex digits.
std::string authenticator_response(std::string_view password, const NtResponse& nt_response,
                                   const Challenge16& peer, const Challenge16& authenticator,
                                   std::string_view username);

/// Builds the 49-byte Response Value.
std::array<std::uint8_t, kResponseSize> build_response_value(const Challenge16& peer, const NtResponse& nt);

/// RFC 2759 section 4: the user name in the response may carry a "DOMAIN\" prefix that is
/// not part of the challenge hash input.
std::string_view strip_domain(std::string_view username);

}  // namespace pppoe::ppp::mschapv2
