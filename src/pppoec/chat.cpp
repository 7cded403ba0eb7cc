#include "pppoec/chat.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include "common/log.hpp"

namespace pppoe::pppoec {
namespace {

constexpr char kPause = '\xff';  // a quarter-second pause inside an expanded send

std::vector<std::string> split_dashes(const std::string& s) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      parts.back() += s.substr(i, 2);
      ++i;
    } else if (s[i] == '-') {
      parts.emplace_back();
    } else {
      parts.back() += s[i];
    }
  }
  return parts;
}

/// Expect strings take the same escapes as sends, without the pauses and the carriage return.
std::string expand_expect(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    switch (text[++i]) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 's': out += ' '; break;
      default: out += text[i]; break;
    }
  }
  return out;
}

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
    } else {
      return false;
    }
  }
  return true;
}

bool send(int fd, const std::string& expanded) {
  std::string chunk;
  for (char c : expanded) {
    if (c == kPause) {
      if (!write_all(fd, chunk)) return false;
      chunk.clear();
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    } else {
      chunk += c;
    }
  }
  return write_all(fd, chunk);
}

}  // namespace

std::expected<std::vector<ChatStep>, std::string> parse_chat(const std::vector<std::string>& words_in) {
  std::vector<std::string> words = words_in;
  if (words.size() == 1 && words[0].find(' ') != std::string::npos) {
    // The whole script in one quoted word: split it on blanks, "" kept as an empty word and
    // backslash escapes kept for the expect and send strings (\s, \T, ...).
    std::string script = words[0];
    words.clear();
    std::string w;
    bool in_word = false, quoted = false;
    for (std::size_t i = 0; i < script.size(); ++i) {
      char c = script[i];
      if (c == '\\' && i + 1 < script.size()) {
        w += script.substr(i++, 2);
        in_word = true;
      } else if (c == '"') {
        quoted = !quoted;
        in_word = true;
      } else if ((c == ' ' || c == '\t') && !quoted) {
        if (in_word) words.push_back(w);
        w.clear();
        in_word = false;
      } else {
        w += c;
        in_word = true;
      }
    }
    if (quoted) return std::unexpected("expected a closing '\"'");
    if (in_word) words.push_back(w);
  }
  std::vector<ChatStep> steps;
  bool expect_next = true;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "ABORT" || w == "TIMEOUT") {
      if (i + 1 >= words.size()) return std::unexpected(fmt::format("{}: expected an argument", w));
      ChatStep s{w == "ABORT" ? ChatStep::Kind::kAbort : ChatStep::Kind::kTimeout, {}, {}, expand_expect(words[i + 1]), 0, false};
      if (s.kind == ChatStep::Kind::kTimeout) {
        const std::string& n = words[i + 1];
        auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), s.seconds);
        if (ec != std::errc{} || p != n.data() + n.size() || s.seconds == 0 || s.seconds > 3600)
          return std::unexpected(fmt::format("TIMEOUT: expected 1-3600 seconds, got '{}'", n));
      } else if (s.text.empty()) {
        return std::unexpected("ABORT: expected a non-empty string");
      }
      steps.push_back(std::move(s));
      ++i;
      continue;
    }
    if (expect_next) {
      ChatStep s{ChatStep::Kind::kExpect, {}, {}, {}, 0, false};
      auto parts = split_dashes(w);
      for (std::size_t k = 0; k < parts.size(); ++k) {
        if (k % 2 == 0)
          s.expect.push_back(expand_expect(parts[k]));
        else
          s.retry_sends.push_back(parts[k]);
      }
      if (s.retry_sends.size() >= s.expect.size()) return std::unexpected(fmt::format("'{}': expected EXPECT after the last -SEND-", w));
      steps.push_back(std::move(s));
    } else {
      steps.push_back({ChatStep::Kind::kSend, {}, {}, w, 0, false});
    }
    expect_next = !expect_next;
  }
  return steps;
}

std::string expand_send(const std::string& text, const ChatValues& values) {
  std::string out;
  bool carriage_return = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char e = text[++i];
    switch (e) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 's': out += ' '; break;
      case 'd': out.append(4, kPause); break;
      case 'p': out += kPause; break;
      case 'T': out += values.phone; break;
      case 'U': out += values.user; break;
      case 'P': out += values.password; break;
      case 'c':
        if (i + 1 == text.size()) carriage_return = false;
        break;
      default: out += e; break;
    }
  }
  if (carriage_return) out += '\r';
  return out;
}

std::expected<void, std::string> run_chat(int fd, const std::vector<ChatStep>& steps, const ChatValues& values,
                                          std::chrono::seconds default_timeout) {
  std::vector<std::string> aborts;
  std::chrono::seconds timeout = default_timeout;
  std::string seen;  // what arrived since the last matched expect (bounded)
  auto wait_for = [&](const std::string& want) -> std::expected<bool, std::string> {
    if (want.empty()) return true;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (seen.find(want) != std::string::npos) {
        seen.erase(0, seen.find(want) + want.size());
        return true;
      }
      for (const std::string& a : aborts)
        if (seen.find(a) != std::string::npos) return std::unexpected(fmt::format("aborted: the line said '{}'", a));
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left.count()));
      if (r < 0 && errno != EINTR) return std::unexpected(fmt::format("poll: {}", std::strerror(errno)));
      if (r <= 0) continue;
      char buf[256];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return std::unexpected("the line closed");
      if (n > 0) seen.append(buf, static_cast<std::size_t>(n));
      if (seen.size() > 4096) seen.erase(0, seen.size() - 2048);
    }
  };
  for (const ChatStep& s : steps) {
    switch (s.kind) {
      case ChatStep::Kind::kAbort: aborts.push_back(s.text); break;
      case ChatStep::Kind::kTimeout: timeout = std::chrono::seconds(s.seconds); break;
      case ChatStep::Kind::kSend:
        if (s.secret || s.text.find("\\P") != std::string::npos)
          log::info("chat: send ({} characters, not shown)", s.text.size());
        else
          log::info("chat: send '{}'", s.text);
        if (!send(fd, expand_send(s.text, values))) return std::unexpected(fmt::format("chat: write: {}", std::strerror(errno)));
        break;
      case ChatStep::Kind::kExpect: {
        for (std::size_t k = 0; k < s.expect.size(); ++k) {
          auto got = wait_for(s.expect[k]);
          if (!got) return std::unexpected("chat: " + got.error());
          if (*got) break;
          if (k + 1 == s.expect.size())
            return std::unexpected(fmt::format("chat: timed out after {} s waiting for '{}'", timeout.count(), s.expect[k]));
          log::info("chat: no '{}', sending '{}'", s.expect[k], s.retry_sends[k]);
          if (!send(fd, expand_send(s.retry_sends[k], values))) return std::unexpected("chat: write failed");
        }
        break;
      }
    }
  }
  return {};
}

}  // namespace pppoe::pppoec
