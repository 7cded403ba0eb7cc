// The AC's side of IPv6 Neighbor Discovery on a session (RFC 4861; operator guide "IPv6"):
// builds the session's Router Advertisement (its /64, the flags, lifetimes, MTU and DNS options
// from the configuration) and sorts the subscriber's ND messages: a Router Solicitation is
// answered here, a duplicate address detection probe needs nothing on a point-to-point link,
// anything else goes on like any packet. The template is built once; an advertisement costs
// no allocation.
#pragma once

#include <cstdint>

#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "common/ipv6.hpp"
#include "master/ipv6_service.hpp"
#include "proto/ip.hpp"
#include "proto/ndp.hpp"
#include "session/ra_schedule.hpp"

namespace pppoe::worker {

class RouterAdvertiser {
 public:
  explicit RouterAdvertiser(const master::Ipv6Service& config);

  /// The advertisement for a session whose link-local address is fe80::`our_id`, whose /64 is
  /// `prefix` and whose link carries `mtu`, to all nodes; its size, 0 if `out` is too small.
  /// `dns`: the session's own DNS servers (RADIUS DNS-Server-IPv6-Address) instead of ipv6-dns.
  std::size_t build(MutableBytes out, std::uint64_t our_id, Ipv6Prefix prefix, std::uint16_t mtu,
                    const std::vector<Ipv6Bytes>* dns = nullptr);

  enum class Upstream : std::uint8_t {
    kPass,         ///< not ours to handle: on to the TUN
    kAnswer,       ///< a valid Router Solicitation to answer now
    kRateLimited,  ///< a valid one within MIN_DELAY_BETWEEN_RAS of the last answer
    kMalformed,    ///< a Router Solicitation that fails RFC 4861 section 6.1.1's checks
    kUnspecified,  ///< from :: (duplicate address detection, RFC 4862 section 5.4): nothing to answer or forward
  };
  /// Sorts an upstream IPv6 packet of a session whose advertisements follow `schedule`.
  [[nodiscard]] Upstream upstream(Bytes packet, const ip::Ipv6View& v, const session::RaSchedule& schedule,
                                  TimePoint now) const;

  [[nodiscard]] std::chrono::seconds max_interval() const { return max_interval_; }

 private:
  ndp::RouterAdvertisement template_;
  std::chrono::seconds max_interval_;
};

}  // namespace pppoe::worker
