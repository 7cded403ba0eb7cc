#include "common/ipv4.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

namespace pppoe {

std::string Ipv4Address::to_string() const {
  return fmt::format("{}.{}.{}.{}", value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff,
                     value & 0xff);
}

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
  std::string s(text);
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
  return Ipv4Address{ntohl(a.s_addr)};
}

}  // namespace pppoe
