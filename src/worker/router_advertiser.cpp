#include "worker/router_advertiser.hpp"

#include <algorithm>

namespace pppoe::worker {

namespace {
constexpr std::uint8_t kIcmpv6 = 58;
constexpr std::uint8_t kRouterSolicitation = 133;
}  // namespace

RouterAdvertiser::RouterAdvertiser(const master::Ipv6Service& c) : max_interval_(c.ra_interval) {
  template_.managed = c.managed_flag();
  template_.other = c.other_flag();
  template_.router_lifetime = static_cast<std::uint16_t>(std::min(c.router_lifetime(), 65535u));
  template_.valid_lifetime = c.valid_lifetime;
  template_.preferred_lifetime = c.preferred_lifetime;
  template_.dns = c.dns;
  template_.domains = c.domains;
  // RFC 8106 section 5.1: a lifetime of at least 3 x MaxRtrAdvInterval is recommended.
  template_.dns_lifetime = 3 * c.ra_interval;
}

std::size_t RouterAdvertiser::build(MutableBytes out, std::uint64_t our_id, Ipv6Prefix prefix, std::uint16_t mtu,
                                    const std::vector<Ipv6Bytes>* dns) {
  template_.prefix = prefix;
  template_.mtu = mtu;
  if (dns == nullptr) return ndp::build_router_advertisement(out, ip::link_local(our_id), ndp::kAllNodes, template_);
  ndp::RouterAdvertisement own = template_;  // only sessions with their own DNS servers pay for the copy
  own.dns = *dns;
  return ndp::build_router_advertisement(out, ip::link_local(our_id), ndp::kAllNodes, own);
}

RouterAdvertiser::Upstream RouterAdvertiser::upstream(Bytes packet, const ip::Ipv6View& v,
                                                      const session::RaSchedule& schedule, TimePoint now) const {
  if (v.next_header != kIcmpv6) return Upstream::kPass;
  const bool unspecified = v.src == Ipv6Bytes{};
  if (v.payload_length < 1 || packet[40] != kRouterSolicitation)
    return unspecified ? Upstream::kUnspecified : Upstream::kPass;
  if (!ndp::decode_router_solicitation(packet)) return Upstream::kMalformed;
  return schedule.solicited(now) ? Upstream::kAnswer : Upstream::kRateLimited;
}

}  // namespace pppoe::worker
