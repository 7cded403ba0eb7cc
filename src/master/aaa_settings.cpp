#include "master/aaa_settings.hpp"

namespace pppoe::master {

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
  s.nas.identifier = c.radius.nas_identifier.empty() ? c.ac_name : c.radius.nas_identifier;
  s.nas.ip = c.radius.nas_ip;
  s.nas.port_type = c.radius.nas_port_type_virtual ? radius::NasPortType::kVirtual : radius::NasPortType::kEthernet;
  s.nas.called_station_id = subscriber_mac.to_string();
  s.spool_dir = c.radius.acct_spool;
  s.fallback_local = c.radius.fallback_local;
  return s;
}

}  // namespace pppoe::master
