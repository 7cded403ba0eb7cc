// Minimal IPv4/IPv6/ICMP views for the data plane (routing by destination) and for
// pppoetest's traffic check (ICMP echo). RFC 791, RFC 792, RFC 8200.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <optional>

#include "common/bytes.hpp"
#include "common/ipv4.hpp"

namespace pppoe::ip {

enum class Error : std::uint8_t { kTruncated, kBadVersion, kBadHeaderLength, kBadTotalLength };

struct Ipv4View {
  Ipv4Address src;
  Ipv4Address dst;
  std::uint8_t protocol = 0;
  std::uint16_t total_length = 0;
  bool dont_fragment = false;
  std::size_t header_length = 0;
};
[[nodiscard]] std::expected<Ipv4View, Error> decode_ipv4(Bytes packet);

struct Ipv6View {
  std::array<std::uint8_t, 16> src{};
  std::array<std::uint8_t, 16> dst{};
  std::uint8_t next_header = 0;
  std::uint8_t hop_limit = 0;
  std::uint16_t payload_length = 0;  ///< within the packet (checked); the packet is 40 + this
};
/// RFC 8200 section 3: kBadTotalLength when the payload length runs past the packet.
[[nodiscard]] std::expected<Ipv6View, Error> decode_ipv6(Bytes packet);
/// The ICMPv6 checksum of `icmp` with its pseudo-header (RFC 8200 section 8.1, RFC 4443
/// section 2.3); 0 over a message whose checksum is right.
std::uint16_t icmpv6_checksum(const std::array<std::uint8_t, 16>& src, const std::array<std::uint8_t, 16>& dst,
                              Bytes icmp);

/// RFC 1071 Internet checksum over `data`, folded, not yet complemented into place.
std::uint16_t internet_checksum(Bytes data, std::uint32_t initial = 0);

/// Builds an IPv4 ICMP echo request (RFC 792) with `payload_size` bytes of a pattern derived
/// from `ident` and `seq`; returns its size or 0 if `out` is too small.
std::size_t build_icmp_echo(MutableBytes out, Ipv4Address src, Ipv4Address dst, std::uint16_t ident,
                            std::uint16_t seq, std::size_t payload_size);

struct EchoReply {
  Ipv4Address src;
  Ipv4Address dst;
  std::uint16_t ident = 0;
  std::uint16_t seq = 0;
  bool payload_ok = false;  ///< the pattern built by build_icmp_echo came back intact
};
/// Recognises an ICMP echo reply built from our request; nullopt otherwise.
[[nodiscard]] std::optional<EchoReply> parse_icmp_echo_reply(Bytes packet);

/// fe80::<interface identifier> (RFC 4291 section 2.5.6; RFC 5072 section 5).
std::array<std::uint8_t, 16> link_local(std::uint64_t interface_id);
/// The interface identifier of a link-local address, or nullopt for any other address.
std::optional<std::uint64_t> link_local_id(const std::array<std::uint8_t, 16>& address);

/// Builds an ICMPv6 echo request (RFC 4443 section 4.1) with the same payload pattern as the
/// IPv4 one; returns its size or 0 if `out` is too small.
std::size_t build_icmpv6_echo(MutableBytes out, const std::array<std::uint8_t, 16>& src,
                              const std::array<std::uint8_t, 16>& dst, std::uint16_t ident, std::uint16_t seq,
                              std::size_t payload_size);
struct Echo6Reply {
  std::uint16_t ident = 0;
  std::uint16_t seq = 0;
  bool payload_ok = false;  ///< checksum right and pattern intact
};
[[nodiscard]] std::optional<Echo6Reply> parse_icmpv6_echo_reply(Bytes packet);

/// Builds an IPv4 UDP datagram (RFC 768) with its checksum; returns its size or 0.
std::size_t build_udp(MutableBytes out, Ipv4Address src, Ipv4Address dst, std::uint16_t src_port,
                      std::uint16_t dst_port, Bytes payload);
struct UdpView {
  Ipv4Address src, dst;
  std::uint16_t src_port = 0, dst_port = 0;
  Bytes payload;
  bool checksum_ok = false;
};
[[nodiscard]] std::optional<UdpView> parse_udp(Bytes packet);

/// UDP over IPv6 (RFC 768, RFC 8200 section 8.1): DHCPv6 between the AC and a subscriber.
std::size_t build_udp6(MutableBytes out, const std::array<std::uint8_t, 16>& src, const std::array<std::uint8_t, 16>& dst,
                       std::uint16_t src_port, std::uint16_t dst_port, Bytes payload, std::uint8_t hop_limit = 64);
struct Udp6View {
  std::array<std::uint8_t, 16> src{}, dst{};
  std::uint16_t src_port = 0, dst_port = 0;
  Bytes payload;
  bool checksum_ok = false;  ///< a zero checksum is not (it is mandatory over IPv6)
};
[[nodiscard]] std::optional<Udp6View> parse_udp6(Bytes packet);

/// Builds an ICMP "fragmentation needed" (type 3 code 4, RFC 1191) answering `original`.
std::size_t build_icmp_frag_needed(MutableBytes out, Ipv4Address src, Bytes original,
                                   std::uint16_t next_hop_mtu);


/// TCP MSS clamping (RFC 879 section 1, RFC 6691): in a TCP SYN of `packet` (IPv4 or IPv6 with
/// TCP as the first next header; fragments left alone), lowers an MSS option above what a link
/// of `mtu` carries (mtu - 40 for IPv4, mtu - 60 for IPv6) and patches the TCP checksum
/// incrementally (RFC 1624 equation 3). Returns true when it changed the packet. So that
/// a 1492-octet PPPoE link cannot black-hole TCP behind a 1500-octet LAN (spec/002's max-mss).
bool clamp_tcp_mss(MutableBytes packet, std::uint16_t mtu);
/// Where the TCP header of a SYN starts in `packet` (as clamp_tcp_mss reads it), 0 when the
/// packet is no TCP SYN: a cheap test before copying a packet to clamp it.
std::size_t tcp_syn_offset(Bytes packet);


/// Rewrites the source address of an IPv4 packet, patching the header checksum and, for TCP
/// and UDP (first fragments only; UDP without a checksum left so), the transport checksum over
/// the pseudo-header incrementally (RFC 1624 equation 3). Returns false for anything that is
/// not a whole IPv4 header. pppoec uses it on the packets that dialled an -auto session whose
/// negotiated address differs from the one the kernel used (what ppp(8) leaves to NAT).
bool rewrite_ipv4_source(MutableBytes packet, Ipv4Address source);

}  // namespace pppoe::ip
