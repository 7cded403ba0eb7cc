// IPv4 address value type (host byte order inside) with parsing and formatting.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pppoe {

struct Ipv4Address {
  std::uint32_t value = 0;  ///< host byte order

  [[nodiscard]] bool is_zero() const { return value == 0; }
  [[nodiscard]] std::string to_string() const;
  static std::optional<Ipv4Address> parse(std::string_view text);
  friend auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;
};

}  // namespace pppoe
