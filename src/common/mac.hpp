// Ethernet MAC address as a value type.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"

namespace pppoe {

struct MacAddress {
  std::array<std::uint8_t, 6> octets{};

  static constexpr MacAddress broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  [[nodiscard]] bool is_broadcast() const { return *this == broadcast(); }
  [[nodiscard]] bool is_multicast() const { return (octets[0] & 0x01) != 0; }
  [[nodiscard]] bool is_zero() const { return *this == MacAddress{}; }
  [[nodiscard]] std::uint64_t as_u64() const {
    std::uint64_t v = 0;
    for (auto o : octets) v = (v << 8) | o;
    return v;
  }
  [[nodiscard]] Bytes bytes() const { return Bytes(octets.data(), octets.size()); }
  [[nodiscard]] std::string to_string() const;
  static std::optional<MacAddress> parse(std::string_view text);
  static MacAddress from_bytes(Bytes b6);
  /// A locally administered unicast address (bit 1 of the first octet set): the
  /// addresses pppoetest gives its emulated subscribers.
  static MacAddress local_admin(std::uint32_t prefix, std::uint32_t index);

  friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

}  // namespace pppoe
