#include "radius/policy_attributes.hpp"

#include <fmt/format.h>

#include "common/bytes.hpp"
#include "radius/dictionary.hpp"

namespace pppoe::radius {

namespace {

std::string_view as_text(Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

/// A printable rendering for error messages (RADIUS text is untrusted: no control characters).
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

std::optional<std::uint32_t> u32_of(Bytes b) {
  if (b.size() != 4) return std::nullopt;
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

}  // namespace

std::expected<RadiusPolicy, std::string> policy_attributes(const PacketView& p) {
  RadiusPolicy out;
  auto set = [&](std::optional<policy::Rate>& dir, const std::optional<policy::Rate>& v) {
    if (v) dir = v;
  };
  for (const auto& a : p.attributes) {
    if (a.type != static_cast<std::uint8_t>(Attr::kFilterId)) continue;
    std::string_view text = as_text(a.value);
    if (auto r = policy::parse_filter_id_rate(text)) {
      set(out.rate.down, r->down);
      set(out.rate.up, r->up);
    } else if (!text.empty() && text.size() <= 31 && text.find_first_of(" \t") == std::string_view::npos) {
      out.filter = std::string(text);
    } else {
      return std::unexpected(fmt::format("Filter-Id '{}' is neither a rate (DOWN[/UP] kbit/s) nor a filter name", printable(text)));
    }
  }
  auto wispr = [&](std::uint8_t type, std::optional<policy::Rate>& dir, const char* name) -> std::expected<void, std::string> {
    auto v = p.vendor(kVendorWispr, type);
    if (!v) return {};
    auto bps = u32_of(*v);
    if (!bps || *bps < 8000) return std::unexpected(fmt::format("{} must be a rate of 8000 bit/s or more", name));
    dir = policy::Rate{*bps / 1000, 0};
    return {};
  };
  if (auto r = wispr(kWisprBandwidthMaxDown, out.rate.down, "WISPr-Bandwidth-Max-Down"); !r) return std::unexpected(r.error());
  if (auto r = wispr(kWisprBandwidthMaxUp, out.rate.up, "WISPr-Bandwidth-Max-Up"); !r) return std::unexpected(r.error());
  if (auto v = p.vendor(kVendorMikrotik, kMikrotikRateLimit)) {
    auto r = policy::parse_mikrotik_rate_limit(as_text(*v));
    if (!r) return std::unexpected(fmt::format("Mikrotik-Rate-Limit: {}", r.error()));
    set(out.rate.down, r->down);
    set(out.rate.up, r->up);
  }
  for (Bytes v : p.vendor_all(kVendorCisco, kCiscoAvPair)) {
    auto c = policy::parse_cisco_avpair(as_text(v));
    if (!c) return std::unexpected(fmt::format("Cisco-AVPair {}", printable(c.error())));
    using Kind = policy::CiscoPolicy::Kind;
    if (c->kind == Kind::kRate) (c->upstream ? out.rate.up : out.rate.down) = c->rate;
    if (c->kind == Kind::kNamed) (c->upstream ? out.qos_up : out.qos_down) = c->name;
  }
  return out;
}

bool is_policy_attribute(const Attribute& a) {
  if (a.type == static_cast<std::uint8_t>(Attr::kFilterId)) return true;
  if (a.type != static_cast<std::uint8_t>(Attr::kVendorSpecific) || a.value.size() < 6) return false;
  std::uint32_t vendor = *u32_of(a.value.first(4));
  std::uint8_t type = a.value[4];
  return (vendor == kVendorCisco && type == kCiscoAvPair) || (vendor == kVendorMikrotik && type == kMikrotikRateLimit) ||
         (vendor == kVendorWispr && (type == kWisprBandwidthMaxUp || type == kWisprBandwidthMaxDown));
}

}  // namespace pppoe::radius
