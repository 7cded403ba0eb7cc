// The control protocol as a client on the control socket or the remote-control port sends it:
// newline-framed JSON (read_line over a real socketpair), then the checks every request passes
// before any handler sees it (object, "auth" string, "request" object, read-only for remote).
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

#include "ctl/control_socket.hpp"
#include "ctl/remote_control.hpp"

using namespace pppoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 60000) return 0;  // one socket buffer, written at once
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return 0;
  if (size > 0 && ::write(sv[0], data, size) != static_cast<ssize_t>(size)) std::abort();
  ::close(sv[0]);
  for (int i = 0; i < 64; ++i) {
    auto line = ctl::read_line(sv[1], 0);
    if (!line) break;
    ctl::Json msg = ctl::Json::parse(*line, nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) continue;
    if (msg.contains("auth") && msg["auth"].is_string()) (void)msg["auth"].get<std::string>();
    if (msg.contains("request") && msg["request"].is_object()) (void)ctl::is_read_only(msg["request"]);
    (void)ctl::is_read_only(msg);
    (void)ctl::text_field(msg, "cmd");
    (void)msg.dump();
  }
  ::close(sv[1]);
  return 0;
}
