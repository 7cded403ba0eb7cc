// Rate limits as RADIUS servers and DAE clients write them (radius/policy_attributes.hpp):
// Filter-Id, Mikrotik-Rate-Limit, Cisco-AVPair, and our own DOWN/UP form. Any text: a result
// or an error, never a crash; an accepted rate is within 8 kbit/s .. 4 Tbit/s.
#include <cstdint>
#include <string_view>

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
  return 0;
}
