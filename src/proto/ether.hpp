// Ethernet II header with up to two VLAN tags (802.1Q, and QinQ with an 802.1ad or 802.1Q
// outer tag). A session remembers its tags so that every reply carries them (issue 2).
#pragma once

#include <array>
#include <cstdint>
#include <expected>

#include "common/bytes.hpp"
#include "common/mac.hpp"

namespace pppoe::ether {

enum class EtherType : std::uint16_t {
  kIpv4 = 0x0800,
  kVlan = 0x8100,     ///< IEEE 802.1Q customer tag
  kQinQ = 0x88a8,     ///< IEEE 802.1ad service tag
  kIpv6 = 0x86dd,
  kPppoeDiscovery = 0x8863,  ///< RFC 2516 section 3
  kPppoeSession = 0x8864,
};

struct VlanTag {
  std::uint16_t tpid = 0;  ///< 0x8100 or 0x88a8
  std::uint16_t tci = 0;   ///< PCP, DEI and VLAN ID as on the wire
  [[nodiscard]] std::uint16_t vid() const { return tci & 0x0fff; }
  friend bool operator==(const VlanTag&, const VlanTag&) = default;
};

/// The tags of one subscriber, outermost first.
struct VlanStack {
  std::array<VlanTag, 2> tags{};
  std::uint8_t count = 0;
  friend bool operator==(const VlanStack&, const VlanStack&) = default;
};

struct Header {
  MacAddress dst;
  MacAddress src;
  VlanStack vlans;
  std::uint16_t ether_type = 0;
  static constexpr std::size_t kMinSize = 14;
  [[nodiscard]] std::size_t size() const { return kMinSize + 4u * vlans.count; }
};

enum class Error : std::uint8_t { kTruncated, kTooManyTags };

struct Frame {
  Header header;
  Bytes payload;
};

/// Parses the Ethernet header and VLAN tags; the payload is everything after them.
[[nodiscard]] std::expected<Frame, Error> decode(Bytes frame);

/// Writes the header into `w`.
void encode(const Header& h, ByteWriter& w);

}  // namespace pppoe::ether
