// Requests of the control socket (ctl/control_socket.hpp), answered from live state.
#include <ctime>

#include "master/server.hpp"

namespace pppoe::master {
namespace {

ctl::Json record_json(const dataplane::SessionRecord& r) {
  ctl::Json vlans = ctl::Json::array();
  for (std::uint8_t i = 0; i < r.vlans.count; ++i) vlans.push_back(r.vlans.tags[i].vid());
  return {{"session_id", r.session_id},
          {"state", dataplane::to_string(r.state)},
          {"worker", r.worker},
          {"mac", r.client_mac.to_string()},
          {"vlans", vlans},
          {"ip", r.ipv4 != 0 ? Ipv4Address{r.ipv4}.to_string() : ""},
          {"user", std::string(r.user)},
          {"auth", std::string(r.auth)},
          {"peer_mru", r.peer_mru},
          {"rx_packets", r.rx_packets},
          {"rx_bytes", r.rx_bytes},
          {"tx_packets", r.tx_packets},
          {"tx_bytes", r.tx_bytes},
          {"created_unix_ms", r.created_unix_ms},
          {"up_unix_ms", r.up_unix_ms}};
}

ctl::Json error(std::string text) { return {{"ok", false}, {"error", std::move(text)}}; }

}  // namespace

ctl::Json Server::handle(const ctl::Json& req) {
  std::string cmd = req.value("cmd", "");
  std::string what = req.value("what", "");
  if (cmd == "show" && what == "sessions") {
    ctl::Json list = ctl::Json::array();
    for (std::uint32_t id = 1; id <= pppoe_proto::kMaxSessionId; ++id)
      if (auto r = table_.read(static_cast<std::uint16_t>(id))) list.push_back(record_json(*r));
    return {{"ok", true}, {"sessions", list}};
  }
  if ((cmd == "show" && what == "session") || cmd == "disconnect") {
    if (!req.contains("id") || !req["id"].is_number_unsigned() || req["id"].get<std::uint64_t>() == 0 ||
        req["id"].get<std::uint64_t>() > pppoe_proto::kMaxSessionId)
      return error("expected a session id from 1 to 65534");
    auto id = static_cast<std::uint16_t>(req["id"].get<std::uint64_t>());
    if (cmd == "disconnect") {
      if (!worker_.disconnect(id, session::EndReason::kAdminReset, Clock::now())) return error("no such session");
      return {{"ok", true}};
    }
    auto r = table_.read(id);
    auto d = worker_.detail(id);
    if (!r || !d) return error("no such session");
    ctl::Json j = record_json(*r);
    j["phase"] = d->phase;
    j["lcp_state"] = d->lcp;
    j["ipcp_state"] = d->ipcp;
    j["ipv6cp_state"] = d->ipv6cp;
    j["peer_magic"] = d->peer_magic;
    j["echo_misses"] = d->echo_misses;
    return {{"ok", true}, {"session", j}};
  }
  if (cmd == "show" && (what == "summary" || what == "stats")) {
    const auto& w = worker_.counters();
    const auto& d = discovery_.counters();
    ctl::Json drops = ctl::Json::object();
    for (std::size_t i = 0; i < static_cast<std::size_t>(dataplane::Drop::kCount); ++i) {
      auto reason = static_cast<dataplane::Drop>(i);
      drops[dataplane::to_string(reason)] = worker_.drops().get(reason);
    }
    ctl::Json ended = ctl::Json::object();
    for (std::size_t i = 0; i < w.ended_by_reason.size(); ++i)
      if (w.ended_by_reason[i] != 0) ended[session::to_string(static_cast<session::EndReason>(i))] = w.ended_by_reason[i];
    std::size_t up = 0;
    for (std::uint32_t id = 1; id <= pppoe_proto::kMaxSessionId; ++id)
      if (auto r = table_.read(static_cast<std::uint16_t>(id)); r && r->state == dataplane::SessionState::kUp) ++up;
    const auto& sc = socket_.counters();
    return {{"ok", true},
            {"interface", config_.interface},
            {"ac_name", config_.ac_name},
            {"uptime", std::time(nullptr) - started_unix_},
            {"sessions", {{"total", worker_.session_count()}, {"up", up},
                          {"negotiating", worker_.session_count() - up}}},
            {"pool", {{"capacity", worker_.pool().capacity()}, {"in_use", worker_.pool().in_use()}}},
            {"discovery", {{"padi_rx", d.padi_rx}, {"pado_tx", d.pado_tx}, {"padr_rx", d.padr_rx},
                           {"pads_tx", d.pads_tx}, {"padt_rx", d.padt_rx}, {"padt_tx", w.padt_sent},
                           {"pads_repeated", d.pads_repeated}, {"service_name_errors", d.service_name_errors},
                           {"ac_system_errors", d.ac_system_errors}, {"invalid", d.invalid}}},
            {"sessions_total", {{"created", w.sessions_created}, {"up", w.sessions_up}, {"ended", w.sessions_ended},
                                {"auth_failures", w.auth_failures}, {"pool_exhausted", w.pool_exhausted},
                                {"ended_by_reason", ended}}},
            {"traffic", {{"upstream_packets", w.upstream_packets}, {"upstream_bytes", w.upstream_bytes},
                         {"downstream_packets", w.downstream_packets}, {"downstream_bytes", w.downstream_bytes}}},
            {"io", {{"rx_frames", sc.rx_frames}, {"rx_syscalls", sc.rx_syscalls}, {"tx_frames", sc.tx_frames},
                    {"tx_syscalls", sc.tx_syscalls}, {"tx_errors", sc.tx_errors},
                    {"tun_read_syscalls", tun_read_syscalls_}}},
            {"drops", drops}};
  }
  return error("unknown request; expected show summary|stats|sessions|session, or disconnect");
}

}  // namespace pppoe::master
