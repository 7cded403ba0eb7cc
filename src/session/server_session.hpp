// The authenticator side of one subscriber's PPP link: PAP, CHAP-MD5 or MS-CHAPv2 against an
// Authenticator, then an address from the AddressAssigner before IPCP starts.
//
// The Authenticator may answer later (RADIUS): while a check is pending, retransmitted
// requests only update the Identifier to answer (RFC 1334 section 2.2.1 lets PAP peers change
// it), and the authentication timeout keeps running.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "session/authenticator.hpp"
#include "session/ppp_link.hpp"

namespace pppoe::session {

/// One session's own (32 bits: a session that saw 4 billion of anything is long gone).
struct AuthCounters {
  std::uint32_t successes = 0;
  std::uint32_t failures = 0;
  std::uint32_t timeouts = 0;
  std::uint32_t malformed = 0;
};

/// The AC's IPv6CP interface identifier on every session: its link-local address is fe80::1,
/// configured once on the TUN. Clients must pick another one (RFC 5072 section 4.1 Naks ours).
inline constexpr std::uint64_t kAcInterfaceId = 1;

/// A link whose LCP another party negotiated and whose credentials it took (an LNS's view of a
/// LAC's Proxy LCP and Proxy Authentication, l2tp/proxy_lcp.hpp).
struct ProxiedLink {
  std::uint32_t local_magic = 0;
  std::uint32_t peer_magic = 0;
  std::uint16_t peer_mru = 1500;
  ppp::AuthMethod auth = ppp::AuthMethod::kNone;
  AuthRequest request;
};

class ServerSession final : public PppLink {
 public:
  ServerSession(LinkOutput& out, Authenticator& auth, AddressAssigner& addresses, LinkSettings settings,
                ppp::IpcpSettings ipcp, std::string_view ac_name, std::uint32_t seed);

  /// See Ipv6cpHandler::set_in_use_check.
  void set_ipv6_id_in_use_check(std::function<bool(std::uint64_t)> in_use) {
    ipv6cp_handler().set_in_use_check(std::move(in_use));
  }
  /// Instead of start(): LCP as `proxied` says, and its credentials checked at once; the
  /// answer (PAP Ack/Nak, CHAP Success/Failure) goes to the subscriber with its Identifier.
  void start_proxied(const ProxiedLink& proxied, TimePoint now);
  /// Instead of start(): a session another process negotiated and authenticated (a crashed
  /// worker's, from its shared record), continued where it stood: LCP and NCPs Opened, one LCP
  /// Echo-Request at once (keep-alive goes on; the peer sees nothing else).
  void adopt(const LinkSnapshot& snapshot, std::string user, TimePoint now);
  [[nodiscard]] const std::string& user() const { return user_; }
  [[nodiscard]] Ipv4Address peer_address() const { return assigned_; }
  [[nodiscard]] const AuthCounters& auth_counters() const { return counters_; }
  /// What the backend granted (valid once authenticated, until released).
  [[nodiscard]] const AuthResult& authorization() const;
  /// The owner has taken what it needs (when the network came up): 232 octets per session
  /// fewer from then on.
  void release_authorization() { granted_.reset(); }
  [[nodiscard]] bool auth_pending() const { return pending_; }

  /// The Authenticator's answer to the last authenticate() call. Ignored if the link has left
  /// the authentication phase in the meantime.
  void auth_complete(const AuthResult& result, TimePoint now);

 protected:
  void auth_start(TimePoint now) override;
  void auth_receive(ppp::Protocol protocol, Bytes payload, TimePoint now) override;
  void auth_tick(TimePoint now) override;
  [[nodiscard]] std::uint64_t auth_malformed() const override { return counters_.malformed; }
  [[nodiscard]] std::optional<TimePoint> auth_deadline() const override;

 private:
  void receive_pap(Bytes payload, TimePoint now);
  void receive_chap(Bytes payload, TimePoint now);
  void send_challenge();
  /// Success path shared by all methods: an address, then the network phase.
  bool grant(const AuthResult& r);
  void reply_pap(bool ok, std::string_view text);
  void reply_chap(bool ok, std::string_view text);

  Authenticator& auth_;
  AddressAssigner& addresses_;
  std::string_view ac_name_;  ///< the caller's (config, literal): outlives every session
  ppp::NameServers configured_name_servers_;
  ppp::Xorshift rng_;
  Ipv4Address assigned_;  // next to rng_: no padding (one ServerSession per session)
  std::string user_;
  TimePoint auth_deadline_{};
  TimePoint next_challenge_{};
  unsigned challenges_left_ = 0;
  std::uint8_t challenge_id_ = 0;
  std::array<std::uint8_t, 16> challenge_{};
  bool authenticated_ = false;
  bool pending_ = false;
  std::uint8_t reply_id_ = 0;  ///< Identifier of the request being answered
  std::unique_ptr<AuthResult> granted_;
  std::string success_message_;
  AuthCounters counters_;
};

}  // namespace pppoe::session
