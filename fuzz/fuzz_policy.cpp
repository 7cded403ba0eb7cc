// Rate limits as RADIUS servers and DAE clients write them (radius/policy_attributes.hpp):
// Filter-Id, Mikrotik-Rate-Limit, Cisco-AVPair, and our own DOWN/UP form. Any text: a result
// or an error, never a crash; an accepted rate is within 8 kbit/s .. 4 Tbit/s. Then filter
// rules: the text split into words as a config line, and the same bytes as a packet for
// every rule parsed so far; Framed-Route, Framed-IPv6-Route and ppp.secret route= lists.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/filter.hpp"
#include "policy/framed_route.hpp"
#include "policy/rate.hpp"

using namespace pppoe;

namespace {
void check(const std::optional<policy::Rate>& r) {
  if (r && (r->kbps < 8 || r->kbps > 4'000'000'000u)) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto k = policy::parse_kbps(text, 1); k && *k < 8) __builtin_trap();
  if (auto r = policy::parse_down_up(text)) {
    check(r->down);
    check(r->up);
    (void)policy::to_string(*r);
  }
  if (auto r = policy::parse_filter_id_rate(text)) check(r->down);
  if (auto r = policy::parse_mikrotik_rate_limit(text)) {
    check(r->down);
    check(r->up);
  }
  if (auto c = policy::parse_cisco_avpair(text); c && c->kind == policy::CiscoPolicy::Kind::kRate) check(c->rate);
  (void)policy::parse_framed_route(text);
  (void)policy::parse_framed_ipv6_route(text);
  if (auto routes = policy::parse_route_list(text); routes && (routes->v4.size() > policy::kMaxRoutes4 || routes->v6.size() > policy::kMaxRoutes6))
    __builtin_trap();
  std::vector<std::string> words;
  std::string word;
  for (char ch : text.substr(0, 256)) {
    if (ch == ' ') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += ch;
    }
  }
  if (!word.empty()) words.push_back(word);
  static policy::FilterList list{"fuzz", policy::filter_id("fuzz"), {}};
  if (auto r = policy::parse_filter_rule(words); r && list.rules.size() < policy::kMaxFilterRules) list.rules.push_back(*r);
  int k = policy::match(list, Bytes(data, size), size % 2 == 0);
  if (k >= static_cast<int>(list.rules.size())) __builtin_trap();
  return 0;
}
