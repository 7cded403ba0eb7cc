// A subscriber's speed: rates per direction, and the text forms in which operators write them
// (operator guide "Service policy"): our config and ppp.secret, and the RADIUS attributes that
// BNGs migrating from accel-ppp, Cisco and MikroTik send today.
//
// Every parser here reads untrusted text (RADIUS from any allowed server or DAE client): it
// accepts exactly its form and returns nothing (or an error) for anything else, never a part.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace pppoe::policy {

/// One direction's limit: kbit/s (1,000 bit/s) and the bucket depth in octets (0: the default
/// for the rate, see default_burst()).
struct Rate {
  std::uint32_t kbps = 0;
  std::uint32_t burst = 0;
  friend bool operator==(const Rate&, const Rate&) = default;
};

/// Down: towards the subscriber (shaped); up: from the subscriber (policed). Unset: no limit.
struct RateLimit {
  std::optional<Rate> down, up;
  [[nodiscard]] bool empty() const { return !down && !up; }
  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

/// The bucket depth when none was given: `burst_ms` of the rate, at least 10 full-size frames
/// (below that, TCP cannot open its window against the limit).
std::uint32_t default_burst(std::uint32_t kbps, std::uint32_t burst_ms);

/// A rate with an optional unit: "512k", "10M", "1G" (bit/s multiples), or a bare number in
/// `bare_unit_bps` (1,000 for kbit/s in our config and Filter-Id, 1 for MikroTik's bit/s).
/// Decimal fractions ("1.5M") are accepted; the result is rounded down to whole kbit/s and
/// must be 8 kbit/s .. 4 Tbit/s.
std::optional<std::uint32_t> parse_kbps(std::string_view text, std::uint64_t bare_unit_bps);

/// Our config and ppp.secret: "DOWN" (both ways) or "DOWN/UP", each as parse_kbps with kbit/s
/// for bare numbers ("10M/2M", "10000/2000").
std::optional<RateLimit> parse_down_up(std::string_view text);

/// Filter-Id (RFC 2865 section 5.11) as accel-ppp reads it: "1000" (both ways) or "1000/500"
/// (down/up), kbit/s. nullopt: not a rate (then it names a filter list).
std::optional<RateLimit> parse_filter_id_rate(std::string_view text);

/// Mikrotik-Rate-Limit (vendor 14988, attribute 8): "rx[/tx] [rx-burst[/tx-burst]
/// [rx-threshold[/tx-threshold] [rx-time[/tx-time] [priority] [rx-min[/tx-min]]]]]", rates in
/// bit/s with k/M suffixes, times in seconds. rx is what the router receives: the subscriber's
/// upload. A burst maps to the bucket depth: threshold x time (the excess MikroTik lets through
/// while the average stays under the threshold); the burst rate itself is not capped.
std::expected<RateLimit, std::string> parse_mikrotik_rate_limit(std::string_view text);

/// What one Cisco-AVPair (vendor 9, attribute 1) asks of the session's policy.
struct CiscoPolicy {
  enum class Kind : std::uint8_t {
    kNotPolicy,  ///< a pair about something else (dns-servers, priv-lvl ...): not ours to judge
    kRate,       ///< "[lcp:interface-config[#N]=]rate-limit input|output BPS NORMAL [MAX] ..."
    kNamed,      ///< "[ip:|subscriber:]sub-qos-policy-in|out=NAME": a qos-policy of the config
  };
  Kind kind = Kind::kNotPolicy;
  bool upstream = false;  ///< input / -in: from the subscriber
  Rate rate;              ///< kRate
  std::string name;       ///< kNamed
};
/// Errors for pairs that are about rate limits or QoS policies but do not parse.
std::expected<CiscoPolicy, std::string> parse_cisco_avpair(std::string_view text);

/// "10M/2M" style for show commands: kbit/s with the largest exact unit.
std::string to_string(std::uint32_t kbps);
std::string to_string(const RateLimit& r);

}  // namespace pppoe::policy
