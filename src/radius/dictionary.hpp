// RADIUS numbers used by pppoed: packet codes, attribute types and values.
//
//   RFC 2865 (authentication), RFC 2866 (accounting), RFC 2869 (Event-Timestamp, Acct-Interim-
//   Interval, Gigawords), RFC 3579 (Message-Authenticator), RFC 5176 (dynamic authorization),
//   RFC 2548 (Microsoft vendor attributes), RFC 4679 (DSL Forum vendor attributes).
#pragma once

#include <cstdint>

namespace pppoe::radius {

inline constexpr std::size_t kHeaderSize = 20;    ///< code, id, length, authenticator
inline constexpr std::size_t kMaxPacketSize = 4096;  ///< RFC 2865 section 3
inline constexpr std::size_t kAuthenticatorSize = 16;

enum class Code : std::uint8_t {
  kAccessRequest = 1,
  kAccessAccept = 2,
  kAccessReject = 3,
  kAccountingRequest = 4,
  kAccountingResponse = 5,
  kAccessChallenge = 11,
  kDisconnectRequest = 40,  // RFC 5176 section 3
  kDisconnectAck = 41,
  kDisconnectNak = 42,
  kCoaRequest = 43,
  kCoaAck = 44,
  kCoaNak = 45,
};
const char* to_string(Code c);

enum class Attr : std::uint8_t {
  kUserName = 1,
  kUserPassword = 2,
  kChapPassword = 3,
  kNasIpAddress = 4,
  kNasPort = 5,
  kServiceType = 6,
  kFramedProtocol = 7,
  kFramedIpAddress = 8,
  kFramedIpNetmask = 9,
  kFilterId = 11,
  kFramedMtu = 12,
  kReplyMessage = 18,
  kFramedRoute = 22,
  kState = 24,
  kClass = 25,
  kVendorSpecific = 26,
  kSessionTimeout = 27,
  kIdleTimeout = 28,
  kCalledStationId = 30,
  kCallingStationId = 31,
  kNasIdentifier = 32,
  kProxyState = 33,
  kAcctStatusType = 40,
  kAcctDelayTime = 41,
  kAcctInputOctets = 42,
  kAcctOutputOctets = 43,
  kAcctSessionId = 44,
  kAcctAuthentic = 45,
  kAcctSessionTime = 46,
  kAcctInputPackets = 47,
  kAcctOutputPackets = 48,
  kAcctTerminateCause = 49,
  kAcctInputGigawords = 52,
  kAcctOutputGigawords = 53,
  kEventTimestamp = 55,
  kChapChallenge = 60,
  kNasPortType = 61,
  // RFC 2868: tunnel attributes, tagged (the first octet groups the attributes of one tunnel).
  kTunnelType = 64,
  kTunnelMediumType = 65,
  kTunnelClientEndpoint = 66,
  kTunnelServerEndpoint = 67,
  kAcctTunnelConnection = 68,  // RFC 2867 section 4.1
  kTunnelPassword = 69,
  kTunnelAssignmentId = 82,
  kTunnelPreference = 83,
  kTunnelClientAuthId = 90,
  kTunnelServerAuthId = 91,
  kAcctInterimInterval = 85,
  kNasPortId = 87,
  kFramedPool = 88,
  kMessageAuthenticator = 80,
  kErrorCause = 101,  // RFC 5176 section 3.5
  // IPv6 (RFC 3162, RFC 4818, RFC 6911).
  kFramedInterfaceId = 96,
  kFramedIpv6Prefix = 97,
  kFramedIpv6Route = 99,
  kFramedIpv6Pool = 100,
  kDelegatedIpv6Prefix = 123,
  kFramedIpv6Address = 168,
  kDnsServerIpv6Address = 169,
  kDelegatedIpv6PrefixPool = 171,
  kStatefulIpv6AddressPool = 172,
};

enum class ServiceType : std::uint32_t { kFramed = 2 };
enum class FramedProtocol : std::uint32_t { kPpp = 1 };
enum class NasPortType : std::uint32_t { kVirtual = 5, kEthernet = 15 };
enum class AcctAuthentic : std::uint32_t { kRadius = 1, kLocal = 2 };

enum class AcctStatus : std::uint32_t {
  kStart = 1,
  kStop = 2,
  kInterimUpdate = 3,
  kAccountingOn = 7,
  kAccountingOff = 8,
};

/// RFC 2866 section 5.10.
enum class TerminateCause : std::uint32_t {
  kUserRequest = 1,
  kLostCarrier = 2,
  kLostService = 3,
  kIdleTimeout = 4,
  kSessionTimeout = 5,
  kAdminReset = 6,
  kAdminReboot = 7,
  kPortError = 8,
  kNasError = 9,
  kNasRequest = 10,
  kNasReboot = 11,
  kServiceUnavailable = 15,
  kUserError = 17,
};

/// RFC 5176 section 3.5.
enum class ErrorCause : std::uint32_t {
  kResidualSessionContextRemoved = 201,
  kUnsupportedAttribute = 401,
  kMissingAttribute = 402,
  kNasIdentificationMismatch = 403,
  kInvalidRequest = 404,
  kInvalidAttributeValue = 407,
  kUnsupportedService = 405,
  kAdministrativelyProhibited = 501,
  kSessionContextNotFound = 503,
  kSessionContextNotRemovable = 504,
  kResourcesUnavailable = 506,
};

inline constexpr std::uint32_t kVendorMicrosoft = 311;  // RFC 2548
inline constexpr std::uint32_t kVendorDslForum = 3561;  // RFC 4679

/// RFC 2548 section 2.
enum class MsAttr : std::uint8_t {
  kChapError = 2,
  kChapChallenge = 11,
  kMppeSendKey = 16,
  kMppeRecvKey = 17,
  kChap2Response = 25,
  kChap2Success = 26,
  kPrimaryDnsServer = 28,
  kSecondaryDnsServer = 29,
  kPrimaryNbnsServer = 30,
  kSecondaryNbnsServer = 31,
};

/// RFC 4679 section 4 (TR-101 line identification, from the PPPoE Vendor-Specific tag).
enum class DslAttr : std::uint8_t { kAgentCircuitId = 1, kAgentRemoteId = 2 };

// Rate limits as BNGs receive them (radius/policy_attributes.hpp; FreeRADIUS dictionaries
// dictionary.cisco, dictionary.mikrotik, dictionary.wispr).
inline constexpr std::uint32_t kVendorCisco = 9;
inline constexpr std::uint8_t kCiscoAvPair = 1;
inline constexpr std::uint32_t kVendorMikrotik = 14988;
inline constexpr std::uint8_t kMikrotikRateLimit = 8;
inline constexpr std::uint32_t kVendorWispr = 14122;
inline constexpr std::uint8_t kWisprBandwidthMaxUp = 7;    ///< bit/s
inline constexpr std::uint8_t kWisprBandwidthMaxDown = 8;  ///< bit/s

}  // namespace pppoe::radius
