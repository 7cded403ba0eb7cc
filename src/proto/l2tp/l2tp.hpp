// L2TPv2 on the wire (RFC 2661): the header of control and data messages (section 3.1), AVPs
// (section 4.1) including hidden ones (section 4.3), and the tunnel authentication response
// (section 4.4.3, "Challenge Response"). Pure codecs: no socket, no clock, no random source
// (the random vector of a hidden AVP is passed in).
//
// Everything decoded here comes from the network: lengths are checked against what is there,
// reserved bits and the version are judged as the RFC says, and each refusal has its own
// reason, so that the caller can count it and answer with the right result and error code.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe::l2tp {

inline constexpr std::uint16_t kUdpPort = 1701;  // section 8.1

// Header flag bits (section 3.1).
inline constexpr std::uint16_t kFlagType = 0x8000;      // T: control message
inline constexpr std::uint16_t kFlagLength = 0x4000;    // L: length field present
inline constexpr std::uint16_t kFlagSequence = 0x0800;  // S: Ns and Nr present
inline constexpr std::uint16_t kFlagOffset = 0x0200;    // O: offset size present
inline constexpr std::uint16_t kFlagPriority = 0x0100;  // P: data message to be sent first
inline constexpr std::uint16_t kVersionMask = 0x000f;
inline constexpr std::uint16_t kVersion = 2;

struct Header {
  bool control = false;
  bool has_length = false;
  bool has_sequence = false;
  bool has_offset = false;
  bool priority = false;
  std::uint16_t length = 0;  ///< the whole message, header included (when has_length)
  std::uint16_t tunnel_id = 0;
  std::uint16_t session_id = 0;
  std::uint16_t ns = 0;
  std::uint16_t nr = 0;
};

enum class HeaderError : std::uint8_t {
  kTruncated,
  kBadVersion,        ///< not 2 (an L2F packet, version 1, or L2TPv3)
  kControlFlags,      ///< a control message without L and S, or with O or P (section 3.1)
  kBadLength,         ///< the length field disagrees with the datagram
  kBadOffset,         ///< the offset padding runs past the end
};
const char* to_string(HeaderError e);

struct Message {
  Header header;
  Bytes payload;  ///< control: the AVPs; data: the PPP frame
};

/// Decodes one UDP payload. The payload is a view into `datagram`.
std::expected<Message, HeaderError> decode(Bytes datagram);

/// A control message: T, L and S set, the length filled in. Returns the octets written, 0 when
/// `out` is too small.
std::size_t encode_control(MutableBytes out, std::uint16_t tunnel_id, std::uint16_t session_id, std::uint16_t ns,
                           std::uint16_t nr, Bytes avps);
/// A data message: with sequence numbers when `sequence` is given (the LNS asked for them,
/// section 5.4 "Sequencing Required"), without a length field or offset (as deployed LACs send).
std::size_t encode_data(MutableBytes out, std::uint16_t tunnel_id, std::uint16_t session_id,
                        std::optional<std::pair<std::uint16_t, std::uint16_t>> sequence, Bytes ppp_frame);
/// The size of the header encode_data writes.
inline constexpr std::size_t data_header_size(bool sequence) { return sequence ? 10 : 6; }

// --- AVPs (section 4.1, 4.4) ---

enum class MessageType : std::uint16_t {
  kSccrq = 1, kSccrp = 2, kScccn = 3, kStopccn = 4, kHello = 6,
  kOcrq = 7, kOcrp = 8, kOccn = 9, kIcrq = 10, kIcrp = 11, kIccn = 12,
  kCdn = 14, kWen = 15, kSli = 16,
};
const char* to_string(MessageType t);
/// True for the types RFC 2661 defines (an unknown one with the M bit ends the tunnel).
bool known_message_type(std::uint16_t t);

enum class AvpType : std::uint16_t {
  kMessageType = 0, kResultCode = 1, kProtocolVersion = 2, kFramingCapabilities = 3,
  kBearerCapabilities = 4, kTieBreaker = 5, kFirmwareRevision = 6, kHostName = 7, kVendorName = 8,
  kAssignedTunnelId = 9, kReceiveWindowSize = 10, kChallenge = 11, kQ931CauseCode = 12,
  kChallengeResponse = 13, kAssignedSessionId = 14, kCallSerialNumber = 15, kMinimumBps = 16,
  kMaximumBps = 17, kBearerType = 18, kFramingType = 19, kCalledNumber = 21, kCallingNumber = 22,
  kSubAddress = 23, kTxConnectSpeed = 24, kPhysicalChannelId = 25, kInitialReceivedConfreq = 26,
  kLastSentConfreq = 27, kLastReceivedConfreq = 28, kProxyAuthenType = 29, kProxyAuthenName = 30,
  kProxyAuthenChallenge = 31, kProxyAuthenId = 32, kProxyAuthenResponse = 33, kCallErrors = 34,
  kAccm = 35, kRandomVector = 36, kPrivateGroupId = 37, kRxConnectSpeed = 38,
  kSequencingRequired = 39,
};
/// True for the attributes of RFC 2661 (vendor 0) that this implementation understands.
bool known_avp(std::uint16_t vendor, std::uint16_t type);

// Result codes (section 4.4.2).
namespace result {
inline constexpr std::uint16_t kStopClear = 1, kStopGeneralError = 2, kStopAlreadyExists = 3,
                               kStopNotAuthorized = 4, kStopBadVersion = 5, kStopShuttingDown = 6,
                               kStopFsmError = 7;
inline constexpr std::uint16_t kCdnLostCarrier = 1, kCdnGeneralError = 2, kCdnAdmin = 3,
                               kCdnTemporary = 4, kCdnPermanent = 5, kCdnInvalidDestination = 6,
                               kCdnNotEstablished = 10, kCdnNoFraming = 11;
}  // namespace result
namespace error {
inline constexpr std::uint16_t kNone = 0, kNoControlConnection = 1, kBadLength = 2,
                               kOutOfRange = 3, kNoResources = 4, kInvalidSessionId = 5,
                               kVendorSpecific = 6, kTryAnother = 7, kUnknownMandatoryAvp = 8;
}  // namespace error

struct Avp {
  bool mandatory = false;
  bool hidden = false;     ///< as received; value() is already revealed by the decoder
  std::uint16_t vendor = 0;
  std::uint16_t type = 0;
  std::vector<std::uint8_t> value;

  [[nodiscard]] std::optional<std::uint16_t> u16() const;
  [[nodiscard]] std::optional<std::uint32_t> u32() const;
  [[nodiscard]] std::optional<std::uint64_t> u64() const;
  [[nodiscard]] std::string_view text() const { return as_text(Bytes(value)); }
};

enum class AvpError : std::uint8_t {
  kTruncated,           ///< the AVP's length runs past the message
  kBadLength,           ///< shorter than its 6-octet header
  kReservedBits,        ///< the 4 reserved bits are not 0 (section 4.1: the AVP is treated as unknown; with M: tear down)
  kHiddenWithoutVector, ///< H set and no Random Vector AVP before it (section 4.3)
  kHiddenWithoutSecret, ///< H set and no shared secret configured
  kHiddenBadLength,     ///< the revealed original length does not fit
  kFirstNotMessageType, ///< section 4.4.1: the Message Type AVP comes first
  kBadMessageType,      ///< Message Type AVP of the wrong size
};
const char* to_string(AvpError e);

struct ControlMessage {
  std::optional<MessageType> type;  ///< nullopt: a ZLB acknowledgement (no AVPs)
  std::uint16_t raw_type = 0;       ///< the number sent, also for an unknown type
  std::vector<Avp> avps;            ///< in order, the Message Type AVP included

  [[nodiscard]] const Avp* find(AvpType t) const;
  /// The Result Code AVP (section 4.4.2): the result, and "`prefix`: message" when the peer
  /// gave a message. Result 0 when there is none.
  [[nodiscard]] std::pair<std::uint16_t, std::string> result(const std::string& prefix) const;
  /// The first mandatory AVP this implementation does not know (section 4.1: "MUST" tear
  /// down the tunnel or session), or nullptr.
  [[nodiscard]] const Avp* unknown_mandatory() const;
};

/// Decodes the AVPs of a control message; hidden AVPs are revealed with `secret` (section 4.3).
std::expected<ControlMessage, AvpError> decode_avps(Bytes avps, std::string_view secret);

/// Writes AVPs one after another.
class AvpWriter {
 public:
  explicit AvpWriter(MutableBytes out) : w_(out) {}
  void u16(AvpType t, std::uint16_t v, bool mandatory = true);
  void u32(AvpType t, std::uint32_t v, bool mandatory = true);
  void u64(AvpType t, std::uint64_t v, bool mandatory = true);
  void bytes(AvpType t, Bytes v, bool mandatory = true);
  void text(AvpType t, std::string_view v, bool mandatory = true) { bytes(t, as_bytes(v), mandatory); }
  /// A vendor-specific AVP (section 4.1: Vendor ID other than 0), never mandatory here.
  void vendor_bytes(std::uint16_t vendor, std::uint16_t type, Bytes v);
  void message_type(MessageType t) { u16(AvpType::kMessageType, static_cast<std::uint16_t>(t)); }
  /// Result Code AVP: result, error and an optional message (section 4.4.2).
  void result_code(std::uint16_t result, std::uint16_t error, std::string_view message = {});
  /// A hidden AVP (section 4.3); a Random Vector AVP with `vector` must precede it in the
  /// message (random_vector() writes one).
  void hidden(AvpType t, Bytes v, std::string_view secret, Bytes vector, bool mandatory = true);
  void random_vector(Bytes vector) { bytes(AvpType::kRandomVector, vector, true); }
  [[nodiscard]] std::size_t size() const { return w_.size(); }
  [[nodiscard]] bool overflow() const { return w_.overflow(); }

 private:
  void header(bool mandatory, bool hidden, std::size_t value_size, AvpType t);
  ByteWriter w_;
};

/// The Challenge Response of section 4.4.3 / 5.1.1: MD5 over the Message Type ID (one octet: 2
/// in SCCRP, 3 in SCCCN), the shared secret and the peer's challenge.
std::array<std::uint8_t, 16> challenge_response(MessageType in_message, std::string_view secret, Bytes challenge);

/// Section 4.3: hides or reveals an AVP value (the same XOR stream both ways after the length
/// sub-field). Exposed for the tests.
std::vector<std::uint8_t> hide_value(std::uint16_t type, Bytes value, std::string_view secret, Bytes vector);
std::optional<std::vector<std::uint8_t>> reveal_value(std::uint16_t type, Bytes hidden, std::string_view secret,
                                                      Bytes vector);

}  // namespace pppoe::l2tp
