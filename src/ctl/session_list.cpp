#include "ctl/session_list.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>

#include "common/ipv4.hpp"
#include "common/join.hpp"

namespace pppoe::ctl {

namespace {

std::string text(const Json& s, const char* key) {
  auto it = s.find(key);
  return it != s.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::uint64_t number(const Json& s, const char* key) {
  auto it = s.find(key);
  return it != s.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}
std::int64_t uptime_s(const Json& s, std::int64_t now_ms) {
  auto it = s.find("up_unix_ms");
  if (it == s.end() || !it->is_number() || it->get<std::int64_t>() <= 0) return -1;
  return (now_ms - it->get<std::int64_t>()) / 1000;
}
bool l2tp(const Json& s) { return s.contains("l2tp") && s["l2tp"].is_object(); }

struct Column {
  const char* name;
  const char* title;
  int width;  ///< negative: left-aligned
  std::function<std::string(const Json&, std::int64_t now_ms)> cell;
  /// For `order`: a number to sort by (else the cell's text).
  std::function<std::int64_t(const Json&, std::int64_t now_ms)> key;
};

const std::vector<Column>& columns() {
  static const std::vector<Column> kColumns = {
      {"id", "ID", 6, [](const Json& s, std::int64_t) { return std::to_string(number(s, "session_id")); },
       [](const Json& s, std::int64_t) { return static_cast<std::int64_t>(number(s, "session_id")); }},
      {"worker", "WORKER", 6, [](const Json& s, std::int64_t) { return std::to_string(s.value("worker", 0)); },
       [](const Json& s, std::int64_t) { return static_cast<std::int64_t>(s.value("worker", 0)); }},
      {"mac", "MAC", -17,
       [](const Json& s, std::int64_t) {
         std::string m = text(s, "mac");
         return m == "00:00:00:00:00:00" ? std::string("-") : m;
       },
       nullptr},
      {"vlan", "VLAN", -7,
       [](const Json& s, std::int64_t) {
         std::string vlans;
         if (s.contains("vlans") && s["vlans"].is_array())
           for (const auto& v : s["vlans"]) append_joined(vlans, ".", std::to_string(v.get<int>()));
         return vlans.empty() ? std::string("-") : vlans;
       },
       nullptr},
      {"ip", "IP", -15,
       [](const Json& s, std::int64_t) {
         std::string ip = text(s, "ip");
         return ip.empty() && l2tp(s) ? std::string("(LNS)") : ip;
       },
       [](const Json& s, std::int64_t) {
         auto a = Ipv4Address::parse(text(s, "ip"));
         return a ? static_cast<std::int64_t>(a->value) : std::int64_t{-1};
       }},
      {"ipv6", "IPV6", -24,
       [](const Json& s, std::int64_t) {
         std::string p = text(s, "ipv6_prefix");
         return p.empty() ? std::string("-") : p;
       },
       nullptr},
      {"user", "USER", -16, [](const Json& s, std::int64_t) { return text(s, "user"); }, nullptr},
      {"state", "STATE", -11, [](const Json& s, std::int64_t) { return text(s, "state"); }, nullptr},
      {"rx-bytes", "RX BYTES", 12, [](const Json& s, std::int64_t) { return std::to_string(number(s, "rx_bytes")); },
       [](const Json& s, std::int64_t) { return static_cast<std::int64_t>(number(s, "rx_bytes")); }},
      {"tx-bytes", "TX BYTES", 12, [](const Json& s, std::int64_t) { return std::to_string(number(s, "tx_bytes")); },
       [](const Json& s, std::int64_t) { return static_cast<std::int64_t>(number(s, "tx_bytes")); }},
      {"uptime", "UPTIME", 8,
       [](const Json& s, std::int64_t now_ms) {
         std::int64_t up = uptime_s(s, now_ms);
         return up >= 0 ? human_uptime(up) : std::string("-");
       },
       [](const Json& s, std::int64_t now_ms) { return uptime_s(s, now_ms); }},
      {"tunid", "TUNID", 6,
       [](const Json& s, std::int64_t) { return l2tp(s) ? std::to_string(s["l2tp"].value("tunnel_id", 0)) : "-"; },
       nullptr},
      {"sessid", "SESSID", 6,
       [](const Json& s, std::int64_t) { return l2tp(s) ? std::to_string(s["l2tp"].value("session_id", 0)) : "-"; },
       nullptr},
  };
  return kColumns;
}

/// accel-cmd's names for the same columns.
std::string canonical(std::string name) {
  if (name == "sid") return "id";
  if (name == "username") return "user";
  if (name == "calling-sid") return "mac";
  if (name == "rx-bytes-raw") return "rx-bytes";
  if (name == "tx-bytes-raw") return "tx-bytes";
  return name;
}

const Column* find_column(const std::string& name) {
  for (const auto& c : columns())
    if (canonical(name) == c.name) return &c;
  return nullptr;
}

std::string cell(const std::string& value, int width) {
  return width < 0 ? fmt::format("{:<{}}", value, -width) : fmt::format("{:>{}}", value, width);
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    auto comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::string human_uptime(std::int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m", seconds / 60);
  return fmt::format("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60);
}

std::string session_columns_help() {
  std::string names;
  for (const auto& c : columns()) append_joined(names, ",", c.name);
  return names;
}

std::expected<SessionListQuery, std::string> parse_session_list(const std::vector<std::string>& args) {
  SessionListQuery q;
  for (const auto& c : columns()) q.columns.push_back(c.name);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    auto value = [&]() -> std::expected<std::string, std::string> {
      if (i + 1 >= args.size()) return std::unexpected(fmt::format("'{}' needs a value", word));
      return args[++i];
    };
    if (word == "match") {
      if (i + 2 >= args.size()) return std::unexpected("match FIELD PATTERN (user, mac, ip, state, vlan, worker)");
      std::string field = canonical(args[i + 1]);
      std::string pattern = args[i + 2];
      i += 2;
      if (field == "vlan" || field == "worker") {
        unsigned n = 0;
        auto [p, ec] = std::from_chars(pattern.data(), pattern.data() + pattern.size(), n);
        if (ec != std::errc{} || p != pattern.data() + pattern.size())
          return std::unexpected(fmt::format("match {} expects a number, found '{}'", field, pattern));
        q.match[field] = n;
      } else if (field == "user" || field == "mac" || field == "ip" || field == "state") {
        q.match[field] = pattern;
      } else {
        return std::unexpected(fmt::format("cannot match on '{}' (user, mac, ip, state, vlan, worker)", args[i - 1]));
      }
    } else if (word == "order") {
      auto v = value();
      if (!v) return std::unexpected(v.error());
      if (find_column(*v) == nullptr)
        return std::unexpected(fmt::format("no column '{}' (columns: {})", *v, session_columns_help()));
      q.order = find_column(*v)->name;
      if (i + 1 < args.size() && (args[i + 1] == "desc" || args[i + 1] == "asc")) q.descending = args[++i] == "desc";
    } else if (word == "limit") {
      auto v = value();
      if (!v) return std::unexpected(v.error());
      auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), q.limit);
      if (ec != std::errc{} || p != v->data() + v->size() || q.limit == 0)
        return std::unexpected(fmt::format("limit expects a number above 0, found '{}'", *v));
    } else if (word == "columns") {
      auto v = value();
      if (!v) return std::unexpected(v.error());
      q.columns.clear();
      for (const auto& name : split(*v)) {
        const Column* c = find_column(name);
        if (c == nullptr) return std::unexpected(fmt::format("no column '{}' (columns: {})", name, session_columns_help()));
        q.columns.push_back(c->name);
      }
      if (q.columns.empty()) return std::unexpected("columns expects a list such as id,user,ip");
    } else {
      return std::unexpected(fmt::format("unexpected '{}': show sessions [match FIELD PATTERN]... [order COLUMN [desc]] "
                                         "[limit N] [columns A,B,...]",
                                         word));
    }
  }
  return q;
}

std::string session_table_header(const std::vector<std::string>& names) {
  std::string line;
  for (const auto& n : names)
    if (const Column* c = find_column(n)) append_joined(line, " ", cell(c->title, c->width));
  return line;
}

std::string session_table_row(const Json& session, const std::vector<std::string>& names, std::int64_t now_ms) {
  std::string line;
  for (const auto& n : names)
    if (const Column* c = find_column(n)) append_joined(line, " ", cell(c->cell(session, now_ms), c->width));
  return line;
}

void order_sessions(std::vector<Json>& sessions, const SessionListQuery& query, std::int64_t now_ms) {
  if (const Column* c = query.order.empty() ? nullptr : find_column(query.order)) {
    auto less = [&](const Json& a, const Json& b) {
      if (c->key) return c->key(a, now_ms) < c->key(b, now_ms);
      return c->cell(a, now_ms) < c->cell(b, now_ms);
    };
    if (query.descending)
      std::stable_sort(sessions.begin(), sessions.end(), [&](const Json& a, const Json& b) { return less(b, a); });
    else
      std::stable_sort(sessions.begin(), sessions.end(), less);
  }
  if (query.limit != 0 && sessions.size() > query.limit) sessions.resize(query.limit);
}

}  // namespace pppoe::ctl
