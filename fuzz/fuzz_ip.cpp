// IPv4/IPv6 views, ICMP/ICMPv6 echo replies and UDP used on the data path and by pppoetest,
// and pppoetest's transfer-test datagrams.
#include <cstdint>

#include "loadtest/transfer.hpp"
#include "proto/ip.hpp"

using namespace pppoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  if (auto v4 = ip::decode_ipv4(in)) {
    if (v4->total_length > size || v4->header_length > v4->total_length) __builtin_trap();
    std::uint8_t out[256];
    (void)ip::build_icmp_frag_needed(out, Ipv4Address{1}, in, 1400);
  }
  (void)ip::decode_ipv6(in);
  (void)ip::parse_icmp_echo_reply(in);
  (void)ip::parse_icmpv6_echo_reply(in);
  if (auto udp = ip::parse_udp(in)) {
    if (udp->payload.size() > size) __builtin_trap();
    (void)loadtest::transfer::decode(udp->payload);  // pppoetest's transfer-test datagrams
  }
  (void)loadtest::transfer::decode(in);
  return 0;
}
