// What the authenticator side asks of the AAA backend. Local ppp.secret implements it now;
// RADIUS (issue 6) will too. Results carry no secret.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "common/ipv4.hpp"
#include "proto/ppp/mschapv2.hpp"

namespace pppoe::session {

struct AuthResult {
  bool ok = false;
  std::optional<Ipv4Address> framed_ip;  ///< a fixed address for this user
  std::string mschap_success;            ///< MS-CHAPv2 "S=..." authenticator response
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual AuthResult pap(std::string_view user, std::string_view password) = 0;
  virtual AuthResult chap_md5(std::string_view user, std::uint8_t id, Bytes challenge, Bytes response) = 0;
  virtual AuthResult mschapv2(std::string_view user, const ppp::mschapv2::Challenge16& authenticator,
                              const ppp::mschapv2::Challenge16& peer,
                              const ppp::mschapv2::NtResponse& nt_response) = 0;
};

/// Address assignment for the network phase.
class AddressAssigner {
 public:
  virtual ~AddressAssigner() = default;
  /// An address for `user`: `fixed` if given and free, else one from the pool.
  virtual std::optional<Ipv4Address> assign(std::string_view user, std::optional<Ipv4Address> fixed) = 0;
};

}  // namespace pppoe::session
