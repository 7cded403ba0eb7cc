// Subscriber service policy set in the configuration (operator guide "Service policy"): the
// default rate limit, the bucket and queue sizes, the named QoS policies that RADIUS may name
// (Cisco-AVPair sub-qos-policy-in/out), and TCP MSS clamping.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/filter.hpp"
#include "policy/rate.hpp"

namespace pppoe::master {

struct ServicePolicy {
  policy::RateLimit default_rate;  ///< rate-limit DOWN[/UP]: every session without its own
  /// rate-limit-burst: the policer's bucket (upstream), in milliseconds of the rate. TCP needs
  /// room to probe against a policer: with 100 ms it got half of the rate (service_policy
  /// test), with 500 ms its goodput stays above 85 %. The shaper (downstream) queues instead
  /// and keeps its bucket short: kShaperBurstMs, a smooth flow into the access network.
  unsigned burst_ms = 500;
  static constexpr unsigned kShaperBurstMs = 10;
  unsigned shaper_queue_ms = 50;   ///< shaper-queue: the longest a shaped packet waits
  std::map<std::string, policy::Rate, std::less<>> qos_policies;  ///< qos-policy NAME RATE [BURST]
  /// tcp-mss-clamp: auto (nullopt in `mss`, the session's MTU less 40 or 60), N (the IPv4 MSS;
  /// IPv6 gets N - 20), or off.
  bool mss_clamp = true;
  std::optional<std::uint16_t> mss;
  /// filter LIST RULE...: named filter lists, in the order first defined (at most
  /// policy::kMaxFilterLists lists of policy::kMaxFilterRules rules).
  std::vector<policy::FilterList> filters;

  /// The list with this name or id (policy::filter_id), nullptr when there is none; `index`
  /// (optional) gets its position, for the shared per-rule counters.
  [[nodiscard]] const policy::FilterList* filter(std::string_view name) const { return filter(policy::filter_id(name)); }
  [[nodiscard]] const policy::FilterList* filter(std::uint32_t id, std::size_t* index = nullptr) const {
    for (std::size_t i = 0; i < filters.size(); ++i)
      if (filters[i].id == id) {
        if (index != nullptr) *index = i;
        return &filters[i];
      }
    return nullptr;
  }

  /// `r` with every unset burst filled in (upstream burst_ms, downstream kShaperBurstMs of the rate).
  [[nodiscard]] policy::RateLimit with_bursts(policy::RateLimit r) const;
  /// The MTU clamp_tcp_mss() works with for a session of `session_mtu` (0: no clamping).
  [[nodiscard]] std::uint16_t clamp_mtu(std::uint16_t session_mtu) const {
    if (!mss_clamp) return 0;
    return mss ? static_cast<std::uint16_t>(*mss + 40) : session_mtu;
  }
};

/// Applies one service-policy setting; nullopt when `name` is not one.
std::optional<std::expected<void, std::string>> apply_policy_setting(ServicePolicy& s, const std::string& name,
                                                                     const std::vector<std::string>& values);

}  // namespace pppoe::master
