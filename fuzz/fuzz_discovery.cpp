// Ethernet (VLAN/QinQ) + PPPoE header + discovery tags, and a tag re-encode round trip.
#include <cstdint>
#include <cstdlib>

#include "proto/ether.hpp"
#include "proto/pppoe.hpp"

using namespace pppoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto frame = ether::decode(Bytes(data, size));
  if (!frame) return 0;
  auto pkt = pppoe_proto::decode(frame->payload);
  if (!pkt) return 0;
  auto tags = pppoe_proto::decode_tags(pkt->payload);
  if (!tags) return 0;
  std::uint8_t out[4096];
  std::size_t n = pppoe_proto::encode_discovery(out, pkt->header.code, pkt->header.session_id, *tags);
  if (n == 0) return 0;
  // What we encode must decode to the same tags.
  auto again = pppoe_proto::decode(Bytes(out, n));
  if (!again) std::abort();
  auto tags2 = pppoe_proto::decode_tags(again->payload);
  if (!tags2 || tags2->service_name != tags->service_name || tags2->host_uniq != tags->host_uniq ||
      tags2->ac_cookie != tags->ac_cookie)
    std::abort();
  return 0;
}
