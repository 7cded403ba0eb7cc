// IPv6 Neighbor Discovery from subscribers and from the AC (RFC 4861, RFC 8106): the Router
// Solicitation pppoed answers, the Router Advertisement pppoetest reads, and the worker's
// sorting of every upstream ICMPv6 packet. A decoded advertisement must survive a round trip.
#include <cstdint>

#include "master/ipv6_service.hpp"
#include "proto/ip.hpp"
#include "proto/ndp.hpp"
#include "worker/router_advertiser.hpp"

using namespace pppoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  (void)ndp::decode_router_solicitation(in);
  if (auto ra = ndp::decode_router_advertisement(in)) {
    std::uint8_t out[2048];
    std::size_t n = ndp::build_router_advertisement(out, ip::link_local(1), ndp::kAllNodes, *ra);
    if (n > 0) {
      auto again = ndp::decode_router_advertisement(Bytes(out, n));
      if (!again || again->prefix != ra->prefix || again->mtu != ra->mtu || again->dns != ra->dns) __builtin_trap();
    }
  }
  static master::Ipv6Service config = [] {
    master::Ipv6Service s;
    s.pools.push_back({"", *Ipv6Prefix::parse("2001:db8:1000::/48"), 64});
    return s;
  }();
  static worker::RouterAdvertiser advertiser(config);
  if (auto v = ip::decode_ipv6(in)) {
    session::RaSchedule schedule;
    schedule.start(TimePoint{});
    (void)advertiser.upstream(in, *v, schedule, TimePoint{std::chrono::seconds(10)});
  }
  return 0;
}
