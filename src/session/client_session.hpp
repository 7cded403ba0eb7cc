// The peer (subscriber) side of a PPP link, used by pppoetest to emulate CPEs through the
// same protocol library: answers LCP, authenticates with PAP/CHAP-MD5/MS-CHAPv2, takes the
// address IPCP offers.
#pragma once

#include <string>

#include "session/ppp_link.hpp"

namespace pppoe::session {

struct Credentials {
  std::string user;
  std::string password;
};

/// IPCP as a subscriber: ask for an address and DNS servers, take what the AC offers.
ppp::IpcpSettings default_client_ipcp();

class ClientSession final : public PppLink {
 public:
  /// `ipcp`: the peer role is forced; pppoec narrows the addresses it accepts (`set ifaddr`).
  ClientSession(LinkOutput& out, LinkSettings settings, Credentials credentials, std::uint64_t ipv6_id,
                std::uint32_t seed, ppp::IpcpSettings ipcp = default_client_ipcp());

  [[nodiscard]] Ipv4Address address() const { return ipcp().local_address(); }
  [[nodiscard]] Ipv4Address server_address() const { return ipcp().peer_address(); }
  /// MS-CHAPv2 only: the server proved it knows the password (RFC 2759 section 5).
  [[nodiscard]] bool server_verified() const { return server_verified_; }

 protected:
  void auth_start(TimePoint now) override;
  void auth_receive(ppp::Protocol protocol, Bytes payload, TimePoint now) override;
  void auth_tick(TimePoint now) override;

 private:
  void send_pap();
  Credentials credentials_;
  ppp::Xorshift rng_;
  std::uint8_t pap_id_ = 0;
  unsigned pap_left_ = 0;
  TimePoint next_pap_{};
  TimePoint deadline_{};
  bool done_ = false;
  bool server_verified_ = false;
  std::string expected_mschap_success_;
};

}  // namespace pppoe::session
