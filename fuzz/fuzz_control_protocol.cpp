// LCP, IPCP and IPv6CP packets through the negotiation engine with their option handlers, in
// both roles, and through the debug log's decoder. The first byte picks the protocol and role; the rest is a sequence of
// length-prefixed packets, with time advancing between them.
#include <cstdint>

#include "proto/ppp/control_protocol.hpp"
#include "proto/ppp/describe.hpp"
#include "proto/ppp/ipcp.hpp"
#include "proto/ppp/ipv6cp.hpp"
#include "proto/ppp/lcp.hpp"

using namespace pppoe;
using namespace pppoe::ppp;

namespace {
struct Sink : LayerListener, CpOutput {
  void layer_up(Protocol) override {}
  void layer_down(Protocol) override {}
  void layer_started(Protocol) override {}
  void layer_finished(Protocol) override {}
  void send_control(Protocol, Bytes p) override {
    if (p.size() < 4) __builtin_trap();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Sink sink;
  const LinkRole role = (data[0] & 1) ? LinkRole::kPeer : LinkRole::kAuthenticator;
  LcpSettings ls;
  ls.role = role;
  LcpHandler lcp(sink, ls, 1);
  IpcpSettings is;
  is.role = role;
  is.local = Ipv4Address{0x0a000001};
  is.name_servers.dns1 = Ipv4Address{0x08080808};
  IpcpHandler ipcp(sink, is);
  ipcp.set_peer_address(Ipv4Address{0x0a000002});
  Ipv6cpHandler ipv6cp(sink, 0, 2);
  CpHandler* handlers[3] = {&lcp, &ipcp, &ipv6cp};
  Protocol protocols[3] = {Protocol::kLcp, Protocol::kIpcp, Protocol::kIpv6cp};
  std::size_t which = (data[0] >> 1) % 3;
  ControlProtocol cp(protocols[which], *handlers[which], sink);
  TimePoint t{};
  cp.open(t);
  cp.up(t);
  ByteReader r(Bytes(data + 1, size - 1));
  while (!r.empty()) {
    auto len = r.u8();
    if (!len) break;
    auto packet = r.bytes(std::min<std::size_t>(*len, r.remaining()));
    if (!packet) break;
    cp.receive(*packet, t);
    // The debug log's decoder (`pppoectl debug`) reads the same untrusted frames, of any protocol.
    for (std::uint16_t p : std::initializer_list<std::uint16_t>{0xc021, 0x8021, 0x8057, 0xc023, 0xc223}) {
      (void)describe_frame(p, *packet);
      (void)peer_name(p, *packet);
    }
    t += seconds(1);
    cp.tick(t);
  }
  return 0;
}
