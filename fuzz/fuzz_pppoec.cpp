// pppoec's untrusted inputs: ppp.conf (and ppp.linkup/linkdown), the state file, discovery
// frames through the client's discovery state machine, TCP MSS clamping of any packet, the
// async HDLC deframer (a serial line delivers anything), chat scripts, OpenBSD's
// hostname.pppoeN, the router pair's sync stream (raw, and as validly framed and keyed
// messages so that the payload decoders behind the HMAC are reached) and keepalived's notify
// FIFO lines.
// The first byte picks the parser.
#include <cstdint>
#include <string_view>
#include <vector>

#include "pppoec/chat.hpp"
#include "pppoec/conf_parser.hpp"
#include "pppoec/discovery_client.hpp"
#include "pppoec/hooks.hpp"
#include "pppoec/hostname_if.hpp"
#include "sync/message.hpp"
#include "sync/vrrp_notify.hpp"
#include "pppoec/session_record.hpp"
#include "proto/ether.hpp"
#include "proto/ip.hpp"
#include "proto/ppp/hdlc.hpp"

using namespace pppoe;

namespace {
struct NullOutput final : pppoec::DiscoveryOutput {
  void send_discovery(pppoe_proto::Code, const MacAddress&, std::uint16_t, const pppoe_proto::Tags&) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 10) {
    case 0: (void)pppoec::load_profile(text, "fuzz.conf", {"provider", "lab"}); break;
    case 1: (void)pppoec::hook_actions(text, "fuzz.linkup", {"provider"}, {{"HISADDR", "10.0.0.1"}, {"MYADDR", "10.0.0.2"}}); break;
    case 2: (void)pppoec::decode_record(text); break;
    case 3: {
      // Discovery frames (Ethernet header first) fed to a client waiting for PADO, then PADS.
      NullOutput out;
      pppoec::DiscoverySettings s;
      s.host_uniq = {1, 2, 3, 4};
      pppoec::DiscoveryClient client(out, s);
      TimePoint now{};
      client.start(now);
      Bytes rest(data + 1, size - 1);
      while (rest.size() >= 2) {
        std::size_t n = std::min<std::size_t>(rest.size() - 1, rest[0] * 4u + 14u);
        Bytes frame = rest.subspan(1, n);
        rest = rest.subspan(1 + n);
        auto f = ether::decode(frame);
        if (!f) continue;
        auto pkt = pppoe_proto::decode(f->payload);
        if (!pkt) continue;
        auto tags = pppoe_proto::decode_tags(pkt->payload);
        if (tags) client.receive(f->header.src, *pkt, *tags, now);
        now += seconds(1);
        client.tick(now);
      }
      break;
    }
    case 4: {
      std::vector<std::uint8_t> packet(data + 1, data + size);
      (void)ip::clamp_tcp_mss(MutableBytes(packet), 1492);
      break;
    }
    case 5: {
      // Bytes from a line, in two reads; FCS-16 and FCS-32.
      for (bool f32 : {false, true}) {
        ppp::hdlc::Deframer d(f32);
        std::size_t cut = size > 1 ? data[1] % size : 0;
        std::size_t frames = 0;
        auto count = [&](std::uint16_t, Bytes info) { frames += info.size() <= ppp::hdlc::kMaxFrame ? std::size_t{1} : std::size_t{1000}; };
        d.feed(Bytes(data + 1, size - 1).first(cut > 0 ? cut - 1 : 0), count);
        d.feed(Bytes(data + 1, size - 1).subspan(cut > 0 ? cut - 1 : 0), count);
        if (frames >= 1000) __builtin_trap();  // a frame longer than any MRU got through
      }
      break;
    }
    case 6: (void)pppoec::parse_chat({std::string(text)}); break;
    case 7: (void)pppoec::load_hostname_if(text, "hostname.pppoe0", "pppoe0"); break;
    case 8: {
      // The sync stream as a peer (or anyone on the sync link) sends it, cut in two reads.
      static const auto key = sync::shared_key("fuzzing-key-0123456789");
      sync::StreamDecoder d;
      Bytes in(data + 1, size - 1);
      std::size_t cut = in.empty() ? 0 : in[0] % in.size();
      d.feed(in.first(cut));
      for (int round = 0; round < 2; ++round) {
        for (;;) {
          auto m = d.next(key);
          if (!m || !*m) break;
          if ((*m)->payload.size() > sync::kMaxPayload) __builtin_trap();
        }
        d.feed(in.subspan(cut));
      }
      break;
    }
    case 9: {
      // What an authenticated peer could send: every payload decoder, behind a valid HMAC.
      static const auto key = sync::shared_key("fuzzing-key-0123456789");
      Bytes payload(data + 1, size - 1);
      auto type = static_cast<sync::MessageType>(1 + (size > 1 ? data[1] % 4 : 0));
      sync::StreamDecoder d;
      d.feed(sync::encode(type, 0, payload, key));
      auto m = d.next(key);
      if (!m || !*m) __builtin_trap();  // what we framed ourselves must decode
      (void)sync::decode_hello((*m)->payload);
      (void)sync::decode_gone((*m)->payload);
      (void)sync::decode_ack((*m)->payload);
      (void)pppoec::decode_record(as_text((*m)->payload));
      (void)sync::parse_vrrp_notice(text);
      break;
    }
  }
  return 0;
}
