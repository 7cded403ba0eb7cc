#include "common/ipv6.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace pppoe {

std::uint64_t upper_64(const Ipv6Bytes& address) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | address[i];
  return v;
}

std::optional<Ipv6Bytes> parse_ipv6(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  Ipv6Bytes a{};
  if (::inet_pton(AF_INET6, s.c_str(), a.data()) != 1) return std::nullopt;
  return a;
}

std::string ipv6_to_string(const Ipv6Bytes& address) {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET6, address.data(), buf, sizeof buf);
  return buf;
}

Ipv6Bytes Ipv6Prefix::address(std::uint64_t interface_id) const {
  Ipv6Bytes a{};
  for (std::size_t i = 0; i < 8; ++i) {
    a[i] = static_cast<std::uint8_t>(upper >> (56 - 8 * i));
    a[8 + i] = static_cast<std::uint8_t>(interface_id >> (56 - 8 * i));
  }
  return a;
}

std::string Ipv6Prefix::to_string() const { return ipv6_to_string(address()) + "/" + std::to_string(length); }

std::optional<Ipv6Prefix> Ipv6Prefix::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = parse_ipv6(text.substr(0, slash));
  auto len_text = text.substr(slash + 1);
  unsigned len = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (!addr || ec != std::errc{} || end != len_text.data() + len_text.size() || len < 1 || len > 64) return std::nullopt;
  for (std::size_t i = 8; i < 16; ++i)
    if ((*addr)[i] != 0) return std::nullopt;
  Ipv6Prefix p{upper_64(*addr), static_cast<std::uint8_t>(len)};
  if ((p.upper & ~p.mask()) != 0) return std::nullopt;  // host bits set: "2001:db8::1/40" is no prefix
  return p;
}

}  // namespace pppoe
