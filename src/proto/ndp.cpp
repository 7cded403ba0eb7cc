#include "proto/ndp.hpp"

#include <algorithm>

#include "proto/dns_name.hpp"
#include "proto/ip.hpp"

namespace pppoe::ndp {

namespace {
constexpr std::uint8_t kIcmpv6 = 58;
constexpr std::uint8_t kRouterSolicitation = 133;  // RFC 4861 section 4.1
constexpr std::uint8_t kRouterAdvertisement = 134;  // section 4.2
// Option types: RFC 4861 section 4.6, RFC 8106 section 5.
constexpr std::uint8_t kOptSourceLinkLayer = 1;
constexpr std::uint8_t kOptPrefixInformation = 3;
constexpr std::uint8_t kOptMtu = 5;
constexpr std::uint8_t kOptRdnss = 25;
constexpr std::uint8_t kOptDnssl = 31;

struct Icmp {
  ip::Ipv6View ip;
  Bytes message;  ///< the ICMPv6 message, checksum checked
};

/// The ICMPv6 message of `type` in `packet`, with the checks every ND message gets (RFC 4861
/// sections 6.1.1 and 6.1.2): hop limit 255, code 0, the checksum, at least `min_length`.
std::expected<Icmp, Error> icmp_message(Bytes packet, std::uint8_t type, std::size_t min_length) {
  auto v = ip::decode_ipv6(packet);
  if (!v || v->next_header != kIcmpv6) return std::unexpected(Error::kNotIcmpv6);
  Bytes m = packet.subspan(40, v->payload_length);
  if (m.size() < 4) return std::unexpected(Error::kTruncated);
  if (m[0] != type) return std::unexpected(Error::kOtherType);
  if (m.size() < min_length) return std::unexpected(Error::kTruncated);
  if (v->hop_limit != 255) return std::unexpected(Error::kBadHopLimit);
  if (m[1] != 0) return std::unexpected(Error::kBadCode);
  if (ip::icmpv6_checksum(v->src, v->dst, m) != 0) return std::unexpected(Error::kBadChecksum);
  return Icmp{*v, m};
}

/// Walks the options: each has a nonzero length in 8-octet units within the message.
template <class Visit>
bool for_each_option(Bytes options, Visit&& visit) {
  while (!options.empty()) {
    if (options.size() < 2 || options[1] == 0 || options[1] * 8u > options.size()) return false;
    std::size_t len = options[1] * 8u;
    visit(options[0], options.first(len));
    options = options.subspan(len);
  }
  return true;
}

void write_header(ByteWriter& w, const Ipv6Bytes& source, const Ipv6Bytes& destination) {
  w.u32(0x60000000);
  w.u16(0);  // payload length, patched
  w.u8(kIcmpv6);
  w.u8(255);  // RFC 4861: every ND message leaves with hop limit 255
  w.bytes(Bytes(source));
  w.bytes(Bytes(destination));
}

std::size_t finish(ByteWriter& w, const Ipv6Bytes& source, const Ipv6Bytes& destination) {
  if (w.overflow() || w.size() - 40 > 0xffff) return 0;
  w.patch_u16(4, static_cast<std::uint16_t>(w.size() - 40));
  w.patch_u16(42, ip::icmpv6_checksum(source, destination, w.written().subspan(40)));
  return w.size();
}

}  // namespace

const char* to_string(Error e) {
  switch (e) {
    case Error::kNotIcmpv6: return "not ICMPv6";
    case Error::kOtherType: return "another ICMPv6 type";
    case Error::kTruncated: return "truncated";
    case Error::kBadHopLimit: return "hop limit not 255";
    case Error::kBadCode: return "code not 0";
    case Error::kBadChecksum: return "bad checksum";
    case Error::kBadOption: return "bad option length";
  }
  return "?";
}

std::expected<RouterSolicitation, Error> decode_router_solicitation(Bytes packet) {
  auto m = icmp_message(packet, kRouterSolicitation, 8);
  if (!m) return std::unexpected(m.error());
  bool source_link_layer = false;
  if (!for_each_option(m->message.subspan(8), [&](std::uint8_t type, Bytes) {
        if (type == kOptSourceLinkLayer) source_link_layer = true;
      }))
    return std::unexpected(Error::kBadOption);
  // Section 6.1.1: from the unspecified address, no source link-layer address option.
  bool unspecified = m->ip.src == Ipv6Bytes{};
  if (unspecified && source_link_layer) return std::unexpected(Error::kBadOption);
  return RouterSolicitation{m->ip.src};
}

std::size_t build_router_solicitation(MutableBytes out, const Ipv6Bytes& source) {
  ByteWriter w(out);
  write_header(w, source, kAllRouters);
  w.u8(kRouterSolicitation);
  w.u8(0);
  w.u16(0);  // checksum
  w.u32(0);  // reserved
  return finish(w, source, kAllRouters);
}

std::size_t build_router_advertisement(MutableBytes out, const Ipv6Bytes& source, const Ipv6Bytes& destination,
                                       const RouterAdvertisement& ra) {
  ByteWriter w(out);
  write_header(w, source, destination);
  w.u8(kRouterAdvertisement);
  w.u8(0);
  w.u16(0);  // checksum
  w.u8(ra.hop_limit);
  w.u8(static_cast<std::uint8_t>((ra.managed ? 0x80 : 0) | (ra.other ? 0x40 : 0)));
  w.u16(ra.router_lifetime);
  w.u32(0);  // reachable time: unspecified
  w.u32(0);  // retrans timer: unspecified
  if (ra.mtu != 0) {  // section 4.6.4
    w.u8(kOptMtu);
    w.u8(1);
    w.u16(0);
    w.u32(ra.mtu);
  }
  if (!ra.prefix.empty()) {  // section 4.6.2
    w.u8(kOptPrefixInformation);
    w.u8(4);
    w.u8(ra.prefix.length);
    w.u8(static_cast<std::uint8_t>((ra.on_link ? 0x80 : 0) | (ra.autonomous ? 0x40 : 0)));
    w.u32(ra.valid_lifetime);
    w.u32(ra.preferred_lifetime);
    w.u32(0);
    Ipv6Bytes p = ra.prefix.address();
    w.bytes(Bytes(p));
  }
  if (ra.dns.size() > 127) return 0;  // the option's length (1 + 2n units) is one octet
  if (!ra.dns.empty()) {  // RFC 8106 section 5.1
    w.u8(kOptRdnss);
    w.u8(static_cast<std::uint8_t>(1 + 2 * ra.dns.size()));
    w.u16(0);
    w.u32(ra.dns_lifetime);
    for (const auto& a : ra.dns) w.bytes(Bytes(a));
  }
  if (!ra.domains.empty()) {  // RFC 8106 section 5.2
    std::size_t at = w.size();
    w.u8(kOptDnssl);
    w.u8(0);  // length, patched
    w.u16(0);
    w.u32(ra.dns_lifetime);
    for (const auto& d : ra.domains)
      if (!dns::write_name(w, d)) return 0;
    while ((w.size() - at) % 8 != 0) w.u8(0);
    std::size_t units = (w.size() - at) / 8;
    if (units > 255 || w.overflow()) return 0;
    out[at + 1] = static_cast<std::uint8_t>(units);
  }
  return finish(w, source, destination);
}

std::expected<RouterAdvertisement, Error> decode_router_advertisement(Bytes packet) {
  auto m = icmp_message(packet, kRouterAdvertisement, 16);
  if (!m) return std::unexpected(m.error());
  RouterAdvertisement ra;
  const Bytes& b = m->message;
  ra.hop_limit = b[4];
  ra.managed = (b[5] & 0x80) != 0;
  ra.other = (b[5] & 0x40) != 0;
  ra.router_lifetime = static_cast<std::uint16_t>((b[6] << 8) | b[7]);
  auto u32_at = [](Bytes o, std::size_t at) {
    return (std::uint32_t{o[at]} << 24) | (std::uint32_t{o[at + 1]} << 16) | (std::uint32_t{o[at + 2]} << 8) | o[at + 3];
  };
  bool bad = false;
  bool ok = for_each_option(b.subspan(16), [&](std::uint8_t type, Bytes o) {
    if (type == kOptMtu && o.size() == 8) {
      ra.mtu = u32_at(o, 4);
    } else if (type == kOptPrefixInformation) {
      if (o.size() != 32) {
        bad = true;
        return;
      }
      Ipv6Bytes a{};
      std::copy_n(o.begin() + 16, 16, a.begin());
      bool autonomous = (o[3] & 0x40) != 0;
      if (ra.prefix.empty() && o[2] == 64 && autonomous) {
        ra.prefix = Ipv6Prefix{upper_64(a), 64};
        ra.on_link = (o[3] & 0x80) != 0;
        ra.autonomous = autonomous;
        ra.valid_lifetime = u32_at(o, 4);
        ra.preferred_lifetime = u32_at(o, 8);
      }
    } else if (type == kOptRdnss) {
      if (o.size() < 24 || (o.size() - 8) % 16 != 0) {
        bad = true;
        return;
      }
      ra.dns_lifetime = u32_at(o, 4);
      for (std::size_t at = 8; at < o.size(); at += 16) {
        Ipv6Bytes a{};
        std::copy_n(o.begin() + static_cast<std::ptrdiff_t>(at), 16, a.begin());
        ra.dns.push_back(a);
      }
    } else if (type == kOptDnssl) {
      ra.dns_lifetime = u32_at(o, 4);
      // Names in wire format until the padding (RFC 8106 section 5.2).
      auto names = dns::read_names(o.subspan(8), 64);
      if (!names) {
        bad = true;
        return;
      }
      ra.domains.insert(ra.domains.end(), names->begin(), names->end());
    }
  });
  if (!ok || bad) return std::unexpected(Error::kBadOption);
  return ra;
}

}  // namespace pppoe::ndp
