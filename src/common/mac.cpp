#include "common/mac.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace pppoe {

std::string MacAddress::to_string() const {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", octets[0], octets[1], octets[2],
                     octets[3], octets[4], octets[5]);
}

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
  MacAddress mac;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    if (i > 0) {
      if (pos >= text.size() || text[pos] != ':') return std::nullopt;
      ++pos;
    }
    if (pos + 2 > text.size()) return std::nullopt;
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + pos + 2, v, 16);
    if (ec != std::errc{} || ptr != text.data() + pos + 2) return std::nullopt;
    mac.octets[i] = static_cast<std::uint8_t>(v);
    pos += 2;
  }
  if (pos != text.size()) return std::nullopt;
  return mac;
}

MacAddress MacAddress::from_bytes(Bytes b6) {
  MacAddress mac;
  std::copy_n(b6.begin(), std::min<std::size_t>(6, b6.size()), mac.octets.begin());
  return mac;
}

MacAddress MacAddress::local_admin(std::uint32_t prefix, std::uint32_t index) {
  return {{0x02, static_cast<std::uint8_t>(prefix), static_cast<std::uint8_t>(index >> 24),
           static_cast<std::uint8_t>(index >> 16), static_cast<std::uint8_t>(index >> 8),
           static_cast<std::uint8_t>(index)}};
}

}  // namespace pppoe
