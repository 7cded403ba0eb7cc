#include "loadtest/l2tp_probe.hpp"

#include <poll.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace pppoe::loadtest {
namespace {

double ms_between(TimePoint a, TimePoint b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

struct Probe final : l2tp::HostEvents {
  std::uint16_t tunnel = 0;
  bool up = false, down = false;
  std::string down_why;
  std::map<std::uint16_t, TimePoint> placed;
  std::map<std::uint16_t, double> established_ms;
  std::map<std::uint16_t, std::string> failed;
  TimePoint now{};

  void tunnel_up(std::uint16_t) override { up = true; }
  void tunnel_down(std::uint16_t, std::uint16_t result, const std::string& why) override {
    down = true;
    down_why = fmt::format("result {}: {}", result, why);
  }
  void session_up(std::uint16_t, std::uint16_t s) override {
    established_ms[s] = ms_between(placed[s], now);
  }
  void session_down(std::uint16_t, std::uint16_t s, std::uint16_t result, const std::string& why) override {
    if (clearing) return;
    // Also after ICCN: the LNS may refuse the proxied authentication with a CDN.
    established_ms.erase(s);
    failed[s] = fmt::format("CDN result {}: {}", result, why);
  }
  bool clearing = false;
  void data(std::uint16_t, std::uint16_t, Bytes) override {}
};

/// Runs the host until `done` or `until`.
template <typename Done>
void pump(l2tp::Host& host, Probe& p, TimePoint until, const volatile int& stop, Done done) {
  while (!done() && !stop) {
    p.now = Clock::now();
    if (p.now >= until) break;
    Duration wait = until - p.now;
    if (auto d = host.next_deadline()) wait = std::min(wait, std::max(Duration::zero(), *d - p.now));
    pollfd pfd{host.fd(), POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(std::chrono::duration_cast<milliseconds>(wait).count()) + 1);
    p.now = Clock::now();
    host.poll(p.now);
    host.tick(p.now);
  }
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5))];
}

/// The LCP Configure-Request options a PPPoE LAC would have exchanged (MRU 1492, PAP, a magic
/// number), for the proxy LCP AVPs.
std::vector<std::uint8_t> confreq(bool ours, std::uint32_t magic) {
  // Built with ByteWriter: vector::insert of an initializer list trips g++ 12's -O3
  // -Warray-bounds (a false positive that broke Release builds).
  std::vector<std::uint8_t> o(14);
  ByteWriter w(o);
  w.u16(0x0104);  // MRU, length 4
  w.u16(1492);
  if (ours) {
    w.u16(0x0304);  // Authentication-Protocol PAP
    w.u16(0xc023);
  }
  w.u16(0x0506);  // Magic-Number
  w.u32(magic);
  o.resize(w.size());
  return o;
}

}  // namespace

L2tpProbeReport run_l2tp_probe(const L2tpProbeOptions& o, const volatile int& stop) {
  L2tpProbeReport r;
  Probe p;
  auto host = l2tp::Host::open(o.local, p);
  if (!host) {
    r.tunnel_error = host.error();
    return r;
  }
  l2tp::TunnelSettings ts;
  ts.host_name = o.host_name;
  ts.vendor_name = "pppoetest";
  ts.secret = o.secret;
  Duration timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.timeout));
  TimePoint start = Clock::now();
  p.tunnel = (*host)->open_tunnel(o.lns, ts, start);
  pump(**host, p, start + timeout, stop, [&] { return p.up || p.down; });
  if (const l2tp::Tunnel* t = (*host)->tunnel(p.tunnel)) {
    r.peer_host = t->peer().host_name;
    r.peer_vendor = t->peer().vendor_name;
  }
  if (!p.up) {
    r.tunnel_error = p.down ? p.down_why : fmt::format("no SCCRP within {} s", o.timeout);
    r.host = (*host)->counters();
    return r;
  }
  r.tunnel_up = true;
  r.tunnel_ms = ms_between(start, p.now);

  TimePoint calls_start = Clock::now();
  for (unsigned i = 0; i < o.calls; ++i) {
    l2tp::CallInfo c;
    c.serial = i + 1;
    c.calling_number = fmt::format("02:00:00:{:02x}:{:02x}:{:02x}", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    c.called_number = "pppoetest";
    c.tx_connect_speed = 100000000;
    c.rx_connect_speed = 100000000;
    std::uint32_t magic = 0x5a000000u + i;
    c.initial_received_confreq = confreq(false, magic);
    c.last_received_confreq = confreq(false, magic);
    c.last_sent_confreq = confreq(true, ~magic);
    c.proxy_auth_type = 3;  // PAP (section 4.4.5)
    c.proxy_auth_name = o.user;
    c.proxy_auth_id = 1;
    c.proxy_auth_response.assign(o.password.begin(), o.password.end());
    TimePoint now = Clock::now();
    std::uint16_t sid = (*host)->place_call(p.tunnel, c, now);
    if (sid == 0) break;
    p.placed[sid] = now;
    ++r.calls_placed;
  }
  pump(**host, p, calls_start + timeout, stop,
       [&] { return p.down || p.established_ms.size() + p.failed.size() >= p.placed.size(); });
  // A call counts once the LNS has acknowledged its ICCN without a CDN: wait for every
  // acknowledgement (and a CDN that may follow one).
  pump(**host, p, calls_start + timeout, stop, [&] {
    const l2tp::Tunnel* t = (*host)->tunnel(p.tunnel);
    return p.down || !t || t->channel().idle();
  });
  TimePoint all_acknowledged = Clock::now();
  pump(**host, p, Clock::now() + milliseconds(200), stop, [&] { return p.down; });
  r.calls_up = static_cast<unsigned>(p.established_ms.size());
  for (const auto& [sid, why] : p.failed) ++r.call_failures[why];
  if (unsigned lost = r.calls_placed - r.calls_up - static_cast<unsigned>(p.failed.size()); lost > 0)
    r.call_failures[p.down ? "the tunnel went down: " + p.down_why : "no ICRP within the timeout"] += lost;
  std::vector<double> times;
  for (const auto& [sid, ms] : p.established_ms) times.push_back(ms);
  r.call_ms_p50 = percentile(times, 0.5);
  r.call_ms_p95 = percentile(times, 0.95);
  r.call_ms_max = times.empty() ? 0 : *std::max_element(times.begin(), times.end());
  r.calls_seconds = r.calls_up > 0 ? ms_between(calls_start, all_acknowledged) / 1000 : 0;

  if (o.hold > 0 && !p.down)
    pump(**host, p, Clock::now() + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.hold)), stop,
         [&] { return p.down; });
  // Clear every call, then the tunnel, and wait for the acknowledgements.
  TimePoint now = Clock::now();
  p.clearing = true;
  for (const auto& [sid, ms] : p.established_ms) (*host)->disconnect(p.tunnel, sid, l2tp::result::kCdnAdmin, "pppoetest done", now);
  if (!p.down) {
    pump(**host, p, now + timeout, stop, [&] {
      const l2tp::Tunnel* t = (*host)->tunnel(p.tunnel);
      return !t || t->channel().idle();
    });
    (*host)->close_tunnel(p.tunnel, l2tp::result::kStopClear, "pppoetest done", Clock::now());
    pump(**host, p, Clock::now() + timeout, stop, [&] {
      const l2tp::Tunnel* t = (*host)->tunnel(p.tunnel);
      return !t || t->channel().idle();
    });
    const l2tp::Tunnel* t = (*host)->tunnel(p.tunnel);
    r.cleared = !t || t->channel().idle();
  }
  if (const l2tp::Tunnel* t = (*host)->tunnel(p.tunnel)) {
    r.retransmitted = t->channel().counters().retransmitted;
    r.zlb_sent = t->channel().counters().zlb_sent;
    r.duplicates = t->channel().counters().duplicates;
  }
  r.host = (*host)->counters();
  return r;
}

std::string render_l2tp_probe(const L2tpProbeReport& r, bool json) {
  std::uint64_t malformed = 0;
  for (auto m : r.host.malformed) malformed += m;
  if (json) {
    nlohmann::json failures = nlohmann::json::object();
    for (const auto& [why, n] : r.call_failures) failures[why] = n;
    nlohmann::json j = {{"tunnel_up", r.tunnel_up},
                        {"tunnel_ms", r.tunnel_ms},
                        {"tunnel_error", r.tunnel_error},
                        {"peer_host", r.peer_host},
                        {"peer_vendor", r.peer_vendor},
                        {"calls_placed", r.calls_placed},
                        {"calls_up", r.calls_up},
                        {"call_failures", failures},
                        {"calls_per_second", r.calls_seconds > 0 ? r.calls_up / r.calls_seconds : 0.0},
                        {"call_ms", {{"p50", r.call_ms_p50}, {"p95", r.call_ms_p95}, {"max", r.call_ms_max}}},
                        {"cleared", r.cleared},
                        {"control", {{"retransmitted", r.retransmitted}, {"zlb_sent", r.zlb_sent}, {"duplicates", r.duplicates}}},
                        {"datagrams", {{"in", r.host.datagrams_in}, {"out", r.host.datagrams_out}, {"malformed", malformed},
                                       {"unknown_tunnel", r.host.unknown_tunnel}, {"unknown_session", r.host.unknown_session}}}};
    return j.dump() + "\n";
  }
  std::string out;
  if (!r.tunnel_up) return fmt::format("tunnel: FAILED: {}\n", r.tunnel_error);
  out += fmt::format("tunnel: up in {:.1f} ms with '{}' ({})\n", r.tunnel_ms, r.peer_host, r.peer_vendor);
  out += fmt::format("calls: {} of {} up", r.calls_up, r.calls_placed);
  if (r.calls_up > 0)
    out += fmt::format(" in {:.3f} s ({:.0f}/s), setup p50 {:.1f} ms, p95 {:.1f} ms, max {:.1f} ms", r.calls_seconds,
                       r.calls_seconds > 0 ? r.calls_up / r.calls_seconds : 0.0, r.call_ms_p50, r.call_ms_p95, r.call_ms_max);
  out += "\n";
  for (const auto& [why, n] : r.call_failures) out += fmt::format("  failed: {} x {}\n", n, why);
  out += fmt::format("control: {} retransmitted, {} ZLB sent, {} duplicates; datagrams {} in, {} out, {} malformed\n",
                     r.retransmitted, r.zlb_sent, r.duplicates, r.host.datagrams_in, r.host.datagrams_out, malformed);
  out += fmt::format("cleared: {}\n", r.cleared ? "every call and the tunnel acknowledged" : "NOT acknowledged");
  return out;
}

}  // namespace pppoe::loadtest
