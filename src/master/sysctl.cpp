#include "master/sysctl.hpp"

#include <fmt/format.h>

#include <charconv>

#include "common/lines.hpp"

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
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  };
  std::vector<std::pair<std::string, std::string>> out;
  auto r = for_each_line(text, [&](std::string_view line, unsigned line_no) -> std::expected<void, std::string> {
    if (auto hash = line.find_first_of("#;"); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) return {};
    auto eq = line.find('=');
    auto name = eq == std::string_view::npos ? std::string_view{} : trim(line.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string_view{} : trim(line.substr(eq + 1));
    if (name.empty() || value.empty())
      return std::unexpected(fmt::format("{}:{}: expected name=value, found '{}'", origin, line_no, line));
    out.emplace_back(std::string(name), std::string(value));
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace pppoe::master
