// ProL2TP-style L2TP status (spec/003, `prol2tp show system | tunnels | tunnel id N | session id
// S in tunnel id T`), read from the tunnels the workers publish in shared memory and from the
// session table. Values only, the text layout is pppoectl's; never a secret.
#include <ctime>

#include "l2tp/lac_counters.hpp"
#include "l2tp/lns_counters.hpp"
#include "l2tp/tunnel.hpp"
#include "master/server.hpp"

namespace pppoe::master {
namespace {

std::string text(const char* field, std::size_t cap) { return std::string(field, strnlen(field, cap)); }

ctl::Json tunnel_json(const dataplane::L2tpTunnelRecord& r) {
  return {{"tunnel_id", r.local_id},
          {"peer_tunnel_id", r.peer_id},
          {"worker", r.worker},
          {"origin", r.initiator ? "config" : "net"},
          {"mode", r.initiator ? "LAC" : "LNS"},
          {"version", "L2TPv2"},
          {"encapsulation", "UDP"},
          {"state", l2tp::to_string(static_cast<l2tp::TunnelState>(r.state))},
          {"local", SocketEndpoint{Ipv4Address{r.local_address}, r.local_port}.to_string()},
          {"peer", SocketEndpoint{Ipv4Address{r.peer_address}, r.peer_port}.to_string()},
          {"created_unix_ms", r.created_unix_ms},
          {"state_since_unix_ms", r.state_since_unix_ms},
          {"sessions", r.sessions},
          {"ns", r.ns},
          {"nr", r.nr},
          {"cwnd", r.cwnd},
          {"ssthresh", r.ssthresh},
          {"tx_window", r.tx_window},
          {"retransmitted", r.retransmitted},
          {"profile", text(r.profile, sizeof r.profile)},
          {"peer_host_name", text(r.peer_host, sizeof r.peer_host)},
          {"peer_vendor_name", text(r.peer_vendor, sizeof r.peer_vendor)}};
}

}  // namespace

std::vector<dataplane::L2tpTunnelRecord> Server::l2tp_tunnels() const {
  std::vector<dataplane::L2tpTunnelRecord> out;
  for (unsigned w = 0; w < dataplane::kMaxWorkers; ++w) {
    if (!pool_.alive(w)) continue;
    for (std::size_t i = 0; i < dataplane::L2tpTunnelTable::kPerWorker; ++i)
      if (auto r = shared_.tunnels.read(w, i)) out.push_back(*r);
  }
  return out;
}

ctl::Json Server::show_tunnels() const {
  ctl::Json list = ctl::Json::array();
  for (const auto& r : l2tp_tunnels()) list.push_back(tunnel_json(r));
  return {{"ok", true}, {"tunnels", list}};
}

ctl::Json Server::show_tunnel(std::uint16_t id) const {
  for (const auto& r : l2tp_tunnels())
    if (r.local_id == id) return {{"ok", true}, {"tunnel", tunnel_json(r)}};
  return {{"ok", false}, {"error", fmt::format("no tunnel {}", id)}};
}

ctl::Json Server::l2tp_session_json(const dataplane::SessionRecord& r,
                                     const std::vector<dataplane::L2tpTunnelRecord>& tunnels) const {
  std::string tunnel_profile = "-";
  for (const auto& t : tunnels)
    if (t.local_id == r.l2tp_tunnel) tunnel_profile = text(t.profile, sizeof t.profile);
  const auto& down = shared_.downstream[r.session_id];
  // ProL2TP counts from the tunnel's side: tx is what we send into the tunnel. A LAC sends the
  // subscriber's frames (rx on PPPoE) into it; an LNS sends the downstream.
  std::uint64_t to_tunnel_packets = r.lns ? down.packets.load(std::memory_order_relaxed) : r.rx_packets;
  std::uint64_t to_tunnel_bytes = r.lns ? down.bytes.load(std::memory_order_relaxed) : r.rx_bytes;
  std::uint64_t from_tunnel_packets = r.lns ? r.rx_packets : down.packets.load(std::memory_order_relaxed);
  std::uint64_t from_tunnel_bytes = r.lns ? r.rx_bytes : down.bytes.load(std::memory_order_relaxed);
  return {{"tunnel_id", r.l2tp_tunnel},
          {"mode", r.lns ? "LNS" : "LAC"},
          {"session_id", r.l2tp_session},
          {"peer_session_id", r.l2tp_peer_session},
          {"pppoe_session_id", r.session_id},
          {"tunnel_profile", tunnel_profile},
          {"origin", "net"},  // made by a call: a PPPoE subscriber's (LAC) or a LAC's (LNS)
          {"peer", r.lns ? SocketEndpoint{Ipv4Address{r.l2tp_peer_address}, r.l2tp_peer_port}.to_string() : std::string("-")},
          {"sequencing", r.l2tp_sequenced},
          {"pseudowire", "PPP"},
          {"state", r.state == dataplane::SessionState::kUp ? "ESTABLISHED" : dataplane::to_string(r.state)},
          {"created_unix_ms", r.created_unix_ms},
          {"up_unix_ms", r.up_unix_ms},
          {"identifier", std::string(r.user, strnlen(r.user, sizeof r.user))},
          {"data_tx_packets", to_tunnel_packets},
          {"data_tx_bytes", to_tunnel_bytes},
          {"data_rx_packets", from_tunnel_packets},
          {"data_rx_bytes", from_tunnel_bytes}};
}

ctl::Json Server::show_l2tp_session(std::uint16_t tunnel, std::uint16_t session) const {
  for (std::uint32_t id = 1; id <= pppoe_proto::kMaxSessionId; ++id) {
    auto r = shared_.table.read(static_cast<std::uint16_t>(id));
    if (r && r->l2tp_tunnel == tunnel && r->l2tp_session == session) return {{"ok", true}, {"session", l2tp_session_json(*r, l2tp_tunnels())}};
  }
  return {{"ok", false}, {"error", fmt::format("no session {} in tunnel {}", session, tunnel)}};
}

std::uint64_t Server::lac_total(l2tp::LacCounter c) const {
  auto i = static_cast<std::size_t>(c);
  std::uint64_t t = retired_.lac[i];
  for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
    if (pool_.alive(s)) t += shared_.workers[s].lac[i].load(std::memory_order_relaxed);
  return t;
}

ctl::Json Server::lac_counters() const {
  ctl::Json j = ctl::Json::object();
  for (std::size_t i = 0; i < l2tp::kLacCounters; ++i) {
    auto c = static_cast<l2tp::LacCounter>(i);
    j[l2tp::to_string(c)] = lac_total(c);
  }
  return j;
}

std::uint64_t Server::lns_total(l2tp::LnsCounter c) const {
  auto i = static_cast<std::size_t>(c);
  std::uint64_t t = retired_.lns[i];
  for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
    if (pool_.alive(s)) t += shared_.workers[s].lns[i].load(std::memory_order_relaxed);
  return t;
}

ctl::Json Server::lns_counters() const {
  ctl::Json j = ctl::Json::object();
  for (std::size_t i = 0; i < l2tp::kLnsCounters; ++i) {
    auto c = static_cast<l2tp::LnsCounter>(i);
    j[l2tp::to_string(c)] = lns_total(c);
  }
  return j;
}

ctl::Json Server::show_ac() const {
  using L = l2tp::LacCounter;
  using D = dataplane::Drop;
  const auto& d = discovery_.counters();
  using W = dataplane::WorkerSlot;
  std::uint64_t radius_ok = aaa_total(radius::AaaCounter::kAccessAccepts) + aaa_total(radius::AaaCounter::kAccessRejects);
  return {{"ok", true},
          {"routing",
           {{"routes_created", lac_total(L::kCallsPlaced)},
            {"route_create_failures", lac_total(L::kCallsFailed)},
            {"routes_deleted", lac_total(L::kCallsEnded)},
            {"routes_closed_by_destination", lac_total(L::kCallsClosedByLns)},
            {"routes_closed_by_source", lac_total(L::kCallsClosedBySubscriber)}}},
          {"pppoe",
           {{"padi_received", d.padi_rx},
            {"invalid_padi_received", drop_total(D::kPadiNotBroadcast) + drop_total(D::kPadiNoServiceName)},
            {"pado_sent", d.pado_tx},
            {"padr_received", d.padr_rx},
            {"invalid_padr_received", drop_total(D::kBadCookie)},
            {"resent_padr_received", d.pads_repeated},
            {"pads_sent", d.pads_tx},
            {"padt_received", d.padt_rx},
            {"invalid_padt_received", drop_total(D::kPadtSpoofed) + drop_total(D::kPadtUnknownSession)},
            {"padt_sent", retired_.padt_sent + slot_total(&W::padt_sent)}}},
          {"l2tp",
           {{"tunnels_opened", lac_total(L::kTunnelsOpened)},
            {"tunnels_failed", lac_total(L::kTunnelsFailed)},
            {"sessions_opened", lac_total(L::kCallsUp)},
            {"sessions_closed", lac_total(L::kCallsEnded)}}},
          {"radius",
           {{"successful_requests", radius_ok},
            {"failed_requests", aaa_total(radius::AaaCounter::kNoServer)},
            {"server_timeouts", aaa_total(radius::AaaCounter::kTimeouts)}}},
          {"counters", lac_counters()}};
}

ctl::Json Server::show_system() const {
  std::size_t tunnels = 0, sessions = 0;
  for (const auto& t : l2tp_tunnels()) {
    ++tunnels;
    sessions += t.sessions;
  }
  ctl::Json listening = ctl::Json::array();
  for (const auto& d : l2tp_dispatch_) listening.push_back(d.local().to_string());
  ctl::Json profiles = ctl::Json::array();
  for (const auto& t : config_.l2tp.tunnels) {
    ctl::Json lns = ctl::Json::array();
    for (const auto& e : t.lns) lns.push_back(e.to_string());
    profiles.push_back({{"name", t.name}, {"lns", lns}, {"hostname", t.host_name.empty() ? config_.ac_name : t.host_name},
                        {"hold_down", t.hold_down}, {"authenticated", !t.secret.empty()}});
  }
  ctl::Json realms = ctl::Json::object();
  for (const auto& [realm, tunnel] : config_.l2tp.realms) realms[realm] = tunnel;
  ctl::Json lacs = ctl::Json::array();
  for (const auto& p : config_.l2tp.lacs)
    lacs.push_back({{"name", p.name},
                    {"host", p.host_name.empty() ? "*" : p.host_name},
                    {"address", p.address ? p.address->to_string() : "*"},
                    {"authenticated", !p.secret.empty()}});
  ctl::Json lns_listen = ctl::Json::array();
  for (const auto& l : config_.l2tp.listen) lns_listen.push_back(l.to_string());
  return {{"ok", true},
          {"version", "pppoed"},
          {"l2tp",
           {{"lac", config_.l2tp.lac()},
            {"lns", config_.l2tp.lns()},
            {"lns_listening_on", lns_listen},
            {"lns_peers", lacs},
            {"proxy_lcp", config_.l2tp.proxy_lcp == ProxyLcpPolicy::kAccept ? "accept" : "renegotiate"},
            {"listening_on", listening},
            {"hostname", config_.ac_name},
            {"log_level", "INFO"},
            {"radius_tunnels", config_.l2tp.radius_tunnels},
            {"tunnel_profiles", profiles},
            {"realms", realms},
            {"tunnels", tunnels},
            {"sessions", sessions},
            {"lns_counters", lns_counters()}}}};
}

}  // namespace pppoe::master
