// The seed's sysctl tree (net.graph.pppoe_lb.*) as a registry of named values: read one, read a
// subtree, write one. Values are produced on demand from live state; writable entries validate
// their range and say what was expected.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace pppoe::master {

class SysctlTree {
 public:
  using Getter = std::function<std::string()>;
  using Setter = std::function<std::expected<void, std::string>(long long value)>;

  void add_ro(std::string name, Getter get) { entries_.push_back({std::move(name), std::move(get), nullptr, 0, 0}); }
  void add_rw(std::string name, Getter get, Setter set, long long min, long long max) {
    entries_.push_back({std::move(name), std::move(get), std::move(set), min, max});
  }

  /// `name` exactly, or every entry below `name` (a subtree); an error if neither exists.
  std::expected<std::vector<std::pair<std::string, std::string>>, std::string> read(const std::string& name) const;
  /// Writes one entry; errors for unknown names, read-only entries, non-numbers, out-of-range.
  std::expected<void, std::string> write(const std::string& name, const std::string& value) const;

 private:
  struct Entry {
    std::string name;
    Getter get;
    Setter set;
    long long min, max;
  };
  std::vector<Entry> entries_;
};

/// Parses sysctl.conf text: `name=value` lines, '#' or ';' comments, blank lines. Errors name
/// `origin` and the line.
std::expected<std::vector<std::pair<std::string, std::string>>, std::string> parse_sysctl_lines(
    std::string_view text, std::string_view origin);

}  // namespace pppoe::master
