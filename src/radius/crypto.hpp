// RADIUS packet protection with the shared secret:
//
//   Access-Request authenticator      random (RFC 2865 section 3)
//   other requests (Accounting, CoA,  MD5(Code+Id+Length+16 zero octets+Attributes+Secret)
//     Disconnect)                     (RFC 2866 section 3, RFC 5176 section 3.5)
//   responses                         MD5(Code+Id+Length+RequestAuth+Attributes+Secret)
//   Message-Authenticator             HMAC-MD5(Secret, packet with the attribute zeroed and the
//                                     Authenticator field as above) (RFC 3579 section 3.2)
//   User-Password                     RFC 2865 section 5.2
//   MS-MPPE-Send/Recv-Key             RFC 2548 section 2.4.2 (salt-encrypted)
//
// Comparisons of authenticators run in constant time.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "radius/packet.hpp"

namespace pppoe::radius {

Authenticator random_authenticator();

/// Seals a request built by `b`: Access-Request keeps the authenticator already set (random);
/// every other request gets the MD5 one. Message-Authenticator is filled in if present.
MutableBytes seal_request(PacketBuilder& b, std::string_view secret);

/// Seals a response to a request whose authenticator was `request_auth`.
MutableBytes seal_response(PacketBuilder& b, const Authenticator& request_auth, std::string_view secret);

enum class Verdict : std::uint8_t {
  kOk,
  kBadAuthenticator,
  kBadMessageAuthenticator,
  kMissingMessageAuthenticator,
};
const char* to_string(Verdict v);

/// Checks a response against the request it answers.
Verdict verify_response(const PacketView& response, const Authenticator& request_auth, std::string_view secret,
                        bool require_message_authenticator);

/// Checks an Accounting-, Disconnect- or CoA-Request (MD5 authenticator, RFC 5176 section 3.5).
Verdict verify_request(const PacketView& request, std::string_view secret, bool require_message_authenticator);

/// RFC 2865 section 5.2. The password is at most 128 octets; false if longer.
bool hide_password(std::string_view password, const Authenticator& request_auth, std::string_view secret,
                   std::vector<std::uint8_t>& out);
std::optional<std::string> unhide_password(Bytes hidden, const Authenticator& request_auth, std::string_view secret);

/// RFC 2548 section 2.4.2: Salt (2 octets, high bit set) + encrypted(Key-Length + Key + padding).
/// RFC 2868 section 3.5 encrypts Tunnel-Password the same way (after its Tag octet).
std::optional<std::vector<std::uint8_t>> decrypt_mppe_key(Bytes value, const Authenticator& request_auth,
                                                          std::string_view secret);
std::vector<std::uint8_t> encrypt_mppe_key(Bytes key, std::uint16_t salt, const Authenticator& request_auth,
                                           std::string_view secret);

}  // namespace pppoe::radius
