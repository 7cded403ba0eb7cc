#include "master/ipv6_service.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "master/config_values.hpp"

namespace pppoe::master {

namespace {
/// A DNS name as DNSSL carries it (RFC 1035 section 2.3.4): labels of 1..63 letters, digits
/// and hyphens, at most 253 characters.
bool domain_name(const std::string& d) {
  if (d.empty() || d.size() > 253) return false;
  std::size_t label = 0;
  for (char ch : d) {
    if (ch == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-') {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return label != 0 || d.back() == '.';
}

/// ipv6-pool (the sessions' /64s) or ipv6-delegate-pool (`delegate`: LENGTH 48..64, default 56).
std::expected<dataplane::PrefixPoolSpec, std::string> pool(const std::string& name, const std::vector<std::string>& v,
                                                           bool delegate) {
  std::string usage = delegate ? fmt::format("'{}' expects [NAME] PREFIX/LEN [LENGTH 48..64], e.g. '{} 2001:db8:200::/40 56'", name, name)
                               : fmt::format("'{}' expects [NAME] PREFIX/LEN [64], e.g. '{} 2001:db8:100::/40 64'", name, name);
  // The optional name first: a prefix always has a ':' and a '/'.
  std::size_t at = 0;
  dataplane::PrefixPoolSpec spec;
  if (!v.empty() && v[0].find('/') == std::string::npos) spec.name = v[at++];
  if (v.size() <= at || v.size() > at + 2) return std::unexpected(usage);
  auto prefix = Ipv6Prefix::parse(v[at]);
  if (!prefix)
    return std::unexpected(fmt::format("{}: '{}' is not an IPv6 prefix of length 1 to 64 without host bits", usage, v[at]));
  if (prefix->upper == 0) return std::unexpected(fmt::format("{}: ::/{} is no pool", usage, prefix->length));
  spec.aggregate = *prefix;
  spec.length = delegate ? 56 : 64;
  if (v.size() == at + 2) {
    auto len = delegate ? number(v[at + 1], 48, 64) : number(v[at + 1], 64, 64);
    if (!len)
      return std::unexpected(delegate ? fmt::format("{}: {}", usage, len.error())
                                      : fmt::format("{}: sessions get /64s (SLAAC, RFC 4862 section 5.5.3): {}", usage, len.error()));
    spec.length = static_cast<std::uint8_t>(*len);
  }
  if (spec.length < prefix->length)
    return std::unexpected(fmt::format("{}: /{} prefixes do not fit in {}", usage, spec.length, v[at]));
  if (spec.length - prefix->length > static_cast<int>(dataplane::kMaxPrefixPoolBits))
    return std::unexpected(fmt::format("{}: {} holds more than 2^{} /{}s; use a longer prefix", usage, v[at],
                                       dataplane::kMaxPrefixPoolBits, spec.length));
  return spec;
}
}  // namespace

std::optional<std::expected<void, std::string>> apply_ipv6_setting(Ipv6Service& s, const std::string& name,
                                                                   const std::vector<std::string>& v) {
  auto one_number = [&](unsigned min, unsigned max) -> std::expected<unsigned, std::string> {
    if (v.size() != 1) return std::unexpected(fmt::format("'{}' expects exactly one value", name));
    return number(v[0], min, max);
  };
  auto set = [&](unsigned& field, unsigned min, unsigned max) -> std::expected<void, std::string> {
    auto n = one_number(min, max);
    if (!n) return std::unexpected(n.error());
    field = *n;
    return {};
  };
  auto set_bool = [&](bool& field) -> std::expected<void, std::string> {
    if (v.size() != 1) return std::unexpected(fmt::format("'{}' expects yes or no", name));
    auto b = boolean(v[0]);
    if (!b) return std::unexpected(b.error());
    field = *b;
    return {};
  };
  if (name == "ipv6-pool" || name == "ipv6-delegate-pool") {
    bool delegate = name == "ipv6-delegate-pool";
    auto p = pool(name, v, delegate);
    if (!p) return std::unexpected(p.error());
    auto& list = delegate ? s.delegate_pools : s.pools;
    for (const auto& q : list)
      if (q.name == p->name)
        return std::unexpected(p->name.empty() ? fmt::format("the default {} is defined twice", name)
                                               : fmt::format("{} '{}' defined twice", name, p->name));
    list.push_back(*p);
    return std::expected<void, std::string>{};
  }
  if (name == "dhcpv6") return set_bool(s.dhcpv6);
  if (name == "dhcpv6-rapid-commit") return set_bool(s.dhcpv6_rapid_commit);
  if (name == "dhcpv6-ia-na") return set_bool(s.dhcpv6_ia_na);
  if (name == "dhcpv6-rate") return set(s.dhcpv6_rate, 1, 1000);
  if (name == "ipv6-prefix-hold") return set(s.prefix_hold, 0, 86400);
  // RFC 4861 section 6.2.1: MaxRtrAdvInterval 4..1800 s; AdvDefaultLifetime 0 or up to 9000 s
  // (RFC 8319 allows more; 9000 keeps older hosts happy).
  if (name == "ipv6-ra-interval") return set(s.ra_interval, 4, 1800);
  if (name == "ipv6-ra-lifetime") {
    auto n = one_number(0, 9000);
    if (!n) return std::unexpected(n.error());
    s.ra_lifetime = *n;
    return std::expected<void, std::string>{};
  }
  if (name == "ipv6-prefix-lifetime") {
    if (v.size() != 2) return std::unexpected("'ipv6-prefix-lifetime' expects VALID PREFERRED (seconds)");
    auto valid = number(v[0], 1, 0xfffffffe);
    auto preferred = number(v[1], 0, 0xfffffffe);
    if (!valid) return std::unexpected(fmt::format("'ipv6-prefix-lifetime' VALID: {}", valid.error()));
    if (!preferred) return std::unexpected(fmt::format("'ipv6-prefix-lifetime' PREFERRED: {}", preferred.error()));
    s.valid_lifetime = *valid;
    s.preferred_lifetime = *preferred;
    return std::expected<void, std::string>{};
  }
  if (name == "ipv6-ra-managed" || name == "ipv6-ra-other") {
    bool flag = false;
    if (auto r = set_bool(flag); !r) return r;
    (name == "ipv6-ra-managed" ? s.managed : s.other) = flag;
    return std::expected<void, std::string>{};
  }
  if (name == "ipv6-dns") {
    if (v.empty() || v.size() > 3) return std::unexpected("'ipv6-dns' expects one to three IPv6 addresses");
    s.dns.clear();
    for (const auto& a : v) {
      auto addr = parse_ipv6(a);
      if (!addr) return std::unexpected(fmt::format("'ipv6-dns' expects IPv6 addresses, found '{}'", a));
      s.dns.push_back(*addr);
    }
    return std::expected<void, std::string>{};
  }
  if (name == "ipv6-domain") {
    if (v.empty() || v.size() > 6) return std::unexpected("'ipv6-domain' expects one to six domain names");
    for (const auto& d : v)
      if (!domain_name(d)) return std::unexpected(fmt::format("'ipv6-domain': '{}' is not a domain name", d));
    s.domains = v;
    return std::expected<void, std::string>{};
  }
  return std::nullopt;
}

std::expected<void, std::string> validate(const Ipv6Service& s) {
  if (s.preferred_lifetime > s.valid_lifetime)
    return std::unexpected("ipv6-prefix-lifetime: PREFERRED must not exceed VALID (RFC 4861 section 4.6.2)");
  if (s.ra_lifetime && *s.ra_lifetime != 0 && *s.ra_lifetime < s.ra_interval)
    return std::unexpected("ipv6-ra-lifetime must be 0 or at least ipv6-ra-interval (RFC 4861 section 6.2.1)");
  if (!s.enabled() && (!s.dns.empty() || !s.domains.empty()))
    return std::unexpected("ipv6-dns and ipv6-domain are announced in Router Advertisements: they need an ipv6-pool");
  auto without_default = [](const std::vector<dataplane::PrefixPoolSpec>& list) {
    return !list.empty() && std::none_of(list.begin(), list.end(), [](const auto& p) { return p.name.empty(); });
  };
  if (without_default(s.pools))
    return std::unexpected("named ipv6-pools need a default one too (ipv6-pool PREFIX/LEN without a name)");
  if (without_default(s.delegate_pools))
    return std::unexpected("named ipv6-delegate-pools need a default one too (ipv6-delegate-pool PREFIX/LEN without a name)");
  if (!s.delegate_pools.empty() && !s.dhcpv6_server())
    return std::unexpected("ipv6-delegate-pool needs the DHCPv6 server: an ipv6-pool and not 'dhcpv6 no'");
  std::vector<std::pair<const char*, const dataplane::PrefixPoolSpec*>> all;
  for (const auto& p : s.pools) all.emplace_back("ipv6-pool", &p);
  for (const auto& p : s.delegate_pools) all.emplace_back("ipv6-delegate-pool", &p);
  for (std::size_t i = 0; i < all.size(); ++i)
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      const auto& a = all[i].second->aggregate;
      const auto& b = all[j].second->aggregate;
      if (a.contains(b) || b.contains(a))
        return std::unexpected(fmt::format("{} {} overlaps {} {}", all[i].first, a.to_string(), all[j].first, b.to_string()));
    }
  return {};
}

}  // namespace pppoe::master
