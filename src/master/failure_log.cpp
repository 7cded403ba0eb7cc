#include "master/failure_log.hpp"

#include "session/ppp_link.hpp"

namespace pppoe::master {

std::string describe_end(std::uint8_t reason, std::string_view detail) {
  using session::EndReason;
  if (!detail.empty()) return std::string(detail);
  switch (static_cast<EndReason>(reason)) {
    case EndReason::kNone: break;
    case EndReason::kPeerTerminate: return "the subscriber ended it (LCP Terminate-Request)";
    case EndReason::kPeerPadt: return "the subscriber ended it (PADT)";
    case EndReason::kEchoTimeout: return "the subscriber stopped answering LCP echoes";
    case EndReason::kAuthFailed: return "authentication failed";
    case EndReason::kAuthTimeout: return "the subscriber did not authenticate in time (auth-timeout)";
    case EndReason::kPoolExhausted: return "no address left in the pool";
    case EndReason::kLcpFailed: return "LCP did not come up: the peer did not answer LCP, or no agreement";
    case EndReason::kNcpFailed: return "IPCP did not come up";
    case EndReason::kSessionTimeout: return "session-timeout reached";
    case EndReason::kIdleTimeout: return "idle-timeout reached";
    case EndReason::kAdminReset: return "ended by the operator or by RADIUS (Disconnect-Request)";
    case EndReason::kLoopback: return "looped-back link (the peer echoed our magic number)";
    case EndReason::kShutdown: return "pppoed stopped";
    case EndReason::kTunnelDown: return "the LNS cleared the call or the tunnel, or no LNS took it";
  }
  return "ended";
}

std::string describe_phase(std::uint8_t phase, bool was_up, std::uint8_t reason) {
  using session::EndReason;
  if (was_up) return "up";
  // The link is down by the time the session ends: the reason says where it stopped.
  switch (static_cast<EndReason>(reason)) {
    case EndReason::kAuthFailed:
    case EndReason::kAuthTimeout: return "authentication";
    case EndReason::kPoolExhausted:
    case EndReason::kNcpFailed: return "IPCP";
    case EndReason::kLcpFailed: return "LCP";
    default: break;
  }
  switch (static_cast<session::Phase>(phase)) {
    case session::Phase::kDead:
    case session::Phase::kEstablish: return "LCP";
    case session::Phase::kAuthenticate: return "authentication";
    case session::Phase::kNetwork: return "IPCP";
    case session::Phase::kTerminate: return "terminate";
  }
  return "?";
}

void FailureLog::add(FailureEntry e) {
  ++recorded_;
  if (capacity_ == 0) return;
  // Discovery refusals of a retrying client merge into one entry.
  if (e.session_id == 0)
    for (auto it = entries_.rbegin(); it != entries_.rend() && e.unix_ms - it->unix_ms <= kMergeSeconds * 1000; ++it)
      if (it->session_id == 0 && it->mac == e.mac && it->vlans == e.vlans && it->reason == e.reason) {
        ++it->repeats;
        it->unix_ms = e.unix_ms;
        return;
      }
  if (entries_.size() >= capacity_) entries_.pop_front();
  entries_.push_back(std::move(e));
}

ctl::Json FailureLog::to_json(const std::string& user, const std::string& mac, std::size_t max) const {
  ctl::Json list = ctl::Json::array();
  for (auto it = entries_.rbegin(); it != entries_.rend() && list.size() < max; ++it) {
    if (!user.empty() && it->user != user) continue;
    if (!mac.empty() && it->mac.to_string() != mac) continue;
    ctl::Json vlans = ctl::Json::array();
    for (std::uint8_t i = 0; i < it->vlans.count && i < it->vlans.tags.size(); ++i) vlans.push_back(it->vlans.tags[i].vid());
    list.push_back({{"unix_ms", it->unix_ms},
                    {"mac", it->mac.to_string()},
                    {"vlans", vlans},
                    {"user", it->user},
                    {"phase", it->phase},
                    {"reason", it->reason},
                    {"session_id", it->session_id},
                    {"repeats", it->repeats}});
  }
  return list;
}

}  // namespace pppoe::master
