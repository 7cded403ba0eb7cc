// DHCPv6 from subscribers (RFC 8415): the message decoder, the session's server answering
// whatever decodes (twice, as retransmissions arrive, then a Release), and the UDP/IPv6 view
// in front of it. A decoded message must encode and decode again to the same identifiers.
#include <cstdint>

#include "master/ipv6_service.hpp"
#include "proto/dhcpv6.hpp"
#include "proto/ip.hpp"
#include "worker/dhcpv6_server.hpp"

using namespace pppoe;

namespace {
class Pool final : public worker::DelegationHost {
 public:
  std::optional<Ipv6Prefix> delegate_prefix() override {
    if (out) __builtin_trap();  // one prefix per session
    out = true;
    return Ipv6Prefix{0x20010db820000100ull, 56};
  }
  void return_prefix(Ipv6Prefix) override {
    if (!out) __builtin_trap();
    out = false;
  }
  bool out = false;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  if (auto udp = ip::parse_udp6(in)) (void)dhcpv6::decode(udp->payload);
  auto m = dhcpv6::decode(in);
  if (!m) return 0;
  std::uint8_t out[4096];
  std::size_t n = dhcpv6::encode(out, *m);
  if (n > 0) {
    auto again = dhcpv6::decode(Bytes(out, n));
    if (!again || again->client_id != m->client_id || again->server_id != m->server_id ||
        again->ia_pd.size() != m->ia_pd.size() || again->ia_na.size() != m->ia_na.size())
      __builtin_trap();
  }
  static master::Ipv6Service config = [] {
    master::Ipv6Service s;
    s.pools.push_back({"", *Ipv6Prefix::parse("2001:db8:1000::/48"), 64});
    s.delegate_pools.push_back({"", *Ipv6Prefix::parse("2001:db8:2000::/40"), 56});
    s.dhcpv6_ia_na = true;
    s.dns.push_back(*parse_ipv6("2001:db8::53"));
    s.domains.push_back("example.net");
    return s;
  }();
  static worker::Dhcpv6Server server(config, MacAddress{{2, 0x50, 0x50, 0x44, 0, 1}});
  worker::Dhcpv6Binding binding;
  Pool pool;
  Ipv6Prefix wan = *Ipv6Prefix::parse("2001:db8:1000:1::/64");
  for (int i = 0; i < 2; ++i) (void)server.handle(*m, wan, 0x0211223344556677ull, binding, pool, out);
  if (binding.delegated.empty() == pool.out) __builtin_trap();  // binding and pool agree
  dhcpv6::Message release = *m;
  release.type = dhcpv6::Type::kRelease;
  release.server_id = server.duid();
  (void)server.handle(release, wan, 0x0211223344556677ull, binding, pool, out);
  if (binding.delegated.empty() == pool.out) __builtin_trap();
  return 0;
}
