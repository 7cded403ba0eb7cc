#include "proto/ether.hpp"

namespace pppoe::ether {

std::expected<Frame, Error> decode(Bytes frame) {
  ByteReader r(frame);
  auto dst = r.bytes(6);
  auto src = r.bytes(6);
  auto type = r.u16();
  if (!dst || !src || !type) return std::unexpected(Error::kTruncated);
  Frame f;
  f.header.dst = MacAddress::from_bytes(*dst);
  f.header.src = MacAddress::from_bytes(*src);
  std::uint16_t t = *type;
  while (t == static_cast<std::uint16_t>(EtherType::kVlan) ||
         t == static_cast<std::uint16_t>(EtherType::kQinQ)) {
    if (f.header.vlans.count == f.header.vlans.tags.size()) return std::unexpected(Error::kTooManyTags);
    auto tci = r.u16();
    auto next = r.u16();
    if (!tci || !next) return std::unexpected(Error::kTruncated);
    f.header.vlans.tags[f.header.vlans.count++] = VlanTag{t, *tci};
    t = *next;
  }
  f.header.ether_type = t;
  f.payload = r.rest();
  return f;
}

void encode(const Header& h, ByteWriter& w) {
  w.bytes(h.dst.bytes());
  w.bytes(h.src.bytes());
  for (std::uint8_t i = 0; i < h.vlans.count; ++i) {
    w.u16(h.vlans.tags[i].tpid);
    w.u16(h.vlans.tags[i].tci);
  }
  w.u16(h.ether_type);
}

}  // namespace pppoe::ether
