// Stateful: a whole authenticator-side PPP session (ServerSession: LCP, PAP/CHAP/MS-CHAPv2,
// IPCP, IPv6CP, keep-alive, timeouts) driven by the input with injected time. The input is a
// list of records:
//
//   op (1) | length (1) | bytes
//     op % 4 == 0: a PPP frame, protocol from the first two bytes
//     op % 4 == 1: time passes (bytes[0] x 100 ms), then timers run
//     op % 4 == 2: the backend answers the pending authentication (bytes[0] & 1: accept)
//     op % 4 == 3: the operator closes the link
//
// Checked besides the sanitizers: the session never sends a frame after it reported itself
// dead, and reports dead at most once.
#include <cstdint>
#include <cstdlib>

#include "session/server_session.hpp"

using namespace pppoe;
using namespace pppoe::session;

namespace {
struct Output : LinkOutput {
  bool dead = false;
  unsigned deaths = 0;
  void send_ppp(ppp::Protocol, Bytes) override {
    if (dead) std::abort();
  }
  void network_up() override {}
  void link_dead(EndReason) override {
    dead = true;
    ++deaths;
  }
};

struct Backend : Authenticator, AddressAssigner {
  ServerSession* session = nullptr;
  bool pending = false;
  void authenticate(const AuthRequest&, TimePoint) override { pending = true; }
  std::optional<Ipv4Address> assign(std::optional<Ipv4Address> fixed, std::string_view) override {
    return fixed.value_or(Ipv4Address{0x0a000002});
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Output out;
  Backend backend;
  LinkSettings ls;
  ls.lcp.auth_methods = {ppp::AuthMethod::kMsChapV2, ppp::AuthMethod::kChapMd5, ppp::AuthMethod::kPap};
  ls.echo_interval = seconds(2);
  ppp::IpcpSettings ipcp;
  ipcp.local = Ipv4Address{0x0a000001};
  ServerSession s(out, backend, backend, ls, ipcp, "fuzz", data[0]);
  backend.session = &s;
  TimePoint now{};
  s.start(now);
  ByteReader r(Bytes(data + 1, size - 1));
  while (!r.empty()) {
    auto op = r.u8();
    auto len = r.u8();
    if (!op || !len) break;
    auto body = r.bytes(*len);
    if (!body) break;
    switch (*op % 4) {
      case 0: {
        ByteReader f(*body);
        auto proto = f.u16();
        if (proto) s.receive(static_cast<ppp::Protocol>(*proto), f.rest(), now);
        break;
      }
      case 1:
        now += milliseconds(100) * (body->empty() ? 1 : (*body)[0]);
        s.tick(now);
        break;
      case 2:
        if (backend.pending) {
          backend.pending = false;
          AuthResult res;
          res.ok = !body->empty() && ((*body)[0] & 1) != 0;
          res.mschap_success = "S=0123456789ABCDEF0123456789ABCDEF01234567";
          s.auth_complete(res, now);
        }
        break;
      case 3: s.close(EndReason::kAdminReset, now); break;
    }
  }
  if (out.deaths > 1) std::abort();
  return 0;
}
