#include "policy/framed_route.hpp"

#include <fmt/format.h>

#include "common/decimal.hpp"


namespace pppoe::policy {

namespace {

/// The first word, and whether the second (the gateway) names the subscriber itself.
std::pair<std::string_view, std::optional<std::string_view>> split(std::string_view text) {
  std::size_t sp = text.find(' ');
  std::string_view first = text.substr(0, sp);
  if (sp == std::string_view::npos) return {first, std::nullopt};
  std::string_view rest = text.substr(sp + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return {first, rest.substr(0, rest.find(' '))};
}

std::expected<Route4, std::string> prefix4(std::string_view text) {
  std::size_t slash = text.find('/');
  auto a = Ipv4Address::parse(text.substr(0, slash));
  auto len = slash == std::string_view::npos ? std::optional<unsigned>(32) : parse_decimal(text.substr(slash + 1), 32);
  if (!a || !len || *len == 0) return std::unexpected(fmt::format("'{}' is no IPv4 prefix", text.substr(0, 40)));
  Route4 r{a->value, static_cast<std::uint8_t>(*len)};
  std::uint32_t mask = r.length == 32 ? ~0u : ~(~0u >> r.length);
  if ((r.network & ~mask) != 0) return std::unexpected(fmt::format("'{}' has host bits set", text.substr(0, 40)));
  return r;
}

std::expected<Ipv6Prefix, std::string> prefix6(std::string_view text) {
  auto p = Ipv6Prefix::parse(text);
  if (!p || p->upper == 0)
    return std::unexpected(fmt::format("'{}' is no IPv6 prefix of length 1 to 64 without host bits", text.substr(0, 50)));
  return *p;
}

}  // namespace

std::string Route4::to_string() const { return fmt::format("{}/{}", Ipv4Address{network}.to_string(), length); }

std::expected<Route4, std::string> parse_framed_route(std::string_view text) {
  auto [prefix, gateway] = split(text);
  auto r = prefix4(prefix);
  if (!r) return r;
  if (gateway && *gateway != "0.0.0.0")
    return std::unexpected(fmt::format("Framed-Route '{}': only the subscriber itself (0.0.0.0) can be the gateway",
                                       text.substr(0, 60)));
  return r;
}

std::expected<Ipv6Prefix, std::string> parse_framed_ipv6_route(std::string_view text) {
  auto [prefix, gateway] = split(text);
  auto r = prefix6(prefix);
  if (!r) return r;
  if (gateway && *gateway != "::")
    return std::unexpected(fmt::format("Framed-IPv6-Route '{}': only the subscriber itself (::) can be the gateway",
                                       text.substr(0, 60)));
  return r;
}

std::optional<Route4> netmask_route(Ipv4Address address, Ipv4Address netmask) {
  std::uint32_t m = netmask.value;
  if (m == ~0u || m == 0 || (~m & (~m + 1)) != 0) return std::nullopt;  // /32, /0, or holes
  auto length = static_cast<std::uint8_t>(__builtin_popcount(m));
  return Route4{address.value & m, length};
}

std::expected<FramedRoutes, std::string> parse_route_list(std::string_view text) {
  FramedRoutes out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string_view one = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (one.find(':') != std::string_view::npos) {
      auto p = prefix6(one);
      if (!p) return std::unexpected(p.error());
      out.v6.push_back(*p);
    } else {
      auto r = prefix4(one);
      if (!r) return std::unexpected(r.error());
      out.v4.push_back(*r);
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (out.v4.size() > kMaxRoutes4 || out.v6.size() > kMaxRoutes6)
    return std::unexpected(fmt::format("at most {} IPv4 and {} IPv6 routes per user", kMaxRoutes4, kMaxRoutes6));
  return out;
}

}  // namespace pppoe::policy
