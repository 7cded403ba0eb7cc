// Stateless AC-Cookie (RFC 2516 section 5.2, appendix A): a keyed hash of the client's MAC
// and VLAN tags, so a PADR proves the client received our PADO and the AC keeps no state per
// PADI. The key rotates; cookies from the current and the previous period are accepted.
//
//   cookie = period (4 octets) || HMAC-SHA256(key[period], period || MAC || VLAN tags)[0..15]
#pragma once

#include <array>
#include <cstdint>

#include "common/bytes.hpp"
#include "common/mac.hpp"
#include "proto/ether.hpp"

namespace pppoe::master {

class AcCookie {
 public:
  static constexpr std::size_t kSize = 20;
  using Cookie = std::array<std::uint8_t, kSize>;

  /// `rotate_seconds`: how long one key lives.
  explicit AcCookie(std::uint32_t rotate_seconds);

  Cookie make(const MacAddress& mac, const ether::VlanStack& vlans, std::int64_t unix_seconds);
  bool verify(Bytes cookie, const MacAddress& mac, const ether::VlanStack& vlans, std::int64_t unix_seconds);

 private:
  void rotate_to(std::uint32_t period);
  std::array<std::uint8_t, 16> mac_of(std::uint32_t period, const MacAddress& mac, const ether::VlanStack& vlans) const;

  std::uint32_t rotate_seconds_;
  std::uint32_t period_ = 0;
  std::array<std::uint8_t, 32> key_{};
  std::array<std::uint8_t, 32> previous_key_{};
};

}  // namespace pppoe::master
