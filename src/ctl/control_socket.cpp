#include "ctl/control_socket.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pppoe::ctl {
namespace {

std::expected<sockaddr_un, std::string> address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) return std::unexpected(fmt::format("{}: socket path too long", path));
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

}  // namespace

std::expected<std::string, std::string> read_line(int fd, int timeout_ms, std::size_t max_bytes) {
  std::string data;
  char buf[65536];
  while (data.size() < max_bytes) {
    if (!wait_for(fd, POLLIN, timeout_ms)) return std::unexpected("timeout");
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (std::memchr(buf, '\n', static_cast<std::size_t>(n)) != nullptr) break;  // not the whole string: O(n) overall
  }
  if (data.size() >= max_bytes) return std::unexpected("message too long");
  if (auto nl = data.find('\n'); nl != std::string::npos) data.resize(nl);
  return data;
}

std::string to_text(const Json& j) {
  // Responses carry strings from the wire (user names, tags): invalid UTF-8 must be replaced,
  // not thrown on (dump()'s default would end the master).
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool write_line(int fd, const Json& j) {
  std::string line = to_text(j) + "\n";
  std::string_view s = line;
  while (!s.empty()) {
    ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::expected<ControlServer, std::string> ControlServer::listen(const std::string& path) {
  auto addr = address(path);
  if (!addr) return std::unexpected(addr.error());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(fmt::format("socket: {}", std::strerror(errno)));
  auto fail = [fd](std::string e) {
    ::close(fd);
    return std::unexpected(std::move(e));
  };
  // A socket file left by a crashed daemon is removed only if nobody answers on it.
  int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(probe, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) == 0) {
    ::close(probe);
    return fail(fmt::format("{}: another pppoed is running", path));
  }
  ::close(probe);
  ::unlink(path.c_str());
  mode_t old = ::umask(0177);  // 0600: root only
  int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr);
  ::umask(old);
  if (rc < 0) return fail(fmt::format("{}: bind: {}", path, std::strerror(errno)));
  if (::listen(fd, 64) < 0) return fail(fmt::format("{}: listen: {}", path, std::strerror(errno)));
  ControlServer s;
  s.lines_.emplace(fd, LineServer::Limits{.max_connections = 64, .max_request = kMaxRequest});
  s.path_ = path;
  return s;
}

ControlServer::~ControlServer() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

std::string answer_request(std::string_view line, const ControlServer::Handler& handler) {
  Json req = Json::parse(line, nullptr, false);
  if (req.is_discarded() || !req.is_object()) return to_text({{"ok", false}, {"error", "request is not a JSON object"}});
  return to_text(handler(req));
}

void ControlServer::serve(const Handler& handler, TimePoint now) {
  lines_->serve(
      nullptr, [&](std::string_view line, const std::string&) { return answer_request(line, handler); },
      [] { return to_text({{"ok", false}, {"error", "message too long"}}); }, now);
}

std::expected<Json, std::string> request(const std::string& path, const Json& req, int timeout_ms) {
  auto addr = address(path);
  if (!addr) return std::unexpected(addr.error());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(fmt::format("socket: {}", std::strerror(errno)));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) < 0) {
    std::string e = fmt::format("{}: cannot connect: {}", path, std::strerror(errno));
    ::close(fd);
    return std::unexpected(e);
  }
  if (!write_line(fd, req)) {
    ::close(fd);
    return std::unexpected("write failed");
  }
  auto line = read_line(fd, timeout_ms, kMaxResponse);
  ::close(fd);
  if (!line) return std::unexpected(line.error());
  Json res = Json::parse(*line, nullptr, false);
  if (res.is_discarded()) return std::unexpected("malformed response");
  return res;
}

}  // namespace pppoe::ctl
