#include "ctl/remote_control.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pppoe::ctl {
namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += fmt::format("{:02x}", p[i]);
  return s;
}

std::string hmac_hex(const std::string& secret, const std::string& challenge) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), out, &len);
  return hex(out, len);
}

}  // namespace

bool is_read_only(const Json& req) {
  std::string cmd = ctl::text_field(req, "cmd");
  if (cmd == "show") return true;
  if (cmd == "sysctl") return !req.contains("value");
  if (cmd == "msg") {
    std::string name = ctl::text_field(req, "name");
    return name == "showworkers" || name == "showgovernor" || name == "showstats";
  }
  return false;
}

std::expected<RemoteControlServer, std::string> RemoteControlServer::listen(std::uint16_t port, std::string secret) {
  if (secret.size() < 8) return std::unexpected("remote-secret must be at least 8 characters");
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(fmt::format("remote control: socket: {}", std::strerror(errno)));
  int zero = 0, one = 1;
  ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(fd, 16) < 0) {
    std::string e = fmt::format("remote control port {}: {}", port, std::strerror(errno));
    ::close(fd);
    return std::unexpected(e);
  }
  RemoteControlServer s;
  // Fewer connections than the local socket: this one faces the network.
  s.lines_.emplace(fd, LineServer::Limits{.max_connections = 16, .max_request = kMaxRequest,
                                          .idle_timeout = std::chrono::milliseconds(3000)});
  s.secret_ = std::move(secret);
  return s;
}

std::string RemoteControlServer::answer(std::string_view line, const std::string& greeting,
                                        const ControlServer::Handler& handler) {
  Json hello = Json::parse(greeting, nullptr, false);
  std::string challenge = text_field(hello, "challenge");
  Json msg = Json::parse(line, nullptr, false);
  if (msg.is_discarded() || !msg.is_object() || text_field(msg, "auth").empty())
    return to_text({{"ok", false}, {"error", "malformed request"}});
  std::string expected = hmac_hex(secret_, challenge);
  std::string got = text_field(msg, "auth");
  if (got.size() != expected.size() || CRYPTO_memcmp(got.data(), expected.data(), got.size()) != 0) {
    ++auth_failures;
    return to_text({{"ok", false}, {"error", "authentication failed"}});
  }
  if (!msg.contains("request") || !msg["request"].is_object() || !is_read_only(msg["request"]))
    return to_text({{"ok", false}, {"error", "remote control is read-only"}});
  return to_text(handler(msg["request"]));
}

void RemoteControlServer::serve(const ControlServer::Handler& handler, TimePoint now) {
  lines_->serve(
      [] {
        unsigned char nonce[16];
        while (::getrandom(nonce, sizeof nonce, 0) != sizeof nonce) {
        }
        return to_text({{"challenge", hex(nonce, sizeof nonce)}}) + "\n";
      },
      [&](std::string_view line, const std::string& greeting) { return answer(line, greeting, handler); },
      [] { return to_text({{"ok", false}, {"error", "malformed request"}}); }, now);
}

std::expected<Json, std::string> remote_request(const std::string& host, std::uint16_t port, const std::string& secret,
                                                const Json& req, int timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0)
    return std::unexpected(fmt::format("{}: {}", host, gai_strerror(rc)));
  int fd = -1;
  std::string last = "unreachable";
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
      last = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(res);
  if (fd < 0) return std::unexpected(fmt::format("{}:{}: {}", host, port, last));
  auto hello = read_line(fd, timeout_ms);
  Json challenge = hello ? Json::parse(*hello, nullptr, false) : Json();
  if (!hello || challenge.is_discarded() || !challenge.contains("challenge")) {
    ::close(fd);
    return std::unexpected(hello ? std::string("not a pppoed remote control port") : hello.error());
  }
  write_line(fd, {{"auth", hmac_hex(secret, ctl::text_field(challenge, "challenge"))}, {"request", req}});
  auto line = read_line(fd, timeout_ms, kMaxResponse);
  ::close(fd);
  if (!line) return std::unexpected(line.error());
  Json response = Json::parse(*line, nullptr, false);
  if (response.is_discarded()) return std::unexpected("malformed response");
  return response;
}

}  // namespace pppoe::ctl
