#include "proto/ip.hpp"

#include <algorithm>

namespace pppoe::ip {

std::expected<Ipv4View, Error> decode_ipv4(Bytes packet) {
  ByteReader r(packet);
  auto vihl = r.u8();
  if (!vihl) return std::unexpected(Error::kTruncated);
  if ((*vihl >> 4) != 4) return std::unexpected(Error::kBadVersion);
  std::size_t ihl = (*vihl & 0x0fu) * 4u;
  if (ihl < 20) return std::unexpected(Error::kBadHeaderLength);
  if (packet.size() < ihl) return std::unexpected(Error::kTruncated);
  (void)r.u8();
  auto total = r.u16();
  (void)r.u16();
  auto frag = r.u16();
  (void)r.u8();
  auto proto = r.u8();
  (void)r.u16();
  auto src = r.u32();
  auto dst = r.u32();
  if (!total || !frag || !proto || !src || !dst) return std::unexpected(Error::kTruncated);
  if (*total < ihl || *total > packet.size()) return std::unexpected(Error::kBadTotalLength);
  Ipv4View v;
  v.src = Ipv4Address{*src};
  v.dst = Ipv4Address{*dst};
  v.protocol = *proto;
  v.total_length = *total;
  v.dont_fragment = (*frag & 0x4000) != 0;
  v.header_length = ihl;
  return v;
}

namespace {
/// The bytes after the IPv4 header, up to Total Length (Ethernet padding excluded).
Bytes l4_payload(Bytes packet, const Ipv4View& v) {
  return packet.subspan(v.header_length, v.total_length - v.header_length);
}
}  // namespace

std::expected<Ipv6View, Error> decode_ipv6(Bytes packet) {
  if (packet.size() < 40) return std::unexpected(Error::kTruncated);
  if ((packet[0] >> 4) != 6) return std::unexpected(Error::kBadVersion);
  Ipv6View v;
  v.payload_length = static_cast<std::uint16_t>((packet[4] << 8) | packet[5]);
  if (40u + v.payload_length > packet.size()) return std::unexpected(Error::kBadTotalLength);
  v.next_header = packet[6];
  v.hop_limit = packet[7];
  std::copy_n(packet.begin() + 8, 16, v.src.begin());
  std::copy_n(packet.begin() + 24, 16, v.dst.begin());
  return v;
}

std::uint16_t internet_checksum(Bytes data, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

namespace {
constexpr std::uint8_t kIcmp = 1;

std::uint8_t pattern_byte(std::uint16_t ident, std::uint16_t seq, std::size_t i) {
  return static_cast<std::uint8_t>((ident * 31u + seq * 7u + i) & 0xff);
}

/// ICMP/ICMPv6 echo header and pattern payload; the checksum is left 0 for the caller.
void write_echo(ByteWriter& w, std::uint8_t type, std::uint16_t ident, std::uint16_t seq, std::size_t payload_size) {
  w.u8(type);
  w.u8(0);
  w.u16(0);
  w.u16(ident);
  w.u16(seq);
  for (std::size_t i = 0; i < payload_size; ++i) w.u8(pattern_byte(ident, seq, i));
}

void write_ipv4_header(ByteWriter& w, Ipv4Address src, Ipv4Address dst, std::size_t total,
                       std::uint8_t proto) {
  std::size_t at = w.size();
  w.u8(0x45);
  w.u8(0);
  w.u16(static_cast<std::uint16_t>(total));
  w.u16(0);
  w.u16(0x4000);  // DF
  w.u8(64);
  w.u8(proto);
  w.u16(0);
  w.u32(src.value);
  w.u32(dst.value);
  if (w.overflow()) return;
  auto hdr = w.written().subspan(at, 20);
  w.patch_u16(at + 10, internet_checksum(hdr));
}
}  // namespace

std::size_t build_icmp_echo(MutableBytes out, Ipv4Address src, Ipv4Address dst, std::uint16_t ident,
                            std::uint16_t seq, std::size_t payload_size) {
  std::size_t total = 20 + 8 + payload_size;
  if (out.size() < total || total > 0xffff) return 0;
  ByteWriter w(out);
  write_ipv4_header(w, src, dst, total, kIcmp);
  std::size_t icmp_at = w.size();
  write_echo(w, 8, ident, seq, payload_size);  // RFC 792 echo request
  w.patch_u16(icmp_at + 2, internet_checksum(w.written().subspan(icmp_at)));
  return w.overflow() ? 0 : w.size();
}

std::optional<EchoReply> parse_icmp_echo_reply(Bytes packet) {
  auto v = decode_ipv4(packet);
  if (!v || v->protocol != kIcmp) return std::nullopt;
  auto icmp = l4_payload(packet, *v);
  ByteReader r(icmp);
  auto type = r.u8();
  auto code = r.u8();
  auto csum = r.u16();
  auto ident = r.u16();
  auto seq = r.u16();
  if (!type || !code || !csum || !ident || !seq || *type != 0 || *code != 0) return std::nullopt;
  EchoReply e{v->src, v->dst, *ident, *seq, internet_checksum(icmp) == 0};
  auto data = r.rest();
  for (std::size_t i = 0; i < data.size() && e.payload_ok; ++i)
    e.payload_ok = data[i] == pattern_byte(*ident, *seq, i);
  return e;
}

std::array<std::uint8_t, 16> link_local(std::uint64_t interface_id) {
  std::array<std::uint8_t, 16> a{};
  a[0] = 0xfe;
  a[1] = 0x80;
  for (int i = 0; i < 8; ++i) a[static_cast<std::size_t>(15 - i)] = static_cast<std::uint8_t>(interface_id >> (8 * i));
  return a;
}

std::optional<std::uint64_t> link_local_id(const std::array<std::uint8_t, 16>& address) {
  if (address[0] != 0xfe || (address[1] & 0xc0) != 0x80) return std::nullopt;
  std::uint64_t id = 0;
  for (std::size_t i = 8; i < 16; ++i) id = (id << 8) | address[i];
  return id;
}

namespace {
constexpr std::uint8_t kIcmpv6 = 58;
}  // namespace

// RFC 8200 section 8.1: the upper-layer checksum covers a pseudo-header.
std::uint16_t ipv6_upper_checksum(const std::array<std::uint8_t, 16>& src, const std::array<std::uint8_t, 16>& dst,
                                  std::uint8_t next_header, Bytes data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < 16; i += 2) {
    sum += static_cast<std::uint32_t>((src[i] << 8) | src[i + 1]);
    sum += static_cast<std::uint32_t>((dst[i] << 8) | dst[i + 1]);
  }
  sum += static_cast<std::uint32_t>(data.size() >> 16) + static_cast<std::uint32_t>(data.size() & 0xffff);
  sum += next_header;
  return internet_checksum(data, sum);
}

std::uint16_t icmpv6_checksum(const std::array<std::uint8_t, 16>& src, const std::array<std::uint8_t, 16>& dst,
                              Bytes icmp) {
  return ipv6_upper_checksum(src, dst, kIcmpv6, icmp);
}

std::size_t build_icmpv6_echo(MutableBytes out, const std::array<std::uint8_t, 16>& src,
                              const std::array<std::uint8_t, 16>& dst, std::uint16_t ident, std::uint16_t seq,
                              std::size_t payload_size) {
  std::size_t icmp_len = 8 + payload_size;
  if (out.size() < 40 + icmp_len || icmp_len > 0xffff) return 0;
  ByteWriter w(out);
  w.u32(0x60000000);
  w.u16(static_cast<std::uint16_t>(icmp_len));
  w.u8(kIcmpv6);
  w.u8(255);  // hop limit: link-local traffic (RFC 4861 style)
  w.bytes(Bytes(src));
  w.bytes(Bytes(dst));
  std::size_t at = w.size();
  write_echo(w, 128, ident, seq, payload_size);  // RFC 4443 echo request
  if (w.overflow()) return 0;
  w.patch_u16(at + 2, icmpv6_checksum(src, dst, w.written().subspan(at)));
  return w.size();
}

std::optional<Echo6Reply> parse_icmpv6_echo_reply(Bytes packet) {
  auto v = decode_ipv6(packet);
  if (!v || v->next_header != kIcmpv6) return std::nullopt;
  ByteReader hdr(packet.subspan(4));
  auto len = hdr.u16();
  if (!len || 40u + *len > packet.size()) return std::nullopt;
  Bytes icmp = packet.subspan(40, *len);
  ByteReader r(icmp);
  auto type = r.u8();
  auto code = r.u8();
  auto csum = r.u16();
  auto ident = r.u16();
  auto seq = r.u16();
  if (!type || !code || !csum || !ident || !seq || *type != 129 || *code != 0) return std::nullopt;
  Echo6Reply e{*ident, *seq, icmpv6_checksum(v->src, v->dst, icmp) == 0};
  auto data = r.rest();
  for (std::size_t i = 0; i < data.size() && e.payload_ok; ++i) e.payload_ok = data[i] == pattern_byte(*ident, *seq, i);
  return e;
}

namespace {
constexpr std::uint8_t kUdp = 17;

/// RFC 768's header (checksum 0, patched by the caller) and the payload.
void write_udp(ByteWriter& w, std::uint16_t src_port, std::uint16_t dst_port, Bytes payload) {
  w.u16(src_port);
  w.u16(dst_port);
  w.u16(static_cast<std::uint16_t>(8 + payload.size()));
  w.u16(0);
  w.bytes(payload);
}

struct UdpHeader {
  std::uint16_t src_port, dst_port, length, checksum;
};
/// RFC 768's header of `udp`, its length within what the IP header gave.
std::optional<UdpHeader> udp_header(Bytes udp) {
  ByteReader r(udp);
  auto sp = r.u16();
  auto dp = r.u16();
  auto len = r.u16();
  auto csum = r.u16();
  if (!sp || !dp || !len || !csum || *len < 8 || *len > udp.size()) return std::nullopt;
  return UdpHeader{*sp, *dp, *len, *csum};
}
std::uint32_t pseudo_header_sum(Ipv4Address src, Ipv4Address dst, std::size_t length) {
  return (src.value >> 16) + (src.value & 0xffff) + (dst.value >> 16) + (dst.value & 0xffff) + kUdp +
         static_cast<std::uint32_t>(length);
}
}  // namespace

std::size_t build_udp(MutableBytes out, Ipv4Address src, Ipv4Address dst, std::uint16_t src_port,
                      std::uint16_t dst_port, Bytes payload) {
  std::size_t udp_len = 8 + payload.size();
  if (20 + udp_len > 0xffff || out.size() < 20 + udp_len) return 0;
  ByteWriter w(out);
  write_ipv4_header(w, src, dst, 20 + udp_len, kUdp);
  std::size_t at = w.size();
  write_udp(w, src_port, dst_port, payload);
  if (w.overflow()) return 0;
  std::uint16_t sum = internet_checksum(w.written().subspan(at), pseudo_header_sum(src, dst, udp_len));
  w.patch_u16(at + 6, sum == 0 ? 0xffff : sum);  // RFC 768: a computed 0 is sent as all ones
  return w.size();
}

std::optional<UdpView> parse_udp(Bytes packet) {
  auto v = decode_ipv4(packet);
  if (!v || v->protocol != kUdp) return std::nullopt;
  Bytes udp = l4_payload(packet, *v);
  auto h = udp_header(udp);
  if (!h) return std::nullopt;
  UdpView u{v->src, v->dst, h->src_port, h->dst_port, udp.subspan(8, h->length - 8u), true};
  if (h->checksum != 0)
    u.checksum_ok = internet_checksum(udp.first(h->length), pseudo_header_sum(v->src, v->dst, h->length)) == 0;
  return u;
}

std::size_t build_icmp_frag_needed(MutableBytes out, Ipv4Address src, Bytes original,
                                   std::uint16_t next_hop_mtu) {
  auto v = decode_ipv4(original);
  if (!v) return 0;
  // RFC 792: the original IP header plus the first 64 bits of its data.
  std::size_t quoted = std::min<std::size_t>(original.size(), v->header_length + 8);
  std::size_t total = 20 + 8 + quoted;
  ByteWriter w(out);
  write_ipv4_header(w, src, v->src, total, kIcmp);
  std::size_t icmp_at = w.size();
  w.u8(3);
  w.u8(4);
  w.u16(0);
  w.u16(0);
  w.u16(next_hop_mtu);
  w.bytes(original.first(quoted));
  if (w.overflow()) return 0;
  w.patch_u16(icmp_at + 2, internet_checksum(w.written().subspan(icmp_at)));
  return w.size();
}

namespace {

/// RFC 1624 equation 3 on the 16-bit checksum at `at`: one 16-bit word changed from `old_word`
/// to `new_word`.
void patch_checksum(MutableBytes p, std::size_t at, std::uint16_t old_word, std::uint16_t new_word) {
  std::uint32_t sum = static_cast<std::uint16_t>(~((p[at] << 8) | p[at + 1]) & 0xffff);
  sum += static_cast<std::uint16_t>(~old_word & 0xffff);
  sum += new_word;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  std::uint16_t check = static_cast<std::uint16_t>(~sum & 0xffff);
  p[at] = static_cast<std::uint8_t>(check >> 8);
  p[at + 1] = static_cast<std::uint8_t>(check);
}

}  // namespace

std::size_t tcp_syn_offset(Bytes packet) {
  if (packet.empty()) return 0;
  std::size_t tcp = 0;
  switch (packet[0] >> 4) {
    case 4: {
      if (packet.size() < 20) return 0;
      std::size_t ihl = std::size_t{packet[0] & 0x0fu} * 4;
      bool fragment = ((packet[6] & 0x1f) | packet[7]) != 0;  // offset != 0: no TCP header here
      if (ihl < 20 || packet[9] != 6 || fragment) return 0;
      tcp = ihl;
      break;
    }
    case 6:
      if (packet.size() < 40 || packet[6] != 6) return 0;
      tcp = 40;
      break;
    default: return 0;
  }
  if (packet.size() < tcp + 20 || (packet[tcp + 13] & 0x02) == 0) return 0;  // SYN only
  return tcp;
}

bool clamp_tcp_mss(MutableBytes packet, std::uint16_t mtu) {
  const std::size_t tcp = tcp_syn_offset(packet);
  if (tcp == 0) return false;
  const unsigned overhead = (packet[0] >> 4) == 4 ? 40 : 60;
  if (mtu <= overhead) return false;
  const auto max_mss = static_cast<std::uint16_t>(mtu - overhead);
  std::size_t data_offset = std::size_t{static_cast<std::uint8_t>(packet[tcp + 12] >> 4)} * 4;
  if (data_offset < 20 || packet.size() < tcp + data_offset) return false;
  std::size_t i = tcp + 20, end = tcp + data_offset;
  while (i < end) {
    std::uint8_t kind = packet[i];
    if (kind == 0) return false;  // End of Option List
    if (kind == 1) {              // No-Operation
      ++i;
      continue;
    }
    if (i + 1 >= end || packet[i + 1] < 2 || i + packet[i + 1] > end) return false;
    std::uint8_t len = packet[i + 1];
    if (kind == 2 && len == 4) {
      std::uint16_t mss = static_cast<std::uint16_t>((packet[i + 2] << 8) | packet[i + 3]);
      if (mss <= max_mss) return false;
      packet[i + 2] = static_cast<std::uint8_t>(max_mss >> 8);
      packet[i + 3] = static_cast<std::uint8_t>(max_mss);
      // The field sits at an odd offset of the TCP header when NOPs pad the options oddly: its
      // octets then fall into two checksum words, which byte-swapping both values accounts for.
      bool aligned = ((i + 2 - tcp) % 2) == 0;
      auto word = [aligned](std::uint16_t v) { return aligned ? v : static_cast<std::uint16_t>((v >> 8) | (v << 8)); };
      patch_checksum(packet, tcp + 16, word(mss), word(max_mss));
      return true;
    }
    i += len;
  }
  return false;
}

bool rewrite_ipv4_source(MutableBytes p, Ipv4Address source) {
  if (p.size() < 20 || (p[0] >> 4) != 4) return false;
  std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
  if (ihl < 20 || p.size() < ihl) return false;
  std::uint16_t old_hi = static_cast<std::uint16_t>((p[12] << 8) | p[13]);
  std::uint16_t old_lo = static_cast<std::uint16_t>((p[14] << 8) | p[15]);
  std::uint16_t new_hi = static_cast<std::uint16_t>(source.value >> 16);
  std::uint16_t new_lo = static_cast<std::uint16_t>(source.value);
  p[12] = static_cast<std::uint8_t>(source.value >> 24);
  p[13] = static_cast<std::uint8_t>(source.value >> 16);
  p[14] = static_cast<std::uint8_t>(source.value >> 8);
  p[15] = static_cast<std::uint8_t>(source.value);
  patch_checksum(p, 10, old_hi, new_hi);
  patch_checksum(p, 10, old_lo, new_lo);
  bool first_fragment = ((p[6] & 0x1f) | p[7]) == 0;
  std::size_t at = 0;
  if (p[9] == 6 && p.size() >= ihl + 18) at = ihl + 16;                   // TCP checksum
  if (p[9] == 17 && p.size() >= ihl + 8 && (p[ihl + 6] | p[ihl + 7]) != 0) at = ihl + 6;  // UDP, if used
  if (at != 0 && first_fragment) {
    patch_checksum(p, at, old_hi, new_hi);
    patch_checksum(p, at, old_lo, new_lo);
  }
  return true;
}

}  // namespace pppoe::ip

namespace pppoe::ip {

std::size_t build_udp6(MutableBytes out, const std::array<std::uint8_t, 16>& src, const std::array<std::uint8_t, 16>& dst,
                       std::uint16_t src_port, std::uint16_t dst_port, Bytes payload, std::uint8_t hop_limit) {
  std::size_t udp_len = 8 + payload.size();
  if (udp_len > 0xffff || out.size() < 40 + udp_len) return 0;
  ByteWriter w(out);
  w.u32(0x60000000);
  w.u16(static_cast<std::uint16_t>(udp_len));
  w.u8(kUdp);
  w.u8(hop_limit);
  w.bytes(Bytes(src));
  w.bytes(Bytes(dst));
  write_udp(w, src_port, dst_port, payload);
  if (w.overflow()) return 0;
  std::uint16_t sum = ipv6_upper_checksum(src, dst, kUdp, w.written().subspan(40));
  w.patch_u16(46, sum == 0 ? 0xffff : sum);  // RFC 8200 section 8.1: a computed 0 goes as all ones
  return w.size();
}

std::optional<Udp6View> parse_udp6(Bytes packet) {
  auto v = decode_ipv6(packet);
  if (!v || v->next_header != kUdp || v->payload_length < 8) return std::nullopt;
  Bytes udp = packet.subspan(40, v->payload_length);
  auto h = udp_header(udp);
  if (!h) return std::nullopt;
  Udp6View u{v->src, v->dst, h->src_port, h->dst_port, udp.subspan(8, h->length - 8u), false};
  // RFC 8200 section 8.1: over IPv6 the UDP checksum is mandatory (0 is invalid).
  u.checksum_ok = h->checksum != 0 && ipv6_upper_checksum(v->src, v->dst, kUdp, udp.first(h->length)) == 0;
  return u;
}

}  // namespace pppoe::ip
