#include "master/sysctl.hpp"

#include <fmt/format.h>

#include <charconv>

namespace pppoe::master {

std::expected<std::vector<std::pair<std::string, std::string>>, std::string> SysctlTree::read(
    const std::string& name) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : entries_)
    if (e.name == name || (e.name.size() > name.size() && e.name.compare(0, name.size(), name) == 0 &&
                           e.name[name.size()] == '.'))
      out.emplace_back(e.name, e.get());
  if (out.empty()) return std::unexpected(fmt::format("unknown oid '{}'", name));
  return out;
}

std::expected<void, std::string> SysctlTree::write(const std::string& name, const std::string& value) const {
  for (const auto& e : entries_) {
    if (e.name != name) continue;
    if (!e.set) return std::unexpected(fmt::format("oid '{}' is read only", name));
    long long v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc{} || p != value.data() + value.size())
      return std::unexpected(fmt::format("{}: expected an integer, found '{}'", name, value));
    if (v < e.min || v > e.max)
      return std::unexpected(fmt::format("{}: {} is out of range ({} to {})", name, v, e.min, e.max));
    if (auto r = e.set(v); !r) return std::unexpected(fmt::format("{}: {}", name, r.error()));
    return {};
  }
  return std::unexpected(fmt::format("unknown oid '{}'", name));
}

std::expected<std::vector<std::pair<std::string, std::string>>, std::string> parse_sysctl_lines(
    std::string_view text, std::string_view origin) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t start = 0;
  unsigned line_no = 0;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  };
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (auto hash = line.find_first_of("#;"); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos)
      return std::unexpected(fmt::format("{}:{}: expected name=value, found '{}'", origin, line_no, line));
    auto name = trim(line.substr(0, eq));
    auto value = trim(line.substr(eq + 1));
    if (name.empty() || value.empty())
      return std::unexpected(fmt::format("{}:{}: expected name=value, found '{}'", origin, line_no, line));
    out.emplace_back(std::string(name), std::string(value));
  }
  return out;
}

}  // namespace pppoe::master
