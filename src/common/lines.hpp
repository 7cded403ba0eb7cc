// Walks text line by line with 1-based line numbers, for the parsers of operator files
// (pppoed.conf, ppp.secret, sysctl.conf) whose errors name the line.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace pppoe {

/// Calls `fn(line, line_no)` for each line (without '\n'); stops at the first error.
template <typename Fn>
std::expected<void, std::string> for_each_line(std::string_view text, Fn&& fn) {
  unsigned line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line_no;
    if (auto r = fn(text.substr(start, end - start), line_no); !r) return r;
    start = end + 1;
  }
  return {};
}

}  // namespace pppoe
