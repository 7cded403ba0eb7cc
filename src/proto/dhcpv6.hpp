// DHCPv6 messages (RFC 8415) as the AC's server on a PPPoE session sees and answers them:
// prefix delegation (IA_PD with IAPREFIX), addresses (IA_NA with IAADDR), Rapid Commit, the
// DNS options of RFC 3646. Also what pppoetest, as a CPE, sends and reads back.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/ipv6.hpp"
#include "common/mac.hpp"

namespace pppoe::dhcpv6 {

/// RFC 8415 section 7.3.
enum class Type : std::uint8_t {
  kSolicit = 1, kAdvertise = 2, kRequest = 3, kConfirm = 4, kRenew = 5, kRebind = 6, kReply = 7,
  kRelease = 8, kDecline = 9, kReconfigure = 10, kInformationRequest = 11,
};
const char* to_string(Type t);

/// RFC 8415 section 21.13.
enum class Status : std::uint16_t {
  kSuccess = 0, kUnspecFail = 1, kNoAddrsAvail = 2, kNoBinding = 3, kNotOnLink = 4, kUseMulticast = 5,
  kNoPrefixAvail = 6,
};

inline constexpr std::uint16_t kClientPort = 546, kServerPort = 547;
/// All_DHCP_Relay_Agents_and_Servers, ff02::1:2 (RFC 8415 section 7.1).
inline constexpr Ipv6Bytes kAllServers{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2};
/// DUIDs are at most 128 octets (section 11.1).
inline constexpr std::size_t kMaxDuid = 128;

struct Lease {
  Ipv6Prefix prefix;         ///< IAPREFIX (IA_PD); for IAADDR the /128 is `address`
  Ipv6Bytes address{};       ///< IAADDR (IA_NA)
  std::uint32_t preferred = 0, valid = 0;
};

/// An identity association: IA_PD or IA_NA, what the client asked or the server gives.
struct Ia {
  std::uint32_t iaid = 0;
  std::uint32_t t1 = 0, t2 = 0;
  std::vector<Lease> leases;
  std::optional<Status> status;  ///< a Status Code inside the IA (the server's answer)
};

struct Message {
  Type type = Type::kSolicit;
  std::uint32_t transaction = 0;  ///< 24 bits
  std::vector<std::uint8_t> client_id, server_id;  ///< DUIDs; empty: absent
  std::vector<Ia> ia_na, ia_pd;
  bool rapid_commit = false;
  std::vector<std::uint16_t> requested_options;  ///< Option Request (ORO)
  std::optional<Status> status;  ///< top-level Status Code
  std::vector<Ipv6Bytes> dns;    ///< OPTION_DNS_SERVERS (RFC 3646)
  std::vector<std::string> domains;  ///< OPTION_DOMAIN_LIST
};

enum class Error : std::uint8_t {
  kTruncated,       ///< shorter than the 4-octet header, or an option running past its container
  kBadOption,       ///< an option whose length does not fit its kind (an IA shorter than 12, ...)
  kDuplicate,       ///< Client or Server Identifier twice (section 16)
  kBadDuid,         ///< empty or over 128 octets
  kTooMany,         ///< more IAs or leases than anyone needs (16): a resource attack
  kRelayed,         ///< Relay-forward/-reply: not on a PPP link
  kUnknownType,
};
const char* to_string(Error e);

/// Decodes the UDP payload of a DHCPv6 message. Unknown options are skipped.
[[nodiscard]] std::expected<Message, Error> decode(Bytes payload);
/// Encodes `m` into `out`; returns the size, or 0 if it does not fit.
std::size_t encode(MutableBytes out, const Message& m);

/// A server DUID of type DUID-LL (RFC 8415 section 11.4) from an Ethernet MAC: the same after
/// a restart, and on both boxes of a standby pair (they share the subscriber-side MAC), so
/// that a CPE's Renew after a takeover finds its server.
std::vector<std::uint8_t> duid_ll(const MacAddress& mac);

}  // namespace pppoe::dhcpv6
