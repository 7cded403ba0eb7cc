#include "master/session_query.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <cstring>

#include "common/ipv4.hpp"
#include "proto/pppoe.hpp"

namespace pppoe::master {

namespace {
bool glob(const std::string& pattern, const std::string& text) {
  return pattern.empty() || ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}
}  // namespace

bool SessionMatch::matches(const dataplane::SessionRecord& r) const {
  if (worker && r.worker != *worker) return false;
  if (vlan) {
    bool any = false;
    for (std::uint8_t i = 0; i < r.vlans.count && i < r.vlans.tags.size(); ++i) any = any || r.vlans.tags[i].vid() == *vlan;
    if (!any) return false;
  }
  if (!user.empty() && !glob(user, std::string(r.user, ::strnlen(r.user, sizeof r.user)))) return false;
  if (!mac.empty() && !glob(mac, r.client_mac.to_string())) return false;
  if (!ip.empty() && !glob(ip, r.ipv4 != 0 ? Ipv4Address{r.ipv4}.to_string() : std::string())) return false;
  if (!state.empty() && !glob(state, dataplane::to_string(r.state))) return false;
  return true;
}

std::expected<SessionPage, std::string> parse_session_page(const ctl::Json& req) {
  SessionPage page;
  auto number = [&req](const char* name, std::uint64_t min, std::uint64_t max) -> std::expected<std::optional<std::uint64_t>, std::string> {
    if (!req.contains(name)) return std::nullopt;
    const auto& v = req[name];
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::uint64_t>() < min || v.get<std::uint64_t>() > max)
      return std::unexpected(fmt::format("'{}' expects a number from {} to {}", name, min, max));
    return v.get<std::uint64_t>();
  };
  auto from = number("from", 1, pppoe_proto::kMaxSessionId);
  if (!from) return std::unexpected(from.error());
  if (*from) page.from = static_cast<std::uint16_t>(**from);
  auto max = number("max", 1, SessionPage::kMaxPage);
  if (!max) return std::unexpected(max.error());
  if (*max) page.max = static_cast<unsigned>(**max);
  if (!req.contains("match")) return page;
  const auto& m = req["match"];
  if (!m.is_object()) return std::unexpected("'match' expects an object of FIELD: PATTERN");
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string& key = it.key();
    if (key == "vlan" || key == "worker") {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::uint64_t>() > (key == "vlan" ? 4095u : 63u))
        return std::unexpected(fmt::format("match {} expects a number", key));
      if (key == "vlan") page.match.vlan = static_cast<std::uint16_t>(it->get<std::uint64_t>());
      else page.match.worker = static_cast<unsigned>(it->get<std::uint64_t>());
      continue;
    }
    if (!it->is_string() || it->get<std::string>().size() > 256)
      return std::unexpected(fmt::format("match {} expects a pattern", key));
    std::string pattern = it->get<std::string>();
    if (key == "user") page.match.user = pattern;
    else if (key == "mac") page.match.mac = pattern;
    else if (key == "ip") page.match.ip = pattern;
    else if (key == "state") page.match.state = pattern;
    else return std::unexpected(fmt::format("cannot match on '{}' (user, mac, ip, state, vlan, worker)", key));
  }
  return page;
}

}  // namespace pppoe::master
