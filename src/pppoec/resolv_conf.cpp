#include "pppoec/resolv_conf.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pppoe::pppoec {
namespace {

std::expected<void, std::string> write_atomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".pppoec";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return std::unexpected(fmt::format("{}: cannot be written", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return std::unexpected(fmt::format("{}: {}", path, std::strerror(err)));
  }
  return {};
}

}  // namespace

std::expected<void, std::string> ResolvConf::apply(const ppp::NameServers& servers) {
  if (path_.empty()) return {};
  if (!original_) {
    std::ifstream in(path_, std::ios::binary);
    existed_ = static_cast<bool>(in);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    original_ = text.str();
  }
  std::string out = "# written by pppoec (enable dns); restored when the link goes down\n";
  for (Ipv4Address a : {servers.dns1, servers.dns2})
    if (!a.is_zero()) out += "nameserver " + a.to_string() + "\n";
  std::istringstream keep(*original_);
  for (std::string line; std::getline(keep, line);)
    if (line.rfind("nameserver", 0) != 0 && line.rfind("# written by pppoec", 0) != 0) out += line + "\n";
  return write_atomically(path_, out);
}

std::expected<void, std::string> ResolvConf::restore() {
  if (path_.empty() || !original_) return {};
  std::string original = std::move(*original_);
  original_.reset();
  if (!existed_) {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
      return std::unexpected(fmt::format("{}: {}", path_, std::strerror(errno)));
    return {};
  }
  return write_atomically(path_, original);
}

}  // namespace pppoe::pppoec
