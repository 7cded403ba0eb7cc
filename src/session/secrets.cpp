#include "session/secrets.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/lines.hpp"
#include "common/log.hpp"
#include "proto/ppp/chap.hpp"

namespace pppoe::session {

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  for (;;) {
    auto comma = text.find(',', start);
    if (comma == std::string_view::npos) {
      items.emplace_back(text.substr(start));
      return items;
    }
    items.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

std::expected<std::vector<std::string>, std::string> split_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#') break;
    std::string field;
    if (c == '"') {
      auto end = line.find('"', i + 1);
      if (end == std::string_view::npos) return std::unexpected("unterminated double quote");
      field = std::string(line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#')
        field += line[i++];
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

std::expected<LocalSecrets, std::string> LocalSecrets::parse(std::string_view text, std::string_view origin) {
  LocalSecrets s;
  auto r = for_each_line(text, [&](std::string_view line, unsigned line_no) -> std::expected<void, std::string> {
    auto fields = split_fields(line);
    if (!fields) return std::unexpected(fmt::format("{}:{}: {}", origin, line_no, fields.error()));
    if (fields->empty()) return {};
    if (fields->size() < 2 || fields->size() > 8)
      return std::unexpected(fmt::format("{}:{}: expected 'user secret [ip] [ipv6=PREFIX/64] [pd=PREFIX/LEN] [rate=DOWN/UP] [filter=LIST] [route=PREFIX,...]', found {} field(s)",
                                         origin, line_no, fields->size()));
    const std::string& user = (*fields)[0];
    if (user.size() > 253 || (*fields)[1].size() > 253)
      return std::unexpected(fmt::format("{}:{}: user name or secret longer than 253 bytes", origin, line_no));
    SecretEntry entry{(*fields)[1], std::nullopt, std::nullopt, std::nullopt, std::nullopt, {}, {}};
    for (std::size_t i = 2; i < fields->size(); ++i) {
      const std::string& f = (*fields)[i];
      // A fixed /64 and delegated prefix for the user (operator guide "IPv6").
      if (f.starts_with("ipv6=") || f.starts_with("pd=")) {
        bool wan = f.starts_with("ipv6=");
        auto p = Ipv6Prefix::parse(std::string_view(f).substr(wan ? 5 : 3));
        if (!p || (wan ? p->length != 64 : p->length < 48) || p->upper == 0)
          return std::unexpected(fmt::format("{}:{}: expected {} found '{}'", origin, line_no,
                                             wan ? "ipv6= and a /64 prefix," : "pd= and a prefix of length 48 to 64,", f));
        (wan ? entry.ipv6_prefix : entry.delegated) = *p;
        continue;
      }
      if (f.starts_with("route=")) {
        auto routes = policy::parse_route_list(std::string_view(f).substr(6));
        if (!routes) return std::unexpected(fmt::format("{}:{}: route=: {}", origin, line_no, routes.error()));
        entry.routes = std::move(*routes);
        continue;
      }
      if (f.starts_with("filter=") && f.size() > 7 && f.size() <= 7 + 31) {
        entry.filter = f.substr(7);
        continue;
      }
      // The user's speed (operator guide "Service policy").
      if (f.starts_with("rate=")) {
        entry.rate = policy::parse_down_up(std::string_view(f).substr(5));
        if (!entry.rate)
          return std::unexpected(fmt::format("{}:{}: expected rate=DOWN[/UP] in kbit/s or with k, M, G (e.g. rate=20M/5M), found '{}'",
                                             origin, line_no, f));
        continue;
      }
      auto ip = Ipv4Address::parse(f);
      if (i != 2 || !ip || ip->is_zero())
        return std::unexpected(fmt::format("{}:{}: expected an IPv4 address as third field (or ipv6=, pd=, rate=, filter=, route=), found '{}'",
                                           origin, line_no, f));
      entry.ip = ip;
    }
    if (s.users_.contains(user))
      return std::unexpected(fmt::format("{}:{}: user '{}' defined twice", origin, line_no, user));
    s.users_.emplace(user, std::move(entry));
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return s;
}

std::expected<std::string, std::string> LocalSecrets::read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected(fmt::format("{}: cannot open secrets file", path));
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
    log::warn("{}: readable by group or others (mode {:o}); secrets files should be mode 0600", path,
              st.st_mode & 0777);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::expected<LocalSecrets, std::string> LocalSecrets::load(const std::string& path) {
  auto text = read_text(path);
  if (!text) return std::unexpected(text.error());
  return parse(*text, path);
}

void LocalSecrets::add(std::string user, std::string secret, std::optional<Ipv4Address> ip) {
  users_[std::move(user)] = SecretEntry{std::move(secret), ip, std::nullopt, std::nullopt, std::nullopt, {}, {}};
}

const SecretEntry* LocalSecrets::find(std::string_view user) const {
  auto it = users_.find(std::string(user));
  return it == users_.end() ? nullptr : &it->second;
}

namespace {
AuthResult refused(const char* why) {
  AuthResult r;
  r.reason = why;
  return r;
}
constexpr const char* kUnknownUser = "unknown user (not in ppp.secret)";
constexpr const char* kWrongPassword = "wrong password";
}  // namespace

AuthResult LocalSecrets::pap(std::string_view user, std::string_view password) const {
  const SecretEntry* e = find(user);
  if (e == nullptr) return refused(kUnknownUser);
  if (!ppp::chap::equal_constant_time(as_bytes(e->secret), as_bytes(password))) return refused(kWrongPassword);
  return granted(*e);
}

AuthResult LocalSecrets::chap_md5(std::string_view user, std::uint8_t id, Bytes challenge, Bytes response) const {
  const SecretEntry* e = find(user);
  if (e == nullptr) return refused(kUnknownUser);
  auto expected = ppp::chap::md5_response(id, e->secret, challenge);
  if (!ppp::chap::equal_constant_time(Bytes(expected), response)) return refused(kWrongPassword);
  return granted(*e);
}

AuthResult LocalSecrets::mschapv2(std::string_view user, const ppp::mschapv2::Challenge16& authenticator,
                                  const ppp::mschapv2::Challenge16& peer,
                                  const ppp::mschapv2::NtResponse& nt_response) const {
  const SecretEntry* e = find(ppp::mschapv2::strip_domain(user));
  if (e == nullptr) e = find(user);
  if (e == nullptr) return refused(kUnknownUser);
  auto expected = ppp::mschapv2::generate_nt_response(authenticator, peer, user, e->secret);
  if (!ppp::chap::equal_constant_time(Bytes(expected), Bytes(nt_response))) return refused(kWrongPassword);
  AuthResult r = granted(*e);
  r.mschap_success = ppp::mschapv2::authenticator_response(e->secret, nt_response, peer, authenticator, user);
  return r;
}

AuthResult LocalSecrets::granted(const SecretEntry& e) {
  AuthResult r;
  r.ok = true;
  r.framed_ip = e.ip;
  r.framed_ipv6_prefix = e.ipv6_prefix;
  r.delegated_prefix = e.delegated;
  if (e.rate) r.rate = *e.rate;
  r.filter = e.filter;
  r.routes = e.routes;
  return r;
}

AuthResult LocalSecrets::check(const AuthRequest& req) const {
  switch (req.method) {
    case ppp::AuthMethod::kNone: return refused("no authentication method agreed");
    case ppp::AuthMethod::kPap: return pap(req.user, req.password);
    case ppp::AuthMethod::kChapMd5: return chap_md5(req.user, req.chap_id, Bytes(req.challenge), Bytes(req.response));
    case ppp::AuthMethod::kMsChapV2: {
      if (req.response.size() != ppp::mschapv2::kResponseSize) return refused("malformed MS-CHAPv2 response");
      ppp::mschapv2::Challenge16 peer{};
      ppp::mschapv2::NtResponse nt{};
      std::copy_n(req.response.begin(), 16, peer.begin());
      std::copy_n(req.response.begin() + 24, 24, nt.begin());
      return mschapv2(req.user, req.challenge, peer, nt);
    }
  }
  return {};
}

}  // namespace pppoe::session
