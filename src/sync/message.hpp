// The sync protocol on the wire: what a MASTER streams to its BACKUP over TCP (pppoec's router
// pair: its one session record, spec/004's "re-sync" made exact; pppoed's standby box: every
// session), and how a message proves it comes from the peer.
//
//   header (16 octets, big-endian): magic "PPSY" | version 1 | type | payload length | sequence (64 bits)
//   payload (at most 4096 octets)
//   HMAC-SHA256 (32 octets) over header and payload
//
// A connection starts with one HELLO each way (sequence 0, a fresh 16-octet nonce, keyed with
// the shared key). Every later message is keyed with the connection's own key,
// HMAC-SHA256(shared key, label | connector's nonce | acceptor's nonce), the label naming
// the user ("pppoec pair", "pppoed standby") so that a key shared by both never crosses over, and its
// sequence is exactly one more than the previous one's in that direction: a message recorded
// on another connection, or replayed, reordered or cut on this one, fails.
//
// Everything read is untrusted: the decoder refuses a frame (and the connection must then be
// closed, the stream's framing being lost) for a bad magic, version, type, length, MAC or
// sequence, before any payload is looked at.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe::sync {

inline constexpr std::uint32_t kMagic = 0x50505359;  // "PPSY"
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 16;
inline constexpr std::size_t kMacSize = 32;
inline constexpr std::size_t kMaxPayload = 4096;
inline constexpr std::size_t kNonceSize = 16;

enum class MessageType : std::uint8_t {
  kHello = 1,   ///< nonce, then the sender's node name
  kRecord = 2,  ///< a SessionRecord as session_record.hpp encodes it
  kAck = 3,     ///< the sequence number of the RECORD or GONE received
  kGone = 4,    ///< the session ended on the MASTER: session ID, then the reason
  kRole = 5,    ///< pppoed standby: the sender's role and readiness (also its heartbeat)
  kSnapshotDone = 6,  ///< pppoed standby: every session of the MASTER has been sent since HELLO
};
const char* to_string(MessageType t);

/// Why a frame was refused; each kind has its own counter.
enum class Refusal : std::uint8_t { kBadMagic, kBadVersion, kBadType, kTooLong, kBadMac, kBadSequence, kBadPayload };
inline constexpr std::size_t kRefusalKinds = 7;
const char* to_string(Refusal r);

using Key = std::array<std::uint8_t, 32>;

struct Message {
  MessageType type = MessageType::kHello;
  std::uint64_t sequence = 0;
  std::vector<std::uint8_t> payload;
};

/// The shared key as configured (any length; the operator's text) turned into an HMAC key.
Key shared_key(std::string_view configured);
/// The connection's key from both HELLOs' nonces.
Key connection_key(const Key& shared, std::string_view label, Bytes connector_nonce, Bytes acceptor_nonce);

/// One framed, authenticated message.
std::vector<std::uint8_t> encode(MessageType type, std::uint64_t sequence, Bytes payload, const Key& key);

/// Splits a TCP byte stream into verified messages, in sequence.
class StreamDecoder {
 public:
  void feed(Bytes data);
  /// The next complete message, verified with `key` and required to carry the next sequence
  /// number; nullopt when more bytes are needed. After a refusal the stream is unusable.
  std::expected<std::optional<Message>, Refusal> next(const Key& key);
  /// Bytes held that do not make a whole frame yet.
  [[nodiscard]] std::size_t buffered() const { return buffer_.size() - start_; }

 private:
  std::vector<std::uint8_t> buffer_;
  std::size_t start_ = 0;
  std::uint64_t expected_sequence_ = 0;
};

struct Hello {
  std::array<std::uint8_t, kNonceSize> nonce{};
  std::string node;  ///< the sender's name (for logs and `show pair`), at most 64 octets
};
std::vector<std::uint8_t> encode_hello(const Hello& h);
std::expected<Hello, Refusal> decode_hello(Bytes payload);

struct Gone {
  std::uint16_t session_id = 0;
  std::string reason;  ///< at most 64 octets
};
std::vector<std::uint8_t> encode_gone(const Gone& g);
std::expected<Gone, Refusal> decode_gone(Bytes payload);

std::vector<std::uint8_t> encode_ack(std::uint64_t sequence);
std::expected<std::uint64_t, Refusal> decode_ack(Bytes payload);

}  // namespace pppoe::sync
