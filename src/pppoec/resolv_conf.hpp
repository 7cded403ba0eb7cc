// `enable dns` (ppp(8)): the DNS servers IPCP learned (RFC 1877) are written to a resolv.conf
// while the link is up, and the file's earlier content is put back when it goes down. Only the
// nameserver lines are replaced; search, options and comments are kept. The file is the
// daemon's --resolv-conf (default /etc/resolv.conf), and only touched with `enable dns`.
#pragma once

#include <expected>
#include <optional>
#include <string>

#include "proto/ppp/ipcp.hpp"

namespace pppoe::pppoec {

class ResolvConf {
 public:
  explicit ResolvConf(std::string path = {}) : path_(std::move(path)) {}
  /// Writes the servers (atomically), remembering what was there first.
  std::expected<void, std::string> apply(const ppp::NameServers& servers);
  /// Puts the original content back (no-op when apply() never wrote).
  std::expected<void, std::string> restore();
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::optional<std::string> original_;  ///< content before our first write ("" if there was no file)
  bool existed_ = false;
};

}  // namespace pppoe::pppoec
