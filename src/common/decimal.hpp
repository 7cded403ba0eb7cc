// A decimal number from untrusted text: digits only, the whole text, at most `max`.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace pppoe {

inline std::optional<unsigned> parse_decimal(std::string_view s, unsigned max) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

}  // namespace pppoe
