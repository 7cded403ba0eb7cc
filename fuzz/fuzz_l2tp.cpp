// L2TP's untrusted inputs: a UDP payload through the header decoder and, for control
// messages, the AVP decoder (hidden AVPs revealed with a secret), and a stream of control
// messages from a peer through the reliable-delivery state machine, and a LAC's Proxy LCP and
// Proxy Authentication as the LNS reads them (l2tp/proxy_lcp.hpp).
// The first byte picks the parser.
#include <cstdint>
#include <vector>

#include "proto/l2tp/l2tp.hpp"
#include "l2tp/proxy_lcp.hpp"
#include "l2tp/reliable.hpp"

using namespace pppoe;

namespace {
struct NullWire final : l2tp::ReliableOutput {
  std::size_t sent = 0;
  void transmit(Bytes d) override {
    if (!l2tp::decode(d)) __builtin_trap();  // what we send must decode
    ++sent;
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Bytes in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto m = l2tp::decode(in);
      if (!m) break;
      if (m->payload.size() > in.size()) __builtin_trap();
      if (m->header.control) {
        auto c = l2tp::decode_avps(m->payload, "fuzz secret");
        if (c) {
          for (const auto& a : c->avps)
            if (a.value.size() > 1023) __builtin_trap();  // an AVP is at most 1023 octets long
          (void)c->unknown_mandatory();
        }
      }
      break;
    }
    case 1: {
      // A peer's control messages: [ns:2][nr:2][len:1][avps:len]... into one channel, with
      // time advancing 300 ms per message.
      NullWire wire;
      l2tp::ReliableSettings s;
      s.receive_window = 8;
      l2tp::ReliableChannel c(wire, s);
      c.set_peer_window(4);
      TimePoint now{};
      std::vector<std::uint8_t> hello(8);
      l2tp::AvpWriter w(hello);
      w.message_type(l2tp::MessageType::kHello);
      for (int i = 0; i < 6; ++i) c.send(0, hello, now);
      ByteReader r(in);
      std::size_t delivered = 0;
      while (r.remaining() >= 5) {
        l2tp::Header h;
        h.control = true;
        h.ns = *r.u16();
        h.nr = *r.u16();
        auto body = r.bytes(std::min<std::size_t>(*r.u8(), r.remaining()));
        c.receive(h, *body, now, [&](std::uint16_t, Bytes) { ++delivered; });
        now += milliseconds(300);
        c.tick(now);
        if (c.in_flight() > 4) __builtin_trap();  // never beyond the peer's window
      }
      if (delivered != c.counters().delivered) __builtin_trap();
      break;
    }
    case 2: {
      // [type:1][len:1][sent options:len][len:1][received options:len][len:1][challenge]
      // [len:1][response]: what ICCN carries, read as the LNS does.
      ByteReader r(in);
      auto field = [&r]() {
        auto n = r.u8();
        auto b = r.bytes(std::min<std::size_t>(n.value_or(0), r.remaining()));
        return std::vector<std::uint8_t>(b->begin(), b->end());
      };
      l2tp::CallInfo call;
      call.proxy_auth_type = r.u8().value_or(0);
      call.last_sent_confreq = field();
      call.last_received_confreq = field();
      call.proxy_auth_challenge = field();
      call.proxy_auth_response = field();
      call.proxy_auth_name = "fuzz";
      const ppp::AuthMethod all[] = {ppp::AuthMethod::kMsChapV2, ppp::AuthMethod::kChapMd5, ppp::AuthMethod::kPap};
      auto p = l2tp::read_proxy(call, all);
      if (p && (p->auth == ppp::AuthMethod::kNone || p->peer_mru < 576)) __builtin_trap();  // never taken
      break;
    }
  }
  return 0;
}
