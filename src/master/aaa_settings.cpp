#include "master/aaa_settings.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace pppoe::master {

std::optional<Ipv4Address> route_source(Ipv4Address to, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(to.value);
  socklen_t len = sizeof sa;
  std::optional<Ipv4Address> out;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0 && sa.sin_addr.s_addr != 0)
    out = Ipv4Address{ntohl(sa.sin_addr.s_addr)};
  ::close(fd);
  return out;
}

radius::AaaSettings aaa_settings(const Config& c, const MacAddress& subscriber_mac) {
  radius::AaaSettings s;
  auto servers = [](const std::vector<RadiusServer>& list) {
    std::vector<radius::ServerConfig> out;
    for (const auto& r : list) out.push_back({r.address.to_string(), r.port, r.secret, r.priority});
    return out;
  };
  s.auth_servers = servers(c.radius.auth_servers);
  s.acct_servers = servers(c.radius.acct_servers);
  s.client.timeout = seconds(c.radius.timeout);
  s.client.tries = c.radius.retries;
  s.client.dead_time = seconds(c.radius.dead_time);
  s.client.max_outstanding = c.radius.max_outstanding;
  s.client.require_message_authenticator = c.radius.require_message_authenticator;
  if (!c.radius.nas_identifier.empty()) {
    s.nas.identifier = c.radius.nas_identifier;
  } else {
    std::string mac = subscriber_mac.to_string();
    std::erase(mac, ':');
    s.nas.identifier = fmt::format("{}-{}", c.ac_name, mac);
  }
  s.nas.ip = c.radius.nas_ip;
  if (!s.nas.ip) {
    const auto& list = !c.radius.auth_servers.empty() ? c.radius.auth_servers : c.radius.acct_servers;
    auto first = std::min_element(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.priority < b.priority; });
    if (first != list.end()) s.nas.ip = route_source(first->address, first->port);
  }
  s.nas.port_type = c.radius.nas_port_type_virtual ? radius::NasPortType::kVirtual : radius::NasPortType::kEthernet;
  s.nas.called_station_id = subscriber_mac.to_string();
  s.spool_dir = c.radius.acct_spool;
  s.fallback_local = c.radius.fallback_local;
  return s;
}

}  // namespace pppoe::master
