// PPPoE (RFC 2516) discovery and session headers and discovery tags.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  VER  | TYPE  |      CODE     |          SESSION_ID           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |            LENGTH             |           payload             ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//                                              (RFC 2516 section 4)
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe::pppoe_proto {

enum class Code : std::uint8_t {
  kSession = 0x00,
  kPado = 0x07,
  kPadi = 0x09,
  kPadr = 0x19,
  kPads = 0x65,
  kPadt = 0xa7,
};

/// Tag types, RFC 2516 appendix A; PPP-Max-Payload from RFC 4638.
enum class TagType : std::uint16_t {
  kEndOfList = 0x0000,
  kServiceName = 0x0101,
  kAcName = 0x0102,
  kHostUniq = 0x0103,
  kAcCookie = 0x0104,
  kVendorSpecific = 0x0105,
  kRelaySessionId = 0x0110,
  kPppMaxPayload = 0x0120,
  kServiceNameError = 0x0201,
  kAcSystemError = 0x0202,
  kGenericError = 0x0203,
};

inline constexpr std::size_t kHeaderSize = 6;

/// The two ethertypes of PPPoE: RFC 2516's (section 3), or the "nonstandard" pair that 3Com
/// HomeConnect ADSL modems use (FreeBSD handbook 30.4.2; ng_pppoe's nonstandard mode).
struct EtherTypes {
  std::uint16_t discovery = 0x8863;
  std::uint16_t session = 0x8864;
  static constexpr EtherTypes standard() { return {}; }
  static constexpr EtherTypes nonstandard() { return {0x3c12, 0x3c13}; }
};
/// Session IDs 0x0000 and 0xffff are reserved (RFC 2516 section 4).
inline constexpr std::uint16_t kMaxSessionId = 0xfffe;

struct Header {
  std::uint8_t version = 1;
  std::uint8_t type = 1;
  Code code = Code::kSession;
  std::uint16_t session_id = 0;
  std::uint16_t length = 0;
};

/// Reasons a PPPoE frame is dropped; each is a drop counter.
enum class Error : std::uint8_t {
  kTruncatedHeader,
  kBadVersionType,
  kLengthPastFrame,
  kUnknownCode,
  kTruncatedTag,
  kDuplicateTag,
  kTagTooLong,
};
inline constexpr std::size_t kErrorCount = 7;
const char* to_string(Error e);

struct Packet {
  Header header;
  Bytes payload;  ///< exactly `header.length` bytes; Ethernet padding removed
};

/// Decodes the 6-byte header, checks VER=1, TYPE=1 (section 4), and that LENGTH fits the frame.
[[nodiscard]] std::expected<Packet, Error> decode(Bytes data);
void encode_header(const Header& h, ByteWriter& w);

/// The tags of a discovery packet. Unknown tags are skipped (section 4: "unknown TAG_TYPEs
/// MUST be ignored"), Vendor-Specific is kept only as a count.
struct Tags {
  std::optional<std::string> service_name;
  /// Further Service-Name tags (a PADO may list every service offered, section 5.2).
  std::vector<std::string> more_service_names;
  std::optional<std::string> ac_name;
  std::optional<std::vector<std::uint8_t>> host_uniq;
  std::optional<std::vector<std::uint8_t>> ac_cookie;
  std::optional<std::vector<std::uint8_t>> relay_session_id;
  std::optional<std::uint16_t> ppp_max_payload;
  std::optional<std::string> service_name_error;
  std::optional<std::string> ac_system_error;
  std::optional<std::string> generic_error;
  unsigned vendor_specific = 0;
  /// TR-101 line identification an intermediate agent added (Vendor-Specific tag, vendor 3561,
  /// sub-options 1 Agent-Circuit-ID and 2 Agent-Remote-ID, at most 63 octets each).
  std::string circuit_id, remote_id;
};

/// Parses a discovery payload into tags. Tag values are bounded by kMaxTagValue.
[[nodiscard]] std::expected<Tags, Error> decode_tags(Bytes payload);
inline constexpr std::size_t kMaxTagValue = 1484;

/// Writes one tag.
void encode_tag(ByteWriter& w, TagType type, Bytes value);
/// Writes every tag that is set, in a fixed order.
void encode_tags(ByteWriter& w, const Tags& tags);

/// Builds a complete discovery packet (header + tags); returns its size or 0 on overflow.
std::size_t encode_discovery(MutableBytes out, Code code, std::uint16_t session_id,
                             const Tags& tags);

}  // namespace pppoe::pppoe_proto
