// The DHCPv6 server on one PPPoE session (RFC 8415; operator guide "IPv6"): delegates the
// session's prefix (IA_PD) from the ipv6-delegate-pool, optionally an address (IA_NA: the
// session's /64 with the client's interface identifier), and gives the DNS options of
// RFC 3646. One binding per session: the first IA_PD and the first IA_NA of a client get a
// lease, further ones NoPrefixAvail/NoAddrsAvail. The client's DUID is remembered with the
// binding; a Release, Decline or Renew under another DUID is refused (NoBinding).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "common/bytes.hpp"
#include "common/ipv6.hpp"
#include "common/mac.hpp"
#include "master/ipv6_service.hpp"
#include "proto/dhcpv6.hpp"

namespace pppoe::worker {

/// A session's DHCPv6 state; also kept in its shared record (it outlives a worker).
struct Dhcpv6Binding {
  Ipv6Prefix delegated;  ///< the IA_PD prefix (empty: none yet)
  std::uint32_t pd_iaid = 0, na_iaid = 0;
  bool na_bound = false;
  std::uint8_t duid_len = 0;  ///< the client's DUID length (0: no client yet)
  std::array<std::uint8_t, 20> duid{};  ///< its first 20 octets
  [[nodiscard]] bool same_client(const std::vector<std::uint8_t>& client_id) const;
  void remember_client(const std::vector<std::uint8_t>& client_id);
};

/// Where delegated prefixes come from and go back to (the worker: its pool and the master's index).
class DelegationHost {
 public:
  virtual ~DelegationHost() = default;
  virtual std::optional<Ipv6Prefix> delegate_prefix() = 0;
  virtual void return_prefix(Ipv6Prefix p) = 0;
};

class Dhcpv6Server {
 public:
  /// `ac_mac`: the subscriber-side MAC, for the server DUID (DUID-LL: stable across restarts
  /// and the same on both boxes of a standby pair).
  Dhcpv6Server(const master::Ipv6Service& config, const MacAddress& ac_mac);

  enum class Outcome : std::uint8_t {
    kReply,    ///< `size` octets of answer in `out`
    kDiscard,  ///< RFC 8415 section 16 says to drop it (wrong or missing identifiers, a server's message)
  };
  struct Result {
    Outcome outcome = Outcome::kDiscard;
    std::size_t size = 0;
    bool binding_changed = false;  ///< publish the binding
  };
  /// Answers `request` of a session whose /64 is `wan` and whose IPv6CP identifier is
  /// `client_iid`; `dns`: the session's own DNS servers (RADIUS) instead of ipv6-dns.
  Result handle(const dhcpv6::Message& request, Ipv6Prefix wan, std::uint64_t client_iid, Dhcpv6Binding& binding,
                DelegationHost& host, MutableBytes out, const std::vector<Ipv6Bytes>* dns = nullptr) const;

  [[nodiscard]] const std::vector<std::uint8_t>& duid() const { return duid_; }

 private:
  void lease_prefix(const dhcpv6::Ia& asked, bool first, bool renewal, bool commit, Dhcpv6Binding& b, DelegationHost& host,
                    dhcpv6::Message& reply, bool& changed) const;
  void lease_address(const dhcpv6::Ia& asked, bool first, bool renewal, bool commit, Ipv6Prefix wan, std::uint64_t client_iid,
                     Dhcpv6Binding& b, dhcpv6::Message& reply, bool& changed) const;

  const master::Ipv6Service& config_;
  std::vector<std::uint8_t> duid_;
};

}  // namespace pppoe::worker
