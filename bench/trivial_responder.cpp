// The raw baseline of bench/setup.sh: the least an access concentrator can do for pppoetest to
// count a session as established. Canned answers, no state machine, no timers, no
// authentication, no data plane: PADI -> PADO, PADR -> PADS, LCP and IPCP requests acknowledged
// (IPCP Naked once with an address). Whatever pppoed costs beyond this is its real work.
#include <cstdio>
#include <poll.h>
#include <signal.h>
#include <unordered_map>

#include "dataplane/packet_socket.hpp"
#include "proto/ether.hpp"
#include "proto/ppp/cp_packet.hpp"
#include "proto/ppp/ipcp.hpp"
#include "proto/pppoe.hpp"

using namespace pppoe;

namespace {
volatile sig_atomic_t g_stop = 0;

struct Peer {
  MacAddress mac;
  std::uint32_t address;
};

void send_frame(dataplane::PacketSocket& s, const MacAddress& to, std::uint16_t type, Bytes body) {
  MutableBytes buf = s.tx_buffer();
  ByteWriter w(buf);
  ether::encode({to, s.mac(), {}, type}, w);
  w.bytes(body);
  if (!w.overflow()) s.commit(w.size());
}

void send_ppp(dataplane::PacketSocket& s, const Peer& p, std::uint16_t sid, ppp::Protocol proto, Bytes cp) {
  std::array<std::uint8_t, 1500> body{};
  ByteWriter w(body);
  pppoe_proto::encode_header({1, 1, pppoe_proto::Code::kSession, sid, static_cast<std::uint16_t>(cp.size() + 2)}, w);
  w.u16(static_cast<std::uint16_t>(proto));
  w.bytes(cp);
  send_frame(s, p.mac, 0x8864, w.written());
}

void send_cp(dataplane::PacketSocket& s, const Peer& p, std::uint16_t sid, ppp::Protocol proto, std::uint8_t code,
             std::uint8_t id, Bytes data) {
  std::array<std::uint8_t, 1500> pkt{};
  std::size_t n = ppp::encode_cp(pkt, code, id, data);
  send_ppp(s, p, sid, proto, Bytes(pkt.data(), n));
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: trivial_responder IFACE\n");
    return 2;
  }
  signal(SIGTERM, [](int) { g_stop = 1; });
  signal(SIGINT, [](int) { g_stop = 1; });
  auto s = dataplane::PacketSocket::open(argv[1], {});
  if (!s) {
    std::fprintf(stderr, "%s\n", s.error().c_str());
    return 1;
  }
  std::unordered_map<std::uint16_t, Peer> peers;
  std::uint16_t next_sid = 1;
  std::uint32_t next_address = 0x0a000010;
  const std::uint8_t magic[] = {5, 6, 0x12, 0x34, 0x56, 0x78};
  const std::uint8_t local[] = {3, 6, 10, 0, 0, 1};
  while (!g_stop) {
    pollfd p{s->fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
    s->receive_batch([&](Bytes frame) {
      auto f = ether::decode(frame);
      if (!f || f->header.dst.is_multicast() != f->header.dst.is_broadcast()) return;
      auto pkt = pppoe_proto::decode(f->payload);
      if (!pkt) return;
      if (f->header.ether_type == 0x8863) {
        auto tags = pppoe_proto::decode_tags(pkt->payload);
        if (!tags) return;
        pppoe_proto::Tags answer;
        answer.service_name = tags->service_name.value_or("");
        answer.host_uniq = tags->host_uniq;
        std::array<std::uint8_t, 1500> body{};
        std::size_t n = 0;
        if (pkt->header.code == pppoe_proto::Code::kPadi) {
          answer.ac_name = "trivial";
          n = pppoe_proto::encode_discovery(body, pppoe_proto::Code::kPado, 0, answer);
        } else if (pkt->header.code == pppoe_proto::Code::kPadr) {
          std::uint16_t sid = next_sid++;
          if (next_sid == 0xffff) next_sid = 1;
          peers[sid] = Peer{f->header.src, next_address++};
          n = pppoe_proto::encode_discovery(body, pppoe_proto::Code::kPads, sid, answer);
          if (n > 0) send_frame(*s, f->header.src, 0x8863, Bytes(body.data(), n));
          // Our LCP Configure-Request right away: magic number only, so no authentication.
          send_cp(*s, peers[sid], sid, ppp::Protocol::kLcp, 1, 1, Bytes(magic, sizeof magic));
          return;
        } else if (pkt->header.code == pppoe_proto::Code::kPadt) {
          peers.erase(pkt->header.session_id);
          return;
        }
        if (n > 0) send_frame(*s, f->header.src, 0x8863, Bytes(body.data(), n));
        return;
      }
      auto it = peers.find(pkt->header.session_id);
      if (it == peers.end()) return;
      ByteReader r(pkt->payload);
      auto proto = r.u16();
      if (!proto) return;
      auto cp = ppp::decode_cp(r.rest());
      if (!cp || cp->code != 1) return;  // only Configure-Requests need an answer
      if (*proto == static_cast<std::uint16_t>(ppp::Protocol::kLcp)) {
        send_cp(*s, it->second, it->first, ppp::Protocol::kLcp, 2, cp->id, cp->data);
      } else if (*proto == static_cast<std::uint16_t>(ppp::Protocol::kIpcp)) {
        auto opts = ppp::decode_options(cp->data);
        if (!opts) return;
        std::array<std::uint8_t, 64> reply{};
        ByteWriter w(reply);
        std::uint8_t code = 2;
        for (const auto& o : *opts) {
          if (o.type != 3) {  // reject everything but the address
            code = 4;
            ppp::encode_option(w, o.type, o.value);
          }
        }
        if (code == 2) {
          ByteReader a((*opts).empty() ? Bytes{} : (*opts)[0].value);
          if (a.u32().value_or(0) != it->second.address) {
            code = 3;
            std::uint8_t v[4] = {static_cast<std::uint8_t>(it->second.address >> 24), static_cast<std::uint8_t>(it->second.address >> 16),
                                 static_cast<std::uint8_t>(it->second.address >> 8), static_cast<std::uint8_t>(it->second.address)};
            ppp::encode_option(w, 3, Bytes(v, 4));
          } else {
            w.bytes(cp->data);
            send_cp(*s, it->second, it->first, ppp::Protocol::kIpcp, 1, 1, Bytes(local, sizeof local));
          }
        }
        send_cp(*s, it->second, it->first, ppp::Protocol::kIpcp, code, cp->id, w.written());
      }
    });
    s->flush();
  }
  return 0;
}
