// Appending an item to a separated list. Written out rather than `s += (s.empty() ? "" : ", ")
// + item`: g++ 12 at -O3 (Release builds) reports a false -Werror=restrict in the inlined
// `const char* + std::string&&`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pppoe {

inline void append_joined(std::string& list, std::string_view separator, std::string_view item) {
  if (!list.empty()) list += separator;
  list += item;
}

inline std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) append_joined(out, separator, item);
  return out;
}

}  // namespace pppoe
