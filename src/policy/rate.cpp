#include "policy/rate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace pppoe::policy {

namespace {

constexpr std::uint64_t kMinKbps = 8;
constexpr std::uint64_t kMaxKbps = 4'000'000'000;  // 4 Tbit/s
constexpr std::uint32_t kFullFrame = 1500;

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t at = text.find(sep, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

/// "A/B" -> (A, B); "A" -> (A, A) when `both` (our forms: one value for both directions).
std::optional<std::pair<std::string_view, std::string_view>> pair_of(std::string_view text) {
  auto parts = split(text, '/');
  if (parts.size() == 1) return std::pair{parts[0], parts[0]};
  if (parts.size() == 2) return std::pair{parts[0], parts[1]};
  return std::nullopt;
}

std::optional<RateLimit> down_up(std::string_view text, std::uint64_t bare_unit) {
  auto p = pair_of(text);
  if (!p) return std::nullopt;
  auto down = parse_kbps(p->first, bare_unit);
  auto up = parse_kbps(p->second, bare_unit);
  if (!down || !up) return std::nullopt;
  return RateLimit{Rate{*down, 0}, Rate{*up, 0}};
}

}  // namespace

std::uint32_t default_burst(std::uint32_t kbps, std::uint32_t burst_ms) {
  std::uint64_t octets = std::uint64_t{kbps} * 1000 / 8 * burst_ms / 1000;
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(octets, 10 * kFullFrame, 0xffff'ffffu));
}

std::optional<std::uint32_t> parse_kbps(std::string_view text, std::uint64_t bare_unit_bps) {
  if (text.empty() || text.size() > 24) return std::nullopt;
  std::uint64_t unit = 0;
  switch (text.back()) {
    case 'k': case 'K': unit = 1'000; break;
    case 'm': case 'M': unit = 1'000'000; break;
    case 'g': case 'G': unit = 1'000'000'000; break;
    default: break;
  }
  if (unit != 0) text.remove_suffix(1);
  else unit = bare_unit_bps;  // anything else but digits fails below
  // Whole part and up to six decimals, in fixed point: no floating-point rounding surprises.
  std::size_t dot = text.find('.');
  auto whole = parse_u64(text.substr(0, dot));
  if (!whole || *whole > kMaxKbps * 1000) return std::nullopt;
  std::uint64_t micro = 0;
  if (dot != std::string_view::npos) {
    std::string_view frac = text.substr(dot + 1);
    if (frac.empty() || frac.size() > 6 || !parse_u64(frac)) return std::nullopt;
    micro = *parse_u64(frac);
    for (std::size_t i = frac.size(); i < 6; ++i) micro *= 10;
  }
  // bit/s = (whole + micro/1e6) * unit, then kbit/s; unit <= 1e9 and whole <= 4e15 would
  // overflow 64 bits: compare in kbit/s first.
  if (*whole > kMaxKbps * 1000 / std::max<std::uint64_t>(unit, 1)) return std::nullopt;
  std::uint64_t bps = *whole * unit + micro * unit / 1'000'000;
  std::uint64_t kbps = bps / 1000;
  if (kbps < kMinKbps || kbps > kMaxKbps) return std::nullopt;
  return static_cast<std::uint32_t>(kbps);
}

std::optional<RateLimit> parse_down_up(std::string_view text) { return down_up(text, 1000); }

std::optional<RateLimit> parse_filter_id_rate(std::string_view text) {
  // Digits and at most one '/' only: "1000" or "1000/500"; anything else names a filter list.
  if (text.empty() || text.find_first_not_of("0123456789/") != std::string_view::npos) return std::nullopt;
  return down_up(text, 1000);
}

std::expected<RateLimit, std::string> parse_mikrotik_rate_limit(std::string_view text) {
  auto w = words(text);
  if (w.empty() || w.size() > 6) return std::unexpected(fmt::format("expected 'rx/tx [bursts ...]', found '{}'", text));
  auto field = [&](std::size_t i) -> std::optional<std::pair<std::string_view, std::string_view>> {
    if (i >= w.size()) return std::nullopt;
    return pair_of(w[i]);
  };
  auto rates = field(0);
  std::optional<std::uint32_t> rx, tx;
  if (rates) {
    rx = parse_kbps(rates->first, 1);
    tx = parse_kbps(rates->second, 1);
  }
  if (!rx || !tx) return std::unexpected(fmt::format("rx/tx rates '{}': expected bit/s with an optional k or M", w[0]));
  RateLimit r{Rate{*tx, 0}, Rate{*rx, 0}};
  // Bursts: threshold (field 2) x time (field 3), when both are given and the burst rate is set.
  if (w.size() >= 4) {
    auto burst_rate = field(1), threshold = field(2), time = field(3);
    if (!burst_rate || !threshold || !time)
      return std::unexpected(fmt::format("burst fields of '{}': expected rx/tx pairs", text));
    auto depth = [](std::string_view rate, std::string_view thr, std::string_view secs) -> std::optional<std::uint32_t> {
      if (rate == "0" || thr == "0" || secs == "0") return 0;  // no burst this way
      auto t = parse_kbps(thr, 1);
      auto s = parse_u64(secs);
      if (!parse_kbps(rate, 1) || !t || !s || *s > 3600) return std::nullopt;
      return static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{*t} * 1000 / 8 * *s, 0xffff'ffffu));
    };
    auto rx_depth = depth(burst_rate->first, threshold->first, time->first);
    auto tx_depth = depth(burst_rate->second, threshold->second, time->second);
    if (!rx_depth || !tx_depth) return std::unexpected(fmt::format("bursts of '{}': expected rates and whole seconds", text));
    r.up->burst = *rx_depth;
    r.down->burst = *tx_depth;
  } else if (w.size() > 1) {
    return std::unexpected(fmt::format("'{}': a burst needs rate, threshold and time", text));
  }
  // Priority (field 4) and minimum rates (field 5) have no meaning for a per-session limit:
  // accepted so that common profiles apply, and ignored.
  if (w.size() >= 5 && !parse_u64(w[4])) return std::unexpected(fmt::format("priority '{}': expected 1..8", w[4]));
  if (w.size() == 6 && !field(5)) return std::unexpected(fmt::format("minimum rates '{}': expected rx/tx", w[5]));
  return r;
}

std::expected<CiscoPolicy, std::string> parse_cisco_avpair(std::string_view text) {
  CiscoPolicy p;
  std::string_view key, value = text;
  if (auto eq = text.find('='); eq != std::string_view::npos) {
    key = text.substr(0, eq);
    value = text.substr(eq + 1);
  }
  // The attribute name after an optional "protocol:" and before an optional "#N".
  std::string_view name = key.substr(key.find(':') == std::string_view::npos ? 0 : key.find(':') + 1);
  name = name.substr(0, name.find('#'));
  if (name == "sub-qos-policy-in" || name == "sub-qos-policy-out") {
    if (value.empty() || value.size() > 31 || value.find_first_of(" \t") != std::string_view::npos)
      return std::unexpected(fmt::format("'{}': expected a policy name", text));
    p.kind = CiscoPolicy::Kind::kNamed;
    p.upstream = name == "sub-qos-policy-in";
    p.name = std::string(value);
    return p;
  }
  auto w = words(value);
  if (w.empty() || w[0] != "rate-limit") return p;  // not about rates
  // rate-limit {input|output} BPS NORMAL-BURST [MAX-BURST] [conform-action A exceed-action B]
  if (w.size() < 4 || (w[1] != "input" && w[1] != "output"))
    return std::unexpected(fmt::format("'{}': expected rate-limit input|output BPS NORMAL-BURST [MAX-BURST] ...", text));
  auto bps = parse_u64(w[2]);
  auto normal = parse_u64(w[3]);
  std::size_t i = 4;
  std::optional<std::uint64_t> max_burst;
  if (i < w.size() && (max_burst = parse_u64(w[i]))) ++i;
  if (!bps || !normal || *bps < kMinKbps * 1000 || *bps / 1000 > kMaxKbps || *normal > 0xffff'ffffu ||
      (max_burst && *max_burst > 0xffff'ffffu))
    return std::unexpected(fmt::format("'{}': rate in bit/s (8000 or more) and bursts in octets expected", text));
  for (; i + 1 < w.size(); i += 2) {
    bool ok = (w[i] == "conform-action" && (w[i + 1] == "transmit" || w[i + 1] == "continue")) ||
              (w[i] == "exceed-action" && w[i + 1] == "drop");
    if (!ok) return std::unexpected(fmt::format("'{}': only conform-action transmit and exceed-action drop apply", text));
  }
  if (i != w.size()) return std::unexpected(fmt::format("'{}': an action without its value", text));
  p.kind = CiscoPolicy::Kind::kRate;
  p.upstream = w[1] == "input";
  p.rate = Rate{static_cast<std::uint32_t>(*bps / 1000), static_cast<std::uint32_t>(max_burst.value_or(*normal))};
  return p;
}

std::string to_string(std::uint32_t kbps) {
  if (kbps % 1'000'000 == 0) return fmt::format("{}G", kbps / 1'000'000);
  if (kbps % 1'000 == 0) return fmt::format("{}M", kbps / 1'000);
  return fmt::format("{}k", kbps);
}

std::string to_string(const RateLimit& r) {
  auto one = [](const std::optional<Rate>& x) { return x ? to_string(x->kbps) : std::string("-"); };
  return one(r.down) + "/" + one(r.up);
}

}  // namespace pppoe::policy
