// The control protocol shared by pppoed, pppoectl and pppoetest: a Unix stream socket
// (mode 0600, root), one JSON request line in, one JSON response line out, then close.
//
//   request:  {"cmd": "show", "what": "sessions"}
//   response: {"ok": true, ...} or {"ok": false, "error": "..."}
#pragma once

#include <expected>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace pppoe::ctl {

using Json = nlohmann::json;

inline constexpr std::size_t kMaxRequest = 64 * 1024;

class ControlServer {
 public:
  using Handler = std::function<Json(const Json& request)>;

  static std::expected<ControlServer, std::string> listen(const std::string& path);
  ControlServer(ControlServer&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }
  ControlServer& operator=(ControlServer&&) = delete;
  ~ControlServer();

  [[nodiscard]] int fd() const { return fd_; }
  /// Serves every pending connection; a malformed request gets an error response.
  void serve(const Handler& handler);

 private:
  ControlServer() = default;
  int fd_ = -1;
  std::string path_;
};

/// Reads one '\n'-terminated line (at most kMaxRequest bytes) within `timeout_ms`; the error
/// is "timeout" or "message too long".
std::expected<std::string, std::string> read_line(int fd, int timeout_ms);
/// A string member of a request, or "" when `j` is no object or the member no string: requests
/// are untrusted, and nlohmann's value() throws on a wrong type.
inline std::string text_field(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
/// Writes `j` as one line; false if the peer is gone.
bool write_line(int fd, const Json& j);

/// Sends one request and waits for the response (`timeout_ms`).
std::expected<Json, std::string> request(const std::string& path, const Json& req, int timeout_ms = 5000);

}  // namespace pppoe::ctl
