// Local users in ppp.secret format (FreeBSD ppp(8), handbook section 30.2.5):
//
//   # comment
//   user   secret   [ip]
//
// Fields are separated by blanks; a field may be double-quoted to hold blanks. The file is
// untrusted input: every error names the file and line.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/ipv4.hpp"
#include "common/ipv6.hpp"
#include "policy/rate.hpp"
#include "session/authenticator.hpp"

namespace pppoe::session {

struct SecretEntry {
  std::string secret;
  std::optional<Ipv4Address> ip;
  std::optional<Ipv6Prefix> ipv6_prefix;  ///< `ipv6=PREFIX/64`: the user's fixed /64
  std::optional<Ipv6Prefix> delegated;    ///< `pd=PREFIX/LEN`: the user's fixed delegated prefix (48..64)
  std::optional<policy::RateLimit> rate;  ///< `rate=DOWN[/UP]`: the user's rate limit
  std::string filter;                     ///< `filter=LIST`: the user's filter list
  policy::FramedRoutes routes;            ///< `route=PREFIX[,PREFIX]`: networks behind the user
};

class LocalSecrets {
 public:
  /// Parses `text`; `origin` names the file in error messages.
  static std::expected<LocalSecrets, std::string> parse(std::string_view text, std::string_view origin);
  static std::expected<LocalSecrets, std::string> load(const std::string& path);
  /// The text of a secrets file; warns when group or others may read it.
  static std::expected<std::string, std::string> read_text(const std::string& path);

  void add(std::string user, std::string secret, std::optional<Ipv4Address> ip = std::nullopt);
  [[nodiscard]] std::size_t size() const { return users_.size(); }
  void swap(LocalSecrets& other) noexcept { users_.swap(other.users_); }
  [[nodiscard]] const SecretEntry* find(std::string_view user) const;

  /// Checks credentials of any method against the file; answers at once.
  [[nodiscard]] AuthResult check(const AuthRequest& request) const;
  [[nodiscard]] AuthResult pap(std::string_view user, std::string_view password) const;
  [[nodiscard]] AuthResult chap_md5(std::string_view user, std::uint8_t id, Bytes challenge, Bytes response) const;
  [[nodiscard]] AuthResult mschapv2(std::string_view user, const ppp::mschapv2::Challenge16& authenticator,
                                    const ppp::mschapv2::Challenge16& peer,
                                    const ppp::mschapv2::NtResponse& nt_response) const;

 private:
  static AuthResult granted(const SecretEntry& e);
  std::unordered_map<std::string, SecretEntry> users_;
};

/// Splits "a,b,c" at commas (empty items kept, so callers can report them).
std::vector<std::string> split_commas(std::string_view text);

/// Splits one config-style line into fields: blanks separate, double quotes group, '#' starts
/// a comment outside quotes. Returns an error text for an unterminated quote.
std::expected<std::vector<std::string>, std::string> split_fields(std::string_view line);

}  // namespace pppoe::session
