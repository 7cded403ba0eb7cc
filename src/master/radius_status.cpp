// `pppoectl show radius`: RADIUS counters of every process (workers, gone workers, the master),
// server states as the workers see them, dynamic-authorization counters and the spool. Never
// a secret.
#include <ctime>

#include "master/server.hpp"

namespace pppoe::master {

std::uint64_t Server::aaa_total(radius::AaaCounter c) const {
  auto i = static_cast<std::size_t>(c);
  std::uint64_t t = retired_aaa_[i];
  for (unsigned s = 0; s < dataplane::kMaxWorkers; ++s)
    if (pool_.alive(s)) t += shared_.workers[s].aaa[i].load(std::memory_order_relaxed);
  if (aaa_) t += aaa_->counters()[i];
  return t;
}

ctl::Json Server::show_radius() const {
  if (!config_.radius.enabled()) return {{"ok", true}, {"enabled", false}};
  ctl::Json counters = ctl::Json::object();
  for (std::size_t i = 0; i < static_cast<std::size_t>(radius::AaaCounter::kCount); ++i) {
    auto c = static_cast<radius::AaaCounter>(i);
    counters[radius::to_string(c)] = aaa_total(c);
  }
  // A server is shown "dead" in as many workers as hold it down right now.
  auto servers = [&](const std::vector<RadiusServer>& list, bool acct) {
    std::vector<const RadiusServer*> sorted;
    for (const auto& s : list) sorted.push_back(&s);
    std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->priority < b->priority; });
    ctl::Json out = ctl::Json::array();
    unsigned workers = 0;
    std::vector<unsigned> dead(sorted.size(), 0);
    for (unsigned w = 0; w < dataplane::kMaxWorkers; ++w) {
      if (!pool_.alive(w)) continue;
      ++workers;
      std::uint32_t mask = (acct ? shared_.workers[w].radius_dead_acct : shared_.workers[w].radius_dead_auth).load();
      for (std::size_t i = 0; i < sorted.size(); ++i)
        if ((mask & (1u << i)) != 0) ++dead[i];
    }
    for (std::size_t i = 0; i < sorted.size(); ++i)
      out.push_back({{"address", fmt::format("{}:{}", sorted[i]->address.to_string(), sorted[i]->port)},
                     {"priority", sorted[i]->priority},
                     {"state", dead[i] == 0 ? "alive" : dead[i] == workers ? "dead" : "dead in some workers"},
                     {"dead_in_workers", dead[i]}});
    return out;
  };
  std::uint64_t auth_in_progress = 0, acct_in_progress = 0;
  for (unsigned w = 0; w < dataplane::kMaxWorkers; ++w) {
    if (!pool_.alive(w)) continue;
    auth_in_progress += shared_.workers[w].radius_in_flight_auth.load(std::memory_order_relaxed);
    acct_in_progress += shared_.workers[w].radius_in_flight_acct.load(std::memory_order_relaxed);
  }
  if (aaa_) acct_in_progress += aaa_->in_flight(true);
  ctl::Json in_progress = {{"auth", auth_in_progress}, {"accounting", acct_in_progress}};
  ctl::Json j = {{"ok", true},
                 {"enabled", true},
                 {"nas_identifier", aaa_ ? aaa_->nas().identifier : ""},
                 {"nas_ip_address", aaa_ && aaa_->nas().ip ? aaa_->nas().ip->to_string() : ""},
                 {"auth_servers", servers(config_.radius.auth_servers, false)},
                 {"acct_servers", servers(config_.radius.acct_servers, true)},
                 {"counters", counters},
                 {"in_progress", in_progress},
                 {"spooled_records", aaa_ ? aaa_->spooled() : 0}};
  if (dae_) {
    const auto& d = dae_->counters();
    j["dynamic_authorization"] = {{"disconnect_requests", d.disconnect_requests}, {"disconnect_acks", d.disconnect_acks},
                                  {"disconnect_naks", d.disconnect_naks},         {"coa_requests", d.coa_requests},
                                  {"coa_acks", d.coa_acks},                       {"coa_naks", d.coa_naks},
                                  {"unknown_clients", d.unknown_clients},         {"bad_authenticators", d.bad_authenticators},
                                  {"malformed", d.malformed},                     {"replays", d.replays},
                                  {"duplicates", d.duplicates}};
  }
  return j;
}

}  // namespace pppoe::master
