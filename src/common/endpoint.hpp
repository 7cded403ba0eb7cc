// An IPv4 address and a UDP or TCP port, and the sockaddr_in the socket calls want.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <string>

#include "common/ipv4.hpp"

namespace pppoe {

struct SocketEndpoint {
  Ipv4Address address;
  std::uint16_t port = 0;

  [[nodiscard]] std::string to_string() const { return address.to_string() + ":" + std::to_string(port); }
  [[nodiscard]] sockaddr_in sockaddr() const {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(address.value);
    return sa;
  }
  static SocketEndpoint from(const sockaddr_in& sa) { return {Ipv4Address{ntohl(sa.sin_addr.s_addr)}, ntohs(sa.sin_port)}; }
};

}  // namespace pppoe
