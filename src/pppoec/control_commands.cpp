// The `set server` socket: pppctl(8)'s commands over pppoed's one-line JSON protocol.
//
//   request:  {"cmd": "command", "line": "show iface", "password": "..."}
//   response: {"ok": true, "text": "...", "status": {...}}
//
// show iface | lcp | ipcp | link | pair | status, dial, close, bye [all], quit [all]. The password of
// `set server` is compared in constant time; an empty password admits anyone who can open the
// socket (its mode comes from the MASK, 0600 by default). Secrets are never in an answer.
#include <net/if.h>
#include <openssl/crypto.h>

#include <sstream>

#include "pppoec/daemon.hpp"
#include "proto/ip.hpp"

namespace pppoe::pppoec {
namespace {

std::string state_name(ppp::State s) { return ppp::to_string(s); }

std::string ipv6_text(std::uint64_t id) {
  auto a = ip::link_local(id);
  std::string s = "fe80:";
  for (int i = 8; i < 16; i += 2) s += fmt::format(":{:x}", (a[static_cast<std::size_t>(i)] << 8) | a[static_cast<std::size_t>(i) + 1]);
  return s;
}

}  // namespace

ctl::Json Daemon::handle_control(const ctl::Json& request) {
  if (ctl::text_field(request, "cmd") != "command")
    return {{"ok", false}, {"error", "expected {\"cmd\": \"command\", \"line\": ...}"}};
  const std::string password = ctl::text_field(request, "password");
  const std::string& want = profile_.server_password;
  if (!want.empty() && (password.size() != want.size() || CRYPTO_memcmp(password.data(), want.data(), want.size()) != 0)) {
    log::warn("{}: control: wrong password", profile_.ifname);
    return {{"ok", false}, {"error", "invalid password"}};
  }
  std::istringstream in(ctl::text_field(request, "line"));
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty()) return {{"ok", false}, {"error", "expected a command"}};
  auto answer = [this](std::string text) { return ctl::Json{{"ok", true}, {"text", std::move(text)}, {"status", status_json()}}; };
  const std::string& verb = words[0];
  std::string what = words.size() > 1 ? words[1] : "";
  if (verb == "show") {
    if (what == "iface") return answer(show_iface());
    if (what == "lcp") return answer(show_lcp());
    if (what == "ipcp") return answer(show_ipcp());
    if (what == "link" || what == "physical") return answer(show_link());
    if (what == "pair") return answer(show_pair());
    if (what == "status" || what.empty()) return answer(show_link() + show_lcp() + show_ipcp());
    return {{"ok", false}, {"error", "show: expected iface, lcp, ipcp, link, pair or status"}};
  }
  if (verb == "dial" || verb == "open") {
    closed_by_operator_ = false;
    if (stage_ == Stage::kClosed) stage_ = Stage::kIdle;
    failures_in_row_ = 0;
    if (stage_ == Stage::kWaitRedial) stage_ = Stage::kIdle;
    dial("control: dial");
    return answer(fmt::format("{}: dialling\n", profile_.ifname));
  }
  if (verb == "close" || verb == "down") {
    closed_by_operator_ = true;  // stays down until `dial`, also in -ddial (ppp(8)'s close)
    hang_up(session::EndReason::kAdminReset);
    return answer(fmt::format("{}: closed\n", profile_.ifname));
  }
  if (verb == "bye" || (verb == "quit" && what == "all")) {
    exit_requested_ = true;
    return answer(fmt::format("{}: closing the session and exiting\n", profile_.ifname));
  }
  if (verb == "quit") return answer("");
  return {{"ok", false}, {"error", fmt::format("unknown command '{}' (expected show, dial, close, bye or quit)", verb)}};
}

std::string Daemon::show_iface() const {
  std::ostringstream o;
  bool up = stage_ == Stage::kUp || stage_ == Stage::kResuming;
  o << fmt::format("{} (idx {}) <{}POINTOPOINT{}> mtu {}\n", profile_.ifname, ::if_nametoindex(profile_.ifname.c_str()),
                   up ? "UP," : "", up ? ",RUNNING" : "", session_mtu());
  if (link_ && up) {
    o << fmt::format("  inet {} --> {} netmask 0xffffffff\n", link_->address().to_string(),
                     link_->server_address().to_string());
    if (link_->ipv6cp_state() == ppp::State::kOpened)
      o << fmt::format("  inet6 {} --> {} prefixlen 64\n", ipv6_text(link_->ipv6cp().local_id()),
                       ipv6_text(link_->ipv6cp().peer_id()));
  } else if (options_.mode == Mode::kAuto) {
    o << fmt::format("  inet {} --> {} (configured; dials on demand)\n", profile_.local.base.to_string(),
                     profile_.remote.base.to_string());
  }
  return o.str();
}

std::string Daemon::show_lcp() const {
  if (!link_) return "LCP: no link\n";
  const auto& l = link_->lcp();
  return fmt::format(
      "{}: LCP [{}]\n"
      " His side: MRU {}, MAGIC 0x{:08x}, auth {}\n"
      " My side:  MAGIC 0x{:08x}\n"
      " Echo: period {} s, failures allowed {}, misses {}, replies {}\n",
      profile_.ifname, state_name(link_->lcp_state()), l.peer_mru(), l.peer_magic(), ppp::to_string(l.auth_method()),
      l.local_magic(), profile_.lqr_period, profile_.lqr_failures, link_->echo_misses(), l.echo_replies());
}

std::string Daemon::show_ipcp() const {
  if (!link_) return "IPCP: no link\n";
  const auto& ns = link_->ipcp().learned_name_servers();
  return fmt::format(
      "{}: IPCP [{}]\n"
      " His side: {}\n"
      " My side:  {}\n"
      " DNS: {} {} ({})\n"
      "IPv6CP [{}]\n",
      profile_.ifname, state_name(link_->ipcp_state()), link_->server_address().to_string(),
      link_->address().to_string(), ns.dns1.to_string(), ns.dns2.to_string(),
      profile_.dns.enabled ? "enable dns: written to " + options_.resolv_conf : "disabled", state_name(link_->ipv6cp_state()));
}

std::string Daemon::show_link() const {
  const auto& d = discovery_.counters();
  return fmt::format(
      "{}: {} mode, stage {}\n"
      " Device: PPPoE:{}:{} (our MAC {}){}\n"
      " Session: {} with AC {} '{}'{}\n"
      " Traffic: in {} packets {} octets, out {} packets {} octets, MSS clamped {}\n"
      " Discovery: PADI {} sent, PADO {} received, PADR {} sent, PADS {} received, PADT {} sent {} received,"
      " retransmits {}, PADO not ours {}, unwanted {}, error tags {}\n"
      " Dropped: malformed {} ethernet {} pppoe {} tags, not our session {} (PADT answered {}), PADT not ours {},"
      " too large {}, no session {}{}\n"
      " Sessions: {} up, {} resumed from the state file, {} redials; last end: {}\n",
      profile_.ifname, pppoec::to_string(options_.mode), to_string(stage_), profile_.device.interface,
      profile_.device.service, our_mac_.to_string(), profile_.nonstandard ? " nonstandard (3Com)" : "",
      discovery_.session_id(), discovery_.ac_mac().to_string(), discovery_.ac_name(),
      discovery_.max_payload() ? fmt::format(", PPP-Max-Payload {}", discovery_.max_payload()) : "", data_.packets_in,
      data_.bytes_in, data_.packets_out, data_.bytes_out, data_.mss_clamped, d.padi_sent, d.pado_received,
      d.padr_sent, d.pads_received, d.padt_sent, d.padt_received, d.retransmits, d.pado_not_ours, d.pado_unwanted,
      d.error_tags, drops_.ether_malformed, drops_.pppoe_malformed, drops_.tags_malformed, drops_.not_our_session,
      drops_.unknown_session_padt, drops_.padt_not_ours, drops_.ip_too_large, drops_.no_session,
      role_ == PairRole::kNone ? std::string()
                               : fmt::format(", standby: frames unanswered {}, sends suppressed {}", drops_.standby_frames,
                                             drops_.standby_silenced),
      sessions_up_,
      sessions_resumed_, redials_, last_end_reason_);
}

ctl::Json Daemon::status_json() const {
  const auto& d = discovery_.counters();
  ctl::Json j = {{"interface", profile_.ifname},
                 {"mode", pppoec::to_string(options_.mode)},
                 {"stage", to_string(stage_)},
                 {"device", profile_.device.interface},
                 {"service", profile_.device.service},
                 {"our_mac", our_mac_.to_string()},
                 {"session_id", discovery_.session_id()},
                 {"ac_mac", discovery_.ac_mac().to_string()},
                 {"ac_name", discovery_.ac_name()},
                 {"max_payload", discovery_.max_payload()},
                 {"mtu", session_mtu()},
                 {"sessions_up", sessions_up_},
                 {"sessions_resumed", sessions_resumed_},
                 {"redials", redials_},
                 {"last_end_reason", last_end_reason_},
                 {"traffic",
                  {{"packets_in", data_.packets_in},
                   {"bytes_in", data_.bytes_in},
                   {"packets_out", data_.packets_out},
                   {"bytes_out", data_.bytes_out},
                   {"mss_clamped", data_.mss_clamped},
                   {"sources_rewritten", data_.sources_rewritten}}},
                 {"discovery",
                  {{"padi_sent", d.padi_sent},
                   {"pado_received", d.pado_received},
                   {"padr_sent", d.padr_sent},
                   {"pads_received", d.pads_received},
                   {"padt_sent", d.padt_sent},
                   {"padt_received", d.padt_received},
                   {"retransmits", d.retransmits},
                   {"pado_not_ours", d.pado_not_ours},
                   {"pado_unwanted", d.pado_unwanted},
                   {"error_tags", d.error_tags}}},
                 {"drops",
                  {{"ether_malformed", drops_.ether_malformed},
                   {"pppoe_malformed", drops_.pppoe_malformed},
                   {"tags_malformed", drops_.tags_malformed},
                   {"not_our_session", drops_.not_our_session},
                   {"unknown_session_padt", drops_.unknown_session_padt},
                   {"padt_not_ours", drops_.padt_not_ours},
                   {"ip_too_large", drops_.ip_too_large},
                   {"no_session", drops_.no_session},
                   {"tun_write_failed", drops_.tun_write_failed},
                   {"standby_frames", drops_.standby_frames},
                   {"standby_silenced", drops_.standby_silenced}}}};
  if (role_ != PairRole::kNone) j["pair"] = pair_json();
  if (link_) {
    const auto& ns = link_->ipcp().learned_name_servers();
    j["lcp"] = {{"state", state_name(link_->lcp_state())},
                {"peer_mru", link_->lcp().peer_mru()},
                {"auth", ppp::to_string(link_->lcp().auth_method())},
                {"local_magic", link_->lcp().local_magic()},
                {"peer_magic", link_->lcp().peer_magic()},
                {"echo_replies", link_->lcp().echo_replies()}};
    j["ipcp"] = {{"state", state_name(link_->ipcp_state())},
                 {"local", link_->address().to_string()},
                 {"peer", link_->server_address().to_string()},
                 {"dns1", ns.dns1.to_string()},
                 {"dns2", ns.dns2.to_string()}};
    j["ipv6cp"] = {{"state", state_name(link_->ipv6cp_state())}};
  }
  return j;
}

}  // namespace pppoe::pppoec
