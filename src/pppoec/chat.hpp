// Chat scripts of `set dial` and `set login` (ppp(8), chat(8)): expect-send pairs run on a
// serial line before PPP starts.
//
//   ABORT BUSY ABORT "NO CARRIER" TIMEOUT 5 "" ATZ OK-ATZ-OK ATDT\T TIMEOUT 40 CONNECT
//
// Words alternate: expect, send, expect, send... `ABORT STRING` ends the script with an error
// when STRING arrives; `TIMEOUT N` sets the seconds each later expect may wait. An expect may
// be `EXPECT-SEND-EXPECT...`: when EXPECT does not arrive in time, SEND is sent and the next
// EXPECT awaited. `""` expects nothing. Escapes: \r \n \t \s (space) \\ \d (pause 1 s) \p
// (pause 0.25 s) \c (at the end of a send: no carriage return, else one is added) \T (the
// phone number). Sends are logged; an expect's received text is logged only when it fails.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <vector>

namespace pppoe::pppoec {

struct ChatStep {
  enum class Kind : std::uint8_t { kExpect, kSend, kAbort, kTimeout } kind;
  /// kExpect: alternatives, tried in turn, with the send between them (EXPECT-SEND-EXPECT...).
  std::vector<std::string> expect;
  std::vector<std::string> retry_sends;
  std::string text;     ///< kSend (escapes not yet applied), kAbort
  unsigned seconds = 0; ///< kTimeout
  bool secret = false;  ///< kSend: not logged (a login name or password)
};

/// What \T, \U and \P stand for.
struct ChatValues {
  std::string phone;
  std::string user;
  std::string password;
};

/// Parses the words of a script (one quoted word holding the whole script is split first).
[[nodiscard]] std::expected<std::vector<ChatStep>, std::string> parse_chat(const std::vector<std::string>& words);

/// Applies a send string's escapes: what goes on the line, with the pauses it asks for as
/// 0xff markers (one per 0.25 s) and a carriage return unless it ends in \c.
[[nodiscard]] std::string expand_send(const std::string& text, const ChatValues& values);

/// Runs `steps` on the line `fd` (non-blocking); the error says which expect failed and why.
std::expected<void, std::string> run_chat(int fd, const std::vector<ChatStep>& steps, const ChatValues& values,
                                          std::chrono::seconds default_timeout = std::chrono::seconds(45));

}  // namespace pppoe::pppoec
