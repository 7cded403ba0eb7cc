#include "pppoec/session_record.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace pppoe::pppoec {
namespace {

using Json = nlohmann::json;

/// Reads an unsigned member within [0, max]; records are untrusted.
template <typename T>
bool read_uint(const Json& j, const char* key, T& out, std::uint64_t max) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) return false;
  auto v = it->get<std::uint64_t>();
  if (v > max) return false;
  out = static_cast<T>(v);
  return true;
}

bool read_text(const Json& j, const char* key, std::string& out, std::size_t max) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return out.size() <= max;
}

bool read_mac(const Json& j, const char* key, MacAddress& out) {
  std::string s;
  if (!read_text(j, key, s, 17)) return false;
  auto m = MacAddress::parse(s);
  if (!m) return false;
  out = *m;
  return true;
}

bool read_ip(const Json& j, const char* key, Ipv4Address& out) {
  std::string s;
  if (!read_text(j, key, s, 15)) return false;
  auto a = Ipv4Address::parse(s);
  if (!a) return false;
  out = *a;
  return true;
}

}  // namespace

std::string encode(const SessionRecord& r) {
  const auto& l = r.link;
  Json link = {{"local_magic", l.local_magic},
               {"peer_magic", l.peer_magic},
               {"peer_mru", l.peer_mru},
               {"auth", static_cast<unsigned>(l.auth)},
               {"lcp_next_id", l.lcp_next_id},
               {"ipcp_next_id", l.ipcp_next_id},
               {"ipv6cp_next_id", l.ipv6cp_next_id},
               {"local", l.local.to_string()},
               {"peer", l.peer.to_string()},
               {"dns1", l.name_servers.dns1.to_string()},
               {"dns2", l.name_servers.dns2.to_string()},
               {"ipv6_opened", l.ipv6_opened},
               {"ipv6_local_id", l.ipv6_local_id},
               {"ipv6_peer_id", l.ipv6_peer_id}};
  Json j = {{"version", SessionRecord::kVersion},
            {"profile", r.profile},
            {"interface", r.interface},
            {"our_mac", r.our_mac.to_string()},
            {"ac_mac", r.ac_mac.to_string()},
            {"session_id", r.session_id},
            {"max_payload", r.max_payload},
            {"ac_name", r.ac_name},
            {"saved_unix_ms", r.saved_unix_ms},
            {"up_unix_ms", r.up_unix_ms},
            {"traffic", {{"packets_in", r.packets_in}, {"bytes_in", r.bytes_in}, {"packets_out", r.packets_out}, {"bytes_out", r.bytes_out}}},
            {"link", link}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::expected<SessionRecord, std::string> decode_record(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::unexpected("not a JSON object");
  int version = 0;
  if (!read_uint(j, "version", version, 1000)) return std::unexpected("no version");
  if (version != SessionRecord::kVersion) return std::unexpected(fmt::format("version {} is not {}", version, SessionRecord::kVersion));
  SessionRecord r;
  auto lit = j.find("link");
  if (lit == j.end() || !lit->is_object()) return std::unexpected("no link object");
  const Json& l = *lit;
  unsigned auth = 0;
  bool ok = read_text(j, "profile", r.profile, 256) && read_text(j, "interface", r.interface, 15) &&
            read_mac(j, "our_mac", r.our_mac) && read_mac(j, "ac_mac", r.ac_mac) &&
            read_uint(j, "session_id", r.session_id, 0xfffe) && read_uint(j, "max_payload", r.max_payload, 0xffff) &&
            read_text(j, "ac_name", r.ac_name, 1484) && read_uint(j, "saved_unix_ms", r.saved_unix_ms, ~0ull) &&
            read_uint(j, "up_unix_ms", r.up_unix_ms, ~0ull) &&
            read_uint(l, "local_magic", r.link.local_magic, 0xffffffff) &&
            read_uint(l, "peer_magic", r.link.peer_magic, 0xffffffff) &&
            read_uint(l, "peer_mru", r.link.peer_mru, 0xffff) && read_uint(l, "auth", auth, 3) &&
            read_uint(l, "lcp_next_id", r.link.lcp_next_id, 255) &&
            read_uint(l, "ipcp_next_id", r.link.ipcp_next_id, 255) &&
            read_uint(l, "ipv6cp_next_id", r.link.ipv6cp_next_id, 255) && read_ip(l, "local", r.link.local) &&
            read_ip(l, "peer", r.link.peer) && read_ip(l, "dns1", r.link.name_servers.dns1) &&
            read_ip(l, "dns2", r.link.name_servers.dns2) &&
            read_uint(l, "ipv6_local_id", r.link.ipv6_local_id, ~0ull) &&
            read_uint(l, "ipv6_peer_id", r.link.ipv6_peer_id, ~0ull);
  if (!ok) return std::unexpected("a field is missing, of the wrong type or out of range");
  // Traffic counters came later: optional, but checked when present.
  if (auto t = j.find("traffic"); t != j.end()) {
    if (!t->is_object() || !read_uint(*t, "packets_in", r.packets_in, ~0ull) || !read_uint(*t, "bytes_in", r.bytes_in, ~0ull) ||
        !read_uint(*t, "packets_out", r.packets_out, ~0ull) || !read_uint(*t, "bytes_out", r.bytes_out, ~0ull))
      return std::unexpected("traffic: a counter is missing or not a number");
  }
  auto v6 = l.find("ipv6_opened");
  if (v6 == l.end() || !v6->is_boolean()) return std::unexpected("ipv6_opened is missing");
  r.link.ipv6_opened = v6->get<bool>();
  r.link.auth = static_cast<ppp::AuthMethod>(auth);
  // Consistency: a record of a live session has all of these.
  if (r.session_id == 0 || r.ac_mac.is_multicast() || r.ac_mac.is_zero() || r.our_mac.is_multicast() ||
      r.link.local.is_zero() || r.link.peer_mru < 64 || r.link.local_magic == 0)
    return std::unexpected("inconsistent: not a live session");
  return r;
}

std::expected<void, std::string> save_record(const std::string& path, const SessionRecord& r) {
  std::string tmp = path + ".tmp";
  std::string text = encode(r) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(fmt::format("{}: {}", tmp, std::strerror(errno)));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp.c_str());
    return std::unexpected(fmt::format("{}: {}", path, std::strerror(err)));
  }
  return {};
}

std::expected<SessionRecord, std::string> load_record(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(fmt::format("{}: cannot be read", path));
  std::string text(4096, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto r = decode_record(text);
  if (!r) return std::unexpected(fmt::format("{}: {}", path, r.error()));
  return r;
}

}  // namespace pppoe::pppoec
