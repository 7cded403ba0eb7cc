#include "policy/filter.hpp"

#include <fmt/format.h>

#include "common/decimal.hpp"


#include "common/ipv4.hpp"
#include "common/ipv6.hpp"

namespace pppoe::policy {

namespace {

std::optional<AddressMatch> address_match(std::string_view text) {
  AddressMatch m;
  std::string_view addr = text.substr(0, text.find('/'));
  if (auto a4 = Ipv4Address::parse(addr)) {
    m.family = 4;
    m.length = 32;
    for (int i = 0; i < 4; ++i) m.address[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(a4->value >> (24 - 8 * i));
  } else if (auto a6 = parse_ipv6(addr)) {
    m.family = 6;
    m.length = 128;
    m.address = *a6;
  } else {
    return std::nullopt;
  }
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    auto len = parse_decimal(text.substr(slash + 1), m.length);
    if (!len) return std::nullopt;
    m.length = static_cast<std::uint8_t>(*len);
  }
  return m;
}

std::optional<std::pair<std::uint16_t, std::uint16_t>> port_range(std::string_view text) {
  auto dash = text.find('-');
  auto lo = parse_decimal(text.substr(0, dash), 65535);
  auto hi = dash == std::string_view::npos ? lo : parse_decimal(text.substr(dash + 1), 65535);
  if (!lo || !hi || *lo > *hi) return std::nullopt;
  return std::pair{static_cast<std::uint16_t>(*lo), static_cast<std::uint16_t>(*hi)};
}

bool prefix_matches(const AddressMatch& m, const std::uint8_t* address) {
  std::size_t full = m.length / 8;
  for (std::size_t i = 0; i < full; ++i)
    if (address[i] != m.address[i]) return false;
  if (unsigned rest = m.length % 8; rest != 0) {
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    if ((address[full] & mask) != (m.address[full] & mask)) return false;
  }
  return true;
}

/// What rules look at, read once per packet.
struct Header {
  std::uint8_t family = 0;
  int protocol = -1;
  const std::uint8_t* src = nullptr;
  const std::uint8_t* dst = nullptr;
  bool has_ports = false;
  std::uint16_t sport = 0, dport = 0;
};

std::optional<Header> header_of(Bytes p) {
  Header h;
  std::size_t l4 = 0;
  if (p.size() >= 20 && (p[0] >> 4) == 4) {
    std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
    if (ihl < 20 || p.size() < ihl) return std::nullopt;
    h.family = 4;
    h.protocol = p[9];
    h.src = &p[12];
    h.dst = &p[16];
    bool later_fragment = ((p[6] & 0x1f) | p[7]) != 0;
    l4 = later_fragment ? 0 : ihl;
  } else if (p.size() >= 40 && (p[0] >> 4) == 6) {
    h.family = 6;
    h.protocol = p[6];  // the first next header: extension headers are not walked
    h.src = &p[8];
    h.dst = &p[24];
    l4 = 40;
  } else {
    return std::nullopt;
  }
  if (l4 != 0 && (h.protocol == 6 || h.protocol == 17) && p.size() >= l4 + 4) {
    h.has_ports = true;
    h.sport = static_cast<std::uint16_t>((p[l4] << 8) | p[l4 + 1]);
    h.dport = static_cast<std::uint16_t>((p[l4 + 2] << 8) | p[l4 + 3]);
  }
  return h;
}

bool rule_matches(const FilterRule& r, const Header& h) {
  if (r.protocol >= 0 && r.protocol != h.protocol) return false;
  for (const auto* m : {&r.from, &r.to}) {
    if (m->family == 0) continue;
    if (m->family != h.family || !prefix_matches(*m, m == &r.from ? h.src : h.dst)) return false;
  }
  if (r.ports) {
    if (!h.has_ports) return false;
    if (h.sport < r.sport_min || h.sport > r.sport_max || h.dport < r.dport_min || h.dport > r.dport_max) return false;
  }
  return true;
}

}  // namespace

std::uint32_t filter_id(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<std::uint8_t>(c)) * 16777619u;
  return h == 0 ? 1 : h;
}

std::expected<FilterRule, std::string> parse_filter_rule(const std::vector<std::string>& w) {
  FilterRule r;
  std::size_t i = 0;
  auto fail = [&](std::string what) {
    return std::unexpected(fmt::format("filter rule: {} (expected allow|deny [in|out] [tcp|udp|icmp|icmpv6|ip|NUMBER] "
                                       "[from ADDR[/LEN]] [to ADDR[/LEN]] [sport P[-Q]] [dport P[-Q]])",
                                       what));
  };
  if (w.empty() || (w[0] != "allow" && w[0] != "deny")) return fail("an action first");
  r.allow = w[i++] == "allow";
  if (i < w.size() && (w[i] == "in" || w[i] == "out")) {
    r.upstream = w[i] == "out";
    r.downstream = w[i] == "in";
    ++i;
  }
  if (i < w.size()) {
    static const std::pair<const char*, int> kNames[] = {{"ip", -1}, {"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}};
    bool named = false;
    for (auto [n, p] : kNames)
      if (w[i] == n) {
        r.protocol = p;
        named = true;
      }
    if (!named)
      if (auto n = parse_decimal(w[i], 255)) {
        r.protocol = static_cast<int>(*n);
        named = true;
      }
    if (named) ++i;
  }
  while (i < w.size()) {
    const std::string& key = w[i];
    if (i + 1 >= w.size()) return fail(fmt::format("'{}' without its value", key));
    const std::string& value = w[i + 1];
    if (key == "from" || key == "to") {
      auto m = address_match(value);
      if (!m) return fail(fmt::format("'{}' is not an address or prefix", value));
      (key == "from" ? r.from : r.to) = *m;
    } else if (key == "sport" || key == "dport") {
      auto range = port_range(value);
      if (!range) return fail(fmt::format("'{}' is not a port or range", value));
      (key == "sport" ? r.sport_min : r.dport_min) = range->first;
      (key == "sport" ? r.sport_max : r.dport_max) = range->second;
      r.ports = true;
    } else {
      return fail(fmt::format("unknown word '{}'", key));
    }
    i += 2;
  }
  if (r.from.family != 0 && r.to.family != 0 && r.from.family != r.to.family) return fail("addresses of two families");
  if (r.ports && r.protocol != 6 && r.protocol != 17) return fail("ports need tcp or udp");
  for (const auto& word : w) r.text += (r.text.empty() ? "" : " ") + word;
  return r;
}

int match(const FilterList& list, Bytes packet, bool upstream) {
  auto h = header_of(packet);
  if (!h) return -1;
  for (std::size_t i = 0; i < list.rules.size(); ++i) {
    const FilterRule& r = list.rules[i];
    if ((upstream ? r.upstream : r.downstream) && rule_matches(r, *h)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace pppoe::policy
