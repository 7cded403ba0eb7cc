// IPCP (RFC 1332) with the DNS and NBNS extensions of RFC 1877.
// VJ compression (IP-Compression-Protocol) is refused: the data plane does not implement it.
#pragma once

#include <array>
#include <cstdint>

#include "common/ipv4.hpp"
#include "proto/ppp/control_protocol.hpp"
#include "proto/ppp/layer_listener.hpp"

namespace pppoe::ppp {

enum class IpcpOption : std::uint8_t {
  kIpAddresses = 1,  ///< deprecated (RFC 1332 section 3.1); refused
  kIpCompression = 2,
  kIpAddress = 3,
  kPrimaryDns = 129,
  kPrimaryNbns = 130,
  kSecondaryDns = 131,
  kSecondaryNbns = 132,
};

/// DNS and NBNS servers offered to (server) or learned from (client) the peer; zero = none.
struct NameServers {
  Ipv4Address dns1, dns2, nbns1, nbns2;
  friend bool operator==(const NameServers&, const NameServers&) = default;
};

/// An address with a prefix length: ppp(8)'s `ADDR/BITS` in `set ifaddr`. /0 accepts any
/// address, /32 only ADDR (a fixed address, pppoe(4)'s non-wildcard side).
struct AddressRange {
  Ipv4Address base;
  std::uint8_t bits = 0;
  [[nodiscard]] bool contains(Ipv4Address a) const {
    if (bits == 0) return true;
    std::uint32_t mask = bits >= 32 ? ~std::uint32_t{0} : ~std::uint32_t{0} << (32 - bits);
    return (a.value & mask) == (base.value & mask);
  }
};

struct IpcpSettings {
  LinkRole role = LinkRole::kAuthenticator;
  Ipv4Address local;        ///< server: our address; client: what we ask for first (0: any)
  NameServers name_servers;  ///< server: what we offer
  bool request_dns = true;   ///< client: ask for DNS servers
  /// Client only. Our address: a Nak suggesting one outside this range is not followed (we keep
  /// asking for ours, RFC 1661 section 5.3 ends it at Max-Failure). The peer's address: one
  /// outside the range is Nak'ed with `accept_peer.base` (or rejected when that is 0).
  AddressRange accept_local;
  AddressRange accept_peer;
};

class IpcpHandler final : public CpHandler {
 public:
  IpcpHandler(LayerListener& listener, IpcpSettings settings);

  /// Server: the address the peer must take (assigned from a pool or ppp.secret).
  void set_peer_address(Ipv4Address a) { peer_assigned_ = a; }
  /// Per-user name servers (from RADIUS), replacing the configured ones for this link.
  void set_name_servers(const NameServers& ns) { settings_.name_servers = ns; }

  void write_request(ByteWriter& w) override;
  OptionVerdict check_option(const Option& opt, ByteWriter& nak) override;
  void check_missing(std::span<const Option> opts, ByteWriter& nak) override;
  void peer_request_acked(std::span<const Option> opts) override;
  void on_nak(std::span<const Option> opts) override;
  void on_reject(std::span<const Option> opts) override;
  void this_layer_up() override { listener_.layer_up(Protocol::kIpcp); }
  void this_layer_down() override { listener_.layer_down(Protocol::kIpcp); }
  void this_layer_started() override { listener_.layer_started(Protocol::kIpcp); }
  void this_layer_finished() override { listener_.layer_finished(Protocol::kIpcp); }

  [[nodiscard]] Ipv4Address local_address() const { return local_; }
  [[nodiscard]] Ipv4Address peer_address() const { return peer_; }
  [[nodiscard]] const NameServers& learned_name_servers() const { return learned_; }
  /// A session resumed from its saved state (pppoec after a restart): the negotiated values.
  void restore(Ipv4Address local, Ipv4Address peer, const NameServers& learned) {
    local_ = local;
    peer_ = peer;
    learned_ = learned;
  }

 private:
  Ipv4Address* server_slot(IpcpOption o);
  Ipv4Address* learned_slot(IpcpOption o);

  LayerListener& listener_;
  IpcpSettings settings_;
  Ipv4Address local_;
  Ipv4Address peer_;
  Ipv4Address peer_assigned_;
  NameServers learned_;
  std::array<bool, 4> ask_{true, false, true, false};  ///< client: dns1, nbns1, dns2, nbns2
};

}  // namespace pppoe::ppp
