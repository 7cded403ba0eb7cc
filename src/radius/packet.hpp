// RADIUS packets (RFC 2865 section 3): parsing into views over untrusted bytes, and building.
//
//   0      1      2             4                        20
//   | Code | Id   | Length      | Authenticator (16)     | Attributes: Type, Length, Value ...
//
// Parsing checks every length against the buffer; octets past Length are padding and ignored
// (RFC 2865 section 3). Building writes into a fixed 4096-octet buffer and never grows it;
// the authenticators and Message-Authenticator are computed by crypto.hpp when sealing.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/ipv4.hpp"
#include "common/ipv6.hpp"
#include "radius/dictionary.hpp"

namespace pppoe::radius {

using Authenticator = std::array<std::uint8_t, kAuthenticatorSize>;

enum class Error : std::uint8_t {
  kTooShort,            ///< fewer than 20 octets, or Length beyond the datagram
  kBadLength,           ///< Length below 20 or above 4096
  kBadAttributeLength,  ///< an attribute's length below 2 or past the packet's end
};
const char* to_string(Error e);

struct Attribute {
  std::uint8_t type = 0;
  Bytes value;
};

/// A parsed packet: views into the caller's buffer, valid while it lives.
struct PacketView {
  Code code = Code::kAccessRequest;
  std::uint8_t id = 0;
  Authenticator authenticator{};
  Bytes raw;  ///< the whole packet, exactly Length octets
  std::vector<Attribute> attributes;

  [[nodiscard]] std::optional<Bytes> find(Attr type) const;
  [[nodiscard]] std::size_t count(Attr type) const;
  [[nodiscard]] std::optional<std::uint32_t> u32(Attr type) const;
  [[nodiscard]] std::optional<std::string_view> text(Attr type) const;
  [[nodiscard]] std::optional<Ipv4Address> address(Attr type) const;
  /// RFC 3162 section 2.3's prefix format (Framed-IPv6-Prefix, Delegated-IPv6-Prefix): a
  /// reserved octet, the length, then as many prefix octets as the length needs. Only lengths
  /// 1..64 (what pppoed delegates); bits past the length must be zero.
  [[nodiscard]] std::optional<Ipv6Prefix> ipv6_prefix(Attr type) const;
  /// Every 16-octet IPv6 address attribute `type` (DNS-Server-IPv6-Address may repeat).
  [[nodiscard]] std::vector<Ipv6Bytes> ipv6_addresses(Attr type) const;
  /// The first sub-attribute `type` of vendor `vendor` in any Vendor-Specific attribute
  /// (RFC 2865 section 5.26: Vendor-Id (4), then Vendor-Type, Vendor-Length, value).
  [[nodiscard]] std::optional<Bytes> vendor(std::uint32_t vendor, std::uint8_t type) const;
  /// Every sub-attribute `type` of vendor `vendor`, in order (Cisco-AVPair repeats).
  [[nodiscard]] std::vector<Bytes> vendor_all(std::uint32_t vendor, std::uint8_t type) const;
};

[[nodiscard]] std::expected<PacketView, Error> decode(Bytes datagram);

/// Walks attributes (Type, Length, Value) of `data`; false on a malformed one.
bool for_each_attribute(Bytes data, const std::function<void(std::uint8_t, Bytes)>& f);

/// Builds one packet. Attribute helpers drop nothing silently: an attribute that does not fit
/// (value over 253 octets, packet over 4096) sets overflow().
class PacketBuilder {
 public:
  PacketBuilder(Code code, std::uint8_t id);

  void set_authenticator(const Authenticator& a);
  void add(Attr type, Bytes value);
  void add(Attr type, std::string_view text) { add(type, as_bytes(text)); }
  void add_u32(Attr type, std::uint32_t value);
  void add_address(Attr type, Ipv4Address a) { add_u32(type, a.value); }
  /// RFC 3162 section 2.3: reserved, length, the prefix's significant octets.
  void add_ipv6_prefix(Attr type, Ipv6Prefix p);
  void add_vendor(std::uint32_t vendor, std::uint8_t type, Bytes value);
  /// Raw attributes already encoded (Type, Length, Value ...), e.g. a stored request body.
  void add_encoded(Bytes attributes);
  /// A Message-Authenticator of 16 zero octets, filled in when the packet is sealed. RFC 3579
  /// section 3.2 allows it anywhere; first is where the Blast-RADIUS advisory wants it.
  void add_message_authenticator_placeholder();

  [[nodiscard]] bool overflow() const { return overflow_; }
  [[nodiscard]] Code code() const { return static_cast<Code>(buf_[0]); }
  [[nodiscard]] std::uint8_t id() const { return buf_[1]; }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::optional<std::size_t> message_authenticator_offset() const { return ma_offset_; }
  /// The packet so far with its Length field set.
  MutableBytes finish();
  /// Just the attributes added so far (a request body to store or send later).
  [[nodiscard]] std::vector<std::uint8_t> attributes() const {
    return {buf_.begin() + kHeaderSize, buf_.begin() + static_cast<std::ptrdiff_t>(size_)};
  }

 private:
  bool room(std::size_t n);
  std::array<std::uint8_t, kMaxPacketSize> buf_{};
  std::size_t size_ = kHeaderSize;
  std::optional<std::size_t> ma_offset_;
  bool overflow_ = false;
};

}  // namespace pppoe::radius
