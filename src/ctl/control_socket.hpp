// The control protocol shared by pppoed, pppoectl and pppoetest: a Unix stream socket
// (mode 0600, root), one JSON request line in, one JSON response line out, then close.
//
//   request:  {"cmd": "show", "what": "sessions"}
//   response: {"ok": true, ...} or {"ok": false, "error": "..."}
#pragma once

#include <expected>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "ctl/line_server.hpp"

namespace pppoe::ctl {

using Json = nlohmann::json;

inline constexpr std::size_t kMaxRequest = 64 * 1024;

class ControlServer {
 public:
  using Handler = std::function<Json(const Json& request)>;

  static std::expected<ControlServer, std::string> listen(const std::string& path);
  ControlServer(ControlServer&& o) noexcept : lines_(std::move(o.lines_)), path_(std::move(o.path_)) { o.path_.clear(); }
  ControlServer& operator=(ControlServer&&) = delete;
  ~ControlServer();

  /// Ready when a connection needs service (see LineServer).
  [[nodiscard]] int fd() const { return lines_->fd(); }
  /// Serves whatever is ready without blocking; a malformed request gets an error response.
  void serve(const Handler& handler, TimePoint now);
  void expire(TimePoint now) { lines_->expire(now); }
  void close_in_child() { lines_->close_in_child(); }
  [[nodiscard]] const LineServer& lines() const { return *lines_; }

 private:
  ControlServer() = default;
  std::optional<LineServer> lines_;
  std::string path_;
};

/// Parses one request line and hands it to `handler`; the response as one line of text.
std::string answer_request(std::string_view line, const ControlServer::Handler& handler);

/// A response's limit: `show sessions` of 65,534 sessions is ~40 MiB of JSON.
inline constexpr std::size_t kMaxResponse = 256u << 20;
/// Reads one '\n'-terminated line (at most `max_bytes`) within `timeout_ms` per read; the
/// error is "timeout" or "message too long".
std::expected<std::string, std::string> read_line(int fd, int timeout_ms, std::size_t max_bytes = kMaxRequest);
/// A string member of a request, or "" when `j` is no object or the member no string: requests
/// are untrusted, and nlohmann's value() throws on a wrong type.
inline std::string text_field(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
/// `j` as one line of text (without '\n'); invalid UTF-8 in strings is replaced, never thrown on.
std::string to_text(const Json& j);
/// Writes `j` as one line; false if the peer is gone.
bool write_line(int fd, const Json& j);

/// Sends one request and waits for the response (`timeout_ms`).
std::expected<Json, std::string> request(const std::string& path, const Json& req, int timeout_ms = 5000);

}  // namespace pppoe::ctl
