#include "sync/message.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstring>

namespace pppoe::sync {
namespace {

constexpr std::size_t kMaxText = 64;

Key hmac(const Key& key, Bytes a, Bytes b = {}, Bytes c = {}) {
  Key out{};
  unsigned int n = 0;
  // One-shot HMAC over the concatenation; the parts are small.
  std::vector<std::uint8_t> data;
  data.reserve(a.size() + b.size() + c.size());
  data.insert(data.end(), a.begin(), a.end());
  data.insert(data.end(), b.begin(), b.end());
  data.insert(data.end(), c.begin(), c.end());
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(), &n);
  return out;
}

bool valid_type(std::uint8_t t) { return t >= 1 && t <= 6; }

std::vector<std::uint8_t> with_text(std::vector<std::uint8_t> head, std::string_view text) {
  text = text.substr(0, kMaxText);
  head.insert(head.end(), text.begin(), text.end());
  return head;
}

bool printable(Bytes text) {
  for (std::uint8_t c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

}  // namespace

const char* to_string(MessageType t) {
  switch (t) {
    case MessageType::kHello: return "hello";
    case MessageType::kRecord: return "record";
    case MessageType::kAck: return "ack";
    case MessageType::kGone: return "gone";
    case MessageType::kRole: return "role";
    case MessageType::kSnapshotDone: return "snapshot_done";
  }
  return "?";
}

const char* to_string(Refusal r) {
  switch (r) {
    case Refusal::kBadMagic: return "bad_magic";
    case Refusal::kBadVersion: return "bad_version";
    case Refusal::kBadType: return "bad_type";
    case Refusal::kTooLong: return "too_long";
    case Refusal::kBadMac: return "bad_mac";
    case Refusal::kBadSequence: return "bad_sequence";
    case Refusal::kBadPayload: return "bad_payload";
  }
  return "?";
}

Key shared_key(std::string_view configured) {
  Key k{};
  SHA256(reinterpret_cast<const unsigned char*>(configured.data()), configured.size(), k.data());
  return k;
}

Key connection_key(const Key& shared, std::string_view label, Bytes connector_nonce, Bytes acceptor_nonce) {
  return hmac(shared, as_bytes(label), connector_nonce, acceptor_nonce);
}

std::vector<std::uint8_t> encode(MessageType type, std::uint64_t sequence, Bytes payload, const Key& key) {
  if (payload.size() > kMaxPayload) payload = payload.first(kMaxPayload);
  std::vector<std::uint8_t> out(kHeaderSize + payload.size() + kMacSize);
  ByteWriter w(out);
  w.u32(kMagic);
  w.u8(kVersion);
  w.u8(static_cast<std::uint8_t>(type));
  w.u16(static_cast<std::uint16_t>(payload.size()));
  w.u32(static_cast<std::uint32_t>(sequence >> 32));
  w.u32(static_cast<std::uint32_t>(sequence));
  w.bytes(payload);
  Key mac = hmac(key, Bytes(out.data(), kHeaderSize + payload.size()));
  std::memcpy(out.data() + kHeaderSize + payload.size(), mac.data(), kMacSize);
  return out;
}

void StreamDecoder::feed(Bytes data) {
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), data.begin(), data.end());
}

std::expected<std::optional<Message>, Refusal> StreamDecoder::next(const Key& key) {
  Bytes rest(buffer_.data() + start_, buffer_.size() - start_);
  if (rest.size() < kHeaderSize) return std::optional<Message>{};
  ByteReader r(rest);
  std::uint32_t magic = *r.u32();
  std::uint8_t version = *r.u8();
  std::uint8_t type = *r.u8();
  std::uint16_t length = *r.u16();
  std::uint64_t sequence = (std::uint64_t{*r.u32()} << 32) | *r.u32();
  // The header is judged before waiting for the rest: a stream that lost its framing must not
  // make us buffer up to what a bogus length says.
  if (magic != kMagic) return std::unexpected(Refusal::kBadMagic);
  if (version != kVersion) return std::unexpected(Refusal::kBadVersion);
  if (!valid_type(type)) return std::unexpected(Refusal::kBadType);
  if (length > kMaxPayload) return std::unexpected(Refusal::kTooLong);
  std::size_t total = kHeaderSize + length + kMacSize;
  if (rest.size() < total) return std::optional<Message>{};
  Key mac = hmac(key, rest.first(kHeaderSize + length));
  if (CRYPTO_memcmp(mac.data(), rest.data() + kHeaderSize + length, kMacSize) != 0)
    return std::unexpected(Refusal::kBadMac);
  if (sequence != expected_sequence_) return std::unexpected(Refusal::kBadSequence);
  ++expected_sequence_;
  Message m;
  m.type = static_cast<MessageType>(type);
  m.sequence = sequence;
  m.payload.assign(rest.begin() + kHeaderSize, rest.begin() + static_cast<std::ptrdiff_t>(kHeaderSize + length));
  start_ += total;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  return std::optional<Message>(std::move(m));
}

std::vector<std::uint8_t> encode_hello(const Hello& h) {
  return with_text(std::vector<std::uint8_t>(h.nonce.begin(), h.nonce.end()), h.node);
}

std::expected<Hello, Refusal> decode_hello(Bytes payload) {
  if (payload.size() < kNonceSize || payload.size() > kNonceSize + kMaxText) return std::unexpected(Refusal::kBadPayload);
  Bytes name = payload.subspan(kNonceSize);
  if (!printable(name)) return std::unexpected(Refusal::kBadPayload);
  Hello h;
  std::memcpy(h.nonce.data(), payload.data(), kNonceSize);
  h.node = std::string(as_text(name));
  return h;
}

std::vector<std::uint8_t> encode_gone(const Gone& g) {
  return with_text({static_cast<std::uint8_t>(g.session_id >> 8), static_cast<std::uint8_t>(g.session_id)}, g.reason);
}

std::expected<Gone, Refusal> decode_gone(Bytes payload) {
  if (payload.size() < 2 || payload.size() > 2 + kMaxText) return std::unexpected(Refusal::kBadPayload);
  Bytes reason = payload.subspan(2);
  if (!printable(reason)) return std::unexpected(Refusal::kBadPayload);
  Gone g;
  g.session_id = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
  g.reason = std::string(as_text(reason));
  return g;
}

std::vector<std::uint8_t> encode_ack(std::uint64_t sequence) {
  std::vector<std::uint8_t> out(8);
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sequence >> (56 - 8 * i));
  return out;
}

std::expected<std::uint64_t, Refusal> decode_ack(Bytes payload) {
  if (payload.size() != 8) return std::unexpected(Refusal::kBadPayload);
  std::uint64_t v = 0;
  for (std::uint8_t b : payload) v = (v << 8) | b;
  return v;
}

}  // namespace pppoe::sync
