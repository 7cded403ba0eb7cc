// The fast path's upstream XDP program (bpf/fast_path_up.bpf.c), run by the kernel on each
// input as a received frame (BPF_PROG_TEST_RUN), against what the worker would do with it:
// only PASS, DROP or REDIRECT; a drop only of a known session's frame with a foreign MAC or a spoofed
// IPv4 or IPv6 source; a forwarded frame is redirected to the routed veth's peer and is exactly
// the session's IP packet behind an Ethernet header addressed to the routed interface (never a Router Solicitation, DHCPv6 to the server or a packet from ::, which are the
// worker's); everything else comes back unchanged. Needs CAP_BPF: without it every input is
// skipped (and the first run says so).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include "dataplane/fast_path.hpp"

using namespace pppoe;
using namespace pppoe::dataplane;

namespace {

constexpr std::uint32_t kIf = 1;  // lo: a test run needs an interface that exists
const MacAddress kClient{{0x02, 0, 0, 0, 0, 1}};
const MacAddress kRouted{{0x02, 0, 0, 0, 0, 0xfe}};  // pppoe0's: forwarded frames go to it

struct Known {
  std::uint16_t sid;
  ether::VlanStack vlans;
  std::uint32_t addr;
  std::uint64_t ipv6_id;
  Ipv6Prefix wan, delegated;
};

const std::vector<Known>& known_sessions() {
  static const std::vector<Known> sessions = [] {
    ether::VlanStack one;
    one.count = 1;
    one.tags[0] = {0x8100, 0x0064};
    ether::VlanStack two;
    two.count = 2;
    two.tags[0] = {0x88a8, 0x00c8};
    two.tags[1] = {0x8100, 0x0065};
    // 2001:db8:0:N::/64 and 2001:db8:N00::/40 (a short delegation: more inputs fall in it).
    auto known = [](std::uint16_t sid, ether::VlanStack vlans) {
      return Known{sid, vlans, 0x0a000000u + sid, 0x0200'0000'0000'0000u + sid,
                   Ipv6Prefix{0x2001'0db8'0000'0000u + sid, 64}, Ipv6Prefix{0x2001'0db8'0000'0000u | std::uint64_t{sid} << 24, 40}};
    };
    return std::vector<Known>{known(1, {}), known(2, one), known(3, two)};
  }();
  return sessions;
}

FastPath* fast_path() {
  static std::optional<FastPath> fp = [] {
    auto f = FastPath::load();
    if (!f) {
      std::fprintf(stderr, "fuzz_fast_path: every input skipped: %s\n", f.error().c_str());
      return std::optional<FastPath>{};
    }
    if (auto r = f->set_routed(kIf, {kIf, kRouted}); !r) {
      std::fprintf(stderr, "fuzz_fast_path: every input skipped: %s\n", r.error().c_str());
      return std::optional<FastPath>{};
    }
    for (const auto& k : known_sessions())
      f->set_session(kIf, k.sid, {kClient, k.vlans, k.addr, false, k.ipv6_id, k.wan, k.delegated});
    return std::optional<FastPath>(std::move(*f));
  }();
  return fp ? &*fp : nullptr;
}

// A finding: where the program and the worker's rules disagree, then the crash libFuzzer keeps.
[[noreturn]] void fail(int line) {
  std::fprintf(stderr, "fuzz_fast_path: the program's verdict breaks the rule at line %d\n", line);
  __builtin_trap();
}

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
std::uint64_t be64(const std::uint8_t* p) { return std::uint64_t{be32(p)} << 32 | be32(p + 4); }

// The worker's IPv6 source rule (receive_ppp): link-local with the agreed identifier, or in
// the /64 or the delegated prefix.
bool ipv6_source_ok(const Known& k, const std::uint8_t* src) {
  Ipv6Bytes a{};
  std::copy_n(src, 16, a.begin());
  const bool link_local = src[0] == 0xfe && (src[1] & 0xc0) == 0x80 && be64(src + 8) == k.ipv6_id;
  return link_local || k.wan.contains(a) || k.delegated.contains(a);
}

// What the worker answers itself: a Router Solicitation, DHCPv6 to the server port, ::.
bool workers_own(const std::uint8_t* ip6, std::size_t total) {
  if (be64(ip6 + 8) == 0 && be64(ip6 + 16) == 0) return true;
  if (ip6[6] == 58 && total > 40 && ip6[40] == 133) return true;
  return ip6[6] == 17 && total >= 44 && be16(ip6 + 42) == 547;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 14 || size > 4096) return 0;  // the kernel refuses runs shorter than an Ethernet header
  FastPath* fp = fast_path();
  if (fp == nullptr) return 0;
  std::vector<std::uint8_t> in(data, data + size);
  auto v = fp->run_up(kIf, in);
  if (!v) return 0;  // a run the kernel refused (none expected; not the program's verdict)
  using Action = FastPathVerdict::Action;
  if (v->action != Action::kPass && v->action != Action::kDrop && v->action != Action::kRedirect) fail(__LINE__);
  if (v->action == Action::kPass) {
    if (v->frame != in) fail(__LINE__);  // passed on to userland: untouched
    return 0;
  }
  // Dropped or forwarded: it must be a known session's IPv4 frame with the session's tags.
  std::size_t off = 12;
  ether::VlanStack tags;
  while (off + 4 <= size && tags.count < 2 && (be16(&in[off]) == 0x8100 || (tags.count == 0 && be16(&in[off]) == 0x88a8))) {
    tags.tags[tags.count++] = {be16(&in[off]), be16(&in[off + 2])};
    off += 4;
  }
  if (off + 10 > size || be16(&in[off]) != 0x8864 || in[off + 2] != 0x11 || in[off + 3] != 0) fail(__LINE__);
  const std::uint16_t protocol = be16(&in[off + 8]);
  if (protocol != 0x0021 && protocol != 0x0057) fail(__LINE__);
  const bool v6 = protocol == 0x0057;
  const std::uint16_t sid = be16(&in[off + 4]);
  const Known* k = nullptr;
  for (const auto& s : known_sessions())
    if (s.sid == sid) k = &s;
  if (k == nullptr || !(k->vlans == tags)) fail(__LINE__);
  const bool foreign = !std::equal(kClient.octets.begin(), kClient.octets.end(), in.begin() + 6);
  const std::size_t ip = off + 10;
  const std::size_t header = v6 ? 40 : 20;
  const bool source_ok = ip + header <= size && (v6 ? ipv6_source_ok(*k, &in[ip + 8]) : be32(&in[ip + 12]) == k->addr);
  if (v->action == Action::kDrop) {
    if (foreign) return 0;
    if (ip + header > size || source_ok) fail(__LINE__);  // spoofed needs a source
    return 0;
  }
  // Forwarded: from the client, from its address, the whole IP packet and nothing else.
  if (foreign || v->redirect_to != kIf || ip + header > size || (in[ip] >> 4) != (v6 ? 6 : 4) || !source_ok)
    fail(__LINE__);
  const std::size_t total = v6 ? 40u + be16(&in[ip + 4]) : be16(&in[ip + 2]);
  if (ip + total > size || total + 2 > be16(&in[off + 6]) || v->frame.size() != 14 + total) fail(__LINE__);
  if (v6 && workers_own(&in[ip], total)) fail(__LINE__);
  if (!std::equal(kRouted.octets.begin(), kRouted.octets.end(), v->frame.begin()) ||
      !std::equal(in.begin() + 6, in.begin() + 12, v->frame.begin() + 6) || be16(&v->frame[12]) != (v6 ? 0x86dd : 0x0800) ||
      !std::equal(in.begin() + static_cast<std::ptrdiff_t>(ip), in.begin() + static_cast<std::ptrdiff_t>(ip + total),
                  v->frame.begin() + 14))
    fail(__LINE__);
  return 0;
}
