#include "radius/packet.hpp"

#include <algorithm>
#include <cstring>

namespace pppoe::radius {

const char* to_string(Code c) {
  switch (c) {
    case Code::kAccessRequest: return "Access-Request";
    case Code::kAccessAccept: return "Access-Accept";
    case Code::kAccessReject: return "Access-Reject";
    case Code::kAccountingRequest: return "Accounting-Request";
    case Code::kAccountingResponse: return "Accounting-Response";
    case Code::kAccessChallenge: return "Access-Challenge";
    case Code::kDisconnectRequest: return "Disconnect-Request";
    case Code::kDisconnectAck: return "Disconnect-ACK";
    case Code::kDisconnectNak: return "Disconnect-NAK";
    case Code::kCoaRequest: return "CoA-Request";
    case Code::kCoaAck: return "CoA-ACK";
    case Code::kCoaNak: return "CoA-NAK";
  }
  return "unknown";
}

const char* to_string(Error e) {
  switch (e) {
    case Error::kTooShort: return "truncated packet";
    case Error::kBadLength: return "bad length field";
    case Error::kBadAttributeLength: return "bad attribute length";
  }
  return "unknown";
}

bool for_each_attribute(Bytes data, const std::function<void(std::uint8_t, Bytes)>& f) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < 2) return false;
    std::uint8_t type = data[pos];
    std::size_t len = data[pos + 1];
    if (len < 2 || len > data.size() - pos) return false;
    f(type, data.subspan(pos + 2, len - 2));
    pos += len;
  }
  return true;
}

std::expected<PacketView, Error> decode(Bytes datagram) {
  if (datagram.size() < kHeaderSize) return std::unexpected(Error::kTooShort);
  std::size_t length = (std::size_t{datagram[2]} << 8) | datagram[3];
  if (length < kHeaderSize || length > kMaxPacketSize) return std::unexpected(Error::kBadLength);
  if (length > datagram.size()) return std::unexpected(Error::kTooShort);  // RFC 2865 section 3: silently discard
  PacketView p;
  p.code = static_cast<Code>(datagram[0]);
  p.id = datagram[1];
  std::copy_n(datagram.begin() + 4, kAuthenticatorSize, p.authenticator.begin());
  p.raw = datagram.first(length);
  bool ok = for_each_attribute(p.raw.subspan(kHeaderSize),
                               [&](std::uint8_t type, Bytes value) { p.attributes.push_back({type, value}); });
  if (!ok) return std::unexpected(Error::kBadAttributeLength);
  return p;
}

std::optional<Bytes> PacketView::find(Attr type) const {
  for (const auto& a : attributes)
    if (a.type == static_cast<std::uint8_t>(type)) return a.value;
  return std::nullopt;
}

std::size_t PacketView::count(Attr type) const {
  return static_cast<std::size_t>(
      std::count_if(attributes.begin(), attributes.end(), [&](const Attribute& a) { return a.type == static_cast<std::uint8_t>(type); }));
}

std::optional<std::uint32_t> PacketView::u32(Attr type) const {
  auto v = find(type);
  if (!v || v->size() != 4) return std::nullopt;
  return ByteReader(*v).u32();
}

std::optional<std::string_view> PacketView::text(Attr type) const {
  auto v = find(type);
  if (!v) return std::nullopt;
  return as_text(*v);
}

std::optional<Ipv4Address> PacketView::address(Attr type) const {
  auto v = u32(type);
  if (!v) return std::nullopt;
  return Ipv4Address{*v};
}

std::optional<Ipv6Prefix> PacketView::ipv6_prefix(Attr type) const {
  auto v = find(type);
  if (!v || v->size() < 2 || v->size() > 18) return std::nullopt;
  std::uint8_t length = (*v)[1];
  if (length < 1 || length > 64 || v->size() - 2 < (length + 7u) / 8) return std::nullopt;
  Ipv6Bytes a{};
  std::copy_n(v->begin() + 2, std::min<std::size_t>(v->size() - 2, 16), a.begin());
  Ipv6Prefix p{upper_64(a), length};
  bool host_bits = (p.upper & ~p.mask()) != 0 || std::any_of(a.begin() + 8, a.end(), [](std::uint8_t b) { return b != 0; });
  if (host_bits) return std::nullopt;
  return p;
}

std::vector<Ipv6Bytes> PacketView::ipv6_addresses(Attr type) const {
  std::vector<Ipv6Bytes> out;
  for (const auto& a : attributes)
    if (a.type == static_cast<std::uint8_t>(type) && a.value.size() == 16) {
      Ipv6Bytes x{};
      std::copy_n(a.value.begin(), 16, x.begin());
      out.push_back(x);
    }
  return out;
}

std::vector<Bytes> PacketView::vendor_all(std::uint32_t vendor_id, std::uint8_t type) const {
  std::vector<Bytes> found;
  for (const auto& a : attributes) {
    if (a.type != static_cast<std::uint8_t>(Attr::kVendorSpecific)) continue;
    ByteReader r(a.value);
    auto vid = r.u32();
    if (!vid || *vid != vendor_id) continue;
    // The vendors read here use the RFC 2865 suggested format; the walk stops at a malformed
    // sub-attribute (what came before it counts).
    for_each_attribute(r.rest(), [&](std::uint8_t t, Bytes v) {
      if (t == type) found.push_back(v);
    });
  }
  return found;
}

std::optional<Bytes> PacketView::vendor(std::uint32_t vendor_id, std::uint8_t type) const {
  auto all = vendor_all(vendor_id, type);
  if (all.empty()) return std::nullopt;
  return all.front();
}

PacketBuilder::PacketBuilder(Code code, std::uint8_t id) {
  buf_[0] = static_cast<std::uint8_t>(code);
  buf_[1] = id;
}

void PacketBuilder::set_authenticator(const Authenticator& a) { std::copy(a.begin(), a.end(), buf_.begin() + 4); }

bool PacketBuilder::room(std::size_t n) {
  if (overflow_ || n > buf_.size() - size_) {
    overflow_ = true;
    return false;
  }
  return true;
}

void PacketBuilder::add(Attr type, Bytes value) {
  if (value.size() > 253 || !room(value.size() + 2)) {
    overflow_ = true;
    return;
  }
  buf_[size_] = static_cast<std::uint8_t>(type);
  buf_[size_ + 1] = static_cast<std::uint8_t>(value.size() + 2);
  if (!value.empty()) std::memcpy(&buf_[size_ + 2], value.data(), value.size());
  size_ += value.size() + 2;
}

void PacketBuilder::add_ipv6_prefix(Attr type, Ipv6Prefix p) {
  std::array<std::uint8_t, 18> v{};
  v[1] = p.length;
  Ipv6Bytes a = p.address();
  std::size_t octets = (p.length + 7u) / 8;
  std::copy_n(a.begin(), octets, v.begin() + 2);
  add(type, Bytes(v.data(), 2 + octets));
}

void PacketBuilder::add_u32(Attr type, std::uint32_t value) {
  std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
                                static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
  add(type, Bytes(b));
}

void PacketBuilder::add_vendor(std::uint32_t vendor, std::uint8_t type, Bytes value) {
  if (value.size() > 247) {
    overflow_ = true;
    return;
  }
  std::array<std::uint8_t, 253> v{};
  ByteWriter w(v);
  w.u32(vendor);
  w.u8(type);
  w.u8(static_cast<std::uint8_t>(value.size() + 2));
  w.bytes(value);
  add(Attr::kVendorSpecific, Bytes(v.data(), w.size()));
}

void PacketBuilder::add_encoded(Bytes attributes) {
  if (!room(attributes.size())) return;
  if (!attributes.empty()) std::memcpy(&buf_[size_], attributes.data(), attributes.size());
  size_ += attributes.size();
}

void PacketBuilder::add_message_authenticator_placeholder() {
  std::array<std::uint8_t, 16> zero{};
  std::size_t at = size_;
  add(Attr::kMessageAuthenticator, Bytes(zero));
  if (!overflow_) ma_offset_ = at + 2;
}

MutableBytes PacketBuilder::finish() {
  buf_[2] = static_cast<std::uint8_t>(size_ >> 8);
  buf_[3] = static_cast<std::uint8_t>(size_);
  return MutableBytes(buf_.data(), size_);
}

}  // namespace pppoe::radius
