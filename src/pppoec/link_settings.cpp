#include "pppoec/link_settings.hpp"

#include <sys/random.h>

#include "session/client_session.hpp"

namespace pppoe::pppoec {

std::vector<ppp::AuthMethod> auth_methods(const Profile& p, bool required) {
  auto on = [required](const OptionSwitch& s) { return required ? s.enabled : s.accepted; };
  std::vector<ppp::AuthMethod> methods;
  if (on(p.mschapv2)) methods.push_back(ppp::AuthMethod::kMsChapV2);
  if (on(p.chap)) methods.push_back(ppp::AuthMethod::kChapMd5);
  if (on(p.pap)) methods.push_back(ppp::AuthMethod::kPap);
  return methods;
}

session::LinkSettings base_link_settings(const Profile& p) {
  session::LinkSettings ls;
  bool keepalive = p.echo.enabled || p.lqr.enabled;
  ls.echo_interval = keepalive ? seconds(p.lqr_period) : Duration::zero();
  ls.echo_failures = p.lqr_failures;
  ls.ipv6 = p.ipv6cp.enabled;
  return ls;
}

ppp::IpcpSettings client_ipcp(const Profile& p) {
  ppp::IpcpSettings ipcp = session::default_client_ipcp();
  ipcp.request_dns = p.dns.enabled;
  ipcp.local = !p.trigger.is_zero() ? p.trigger : p.local.base;
  ipcp.accept_local = p.local;
  ipcp.accept_peer = p.remote;
  return ipcp;
}

std::uint32_t random_seed() {
  std::uint32_t seed = 0;
  while (::getrandom(&seed, sizeof seed, 0) != sizeof seed) {
  }
  return seed;
}

}  // namespace pppoe::pppoec
