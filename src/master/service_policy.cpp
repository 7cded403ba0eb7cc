#include "master/service_policy.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "master/config_values.hpp"

namespace pppoe::master {

policy::RateLimit ServicePolicy::with_bursts(policy::RateLimit r) const {
  if (r.down && r.down->burst == 0) r.down->burst = policy::default_burst(r.down->kbps, kShaperBurstMs);
  if (r.up && r.up->burst == 0) r.up->burst = policy::default_burst(r.up->kbps, burst_ms);
  return r;
}

std::optional<std::expected<void, std::string>> apply_policy_setting(ServicePolicy& s, const std::string& name,
                                                                     const std::vector<std::string>& v) {
  using Result = std::expected<void, std::string>;
  auto set = [&](unsigned& field, unsigned min, unsigned max) -> Result {
    if (v.size() != 1) return std::unexpected(fmt::format("'{}' expects exactly one value", name));
    auto n = number(v[0], min, max);
    if (!n) return std::unexpected(n.error());
    field = *n;
    return {};
  };
  if (name == "rate-limit") {
    auto r = v.size() == 1 ? policy::parse_down_up(v[0]) : std::nullopt;
    if (!r)
      return Result(std::unexpected(
          "'rate-limit' expects DOWN[/UP] in kbit/s or with a unit (k, M, G), 8k to 4000G, e.g. 'rate-limit 20M/5M'"));
    s.default_rate = *r;
    return Result{};
  }
  if (name == "rate-limit-burst") return set(s.burst_ms, 1, 10000);
  // The shaper's wheel spans 537 ms (worker/shaper_queue.hpp).
  if (name == "shaper-queue") return set(s.shaper_queue_ms, 1, 500);
  if (name == "qos-policy") {
    std::string usage = "'qos-policy' expects NAME RATE [BURST-OCTETS], e.g. 'qos-policy gold 100M'";
    if (v.size() < 2 || v.size() > 3 || v[0].size() > 31) return Result(std::unexpected(usage));
    auto kbps = policy::parse_kbps(v[1], 1000);
    if (!kbps) return Result(std::unexpected(fmt::format("{}: '{}' is not a rate", usage, v[1])));
    policy::Rate rate{*kbps, 0};
    if (v.size() == 3) {
      auto burst = number(v[2], 1500, 0x7fffffff);
      if (!burst) return Result(std::unexpected(fmt::format("{}: burst {}", usage, burst.error())));
      rate.burst = *burst;
    }
    if (!s.qos_policies.emplace(v[0], rate).second)
      return Result(std::unexpected(fmt::format("qos-policy '{}' defined twice", v[0])));
    return Result{};
  }
  if (name == "filter") {
    if (v.size() < 2 || v[0].size() > 31)
      return Result(std::unexpected("'filter' expects LIST allow|deny ..., e.g. 'filter residential deny out tcp dport 25'"));
    auto rule = policy::parse_filter_rule(std::vector<std::string>(v.begin() + 1, v.end()));
    if (!rule) return Result(std::unexpected(rule.error()));
    auto id = policy::filter_id(v[0]);
    auto it = std::find_if(s.filters.begin(), s.filters.end(), [&](const auto& f) { return f.id == id; });
    if (it != s.filters.end() && it->name != v[0])
      return Result(std::unexpected(fmt::format("filter '{}': its name hashes like '{}'; rename one", v[0], it->name)));
    if (it == s.filters.end()) {
      if (s.filters.size() == policy::kMaxFilterLists)
        return Result(std::unexpected(fmt::format("at most {} filter lists", policy::kMaxFilterLists)));
      s.filters.push_back({v[0], id, {}});
      it = s.filters.end() - 1;
    }
    if (it->rules.size() == policy::kMaxFilterRules)
      return Result(std::unexpected(fmt::format("filter '{}': at most {} rules", v[0], policy::kMaxFilterRules)));
    it->rules.push_back(std::move(*rule));
    return Result{};
  }
  if (name == "tcp-mss-clamp") {
    if (v.size() == 1 && v[0] == "auto") {
      s.mss_clamp = true;
      s.mss.reset();
      return Result{};
    }
    if (v.size() == 1 && v[0] == "off") {
      s.mss_clamp = false;
      return Result{};
    }
    auto n = v.size() == 1 ? number(v[0], 536, 9000) : std::unexpected(std::string("one value"));
    if (!n) return Result(std::unexpected(fmt::format("'tcp-mss-clamp' expects auto, off or an MSS (536..9000): {}", n.error())));
    s.mss_clamp = true;
    s.mss = static_cast<std::uint16_t>(*n);
    return Result{};
  }
  return std::nullopt;
}

}  // namespace pppoe::master
