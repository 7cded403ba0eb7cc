#include "pppoec/hooks.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace pppoe::pppoec {
namespace {

std::string substitute(std::string word, const std::map<std::string, std::string>& vars) {
  for (const auto& [name, value] : vars) {
    for (std::size_t at = word.find(name); at != std::string::npos; at = word.find(name, at + value.size()))
      word.replace(at, name.size(), value);
  }
  return word;
}

}  // namespace

std::expected<std::vector<HookAction>, ConfError> hook_actions(std::string_view text, const std::string& file,
                                                               const std::vector<std::string>& labels,
                                                               const std::map<std::string, std::string>& vars) {
  auto sections = split_sections(text, file);
  if (!sections) return std::unexpected(sections.error());
  std::vector<std::string> order;
  if (auto it = vars.find("MYADDR"); it != vars.end()) order.push_back(it->second);
  order.insert(order.end(), labels.begin(), labels.end());
  order.push_back("MYADDR");
  const ConfSection* chosen = nullptr;
  for (const std::string& want : order) {
    for (const ConfSection& s : *sections)
      if (s.label == want) {
        chosen = &s;
        break;
      }
    if (chosen) break;
  }
  std::vector<HookAction> actions;
  if (!chosen) return actions;
  for (const ConfCommand& c : chosen->commands) {
    std::vector<std::string> words;
    for (const std::string& w : c.words) words.push_back(substitute(w, vars));
    const std::string& cmd = c.words[0];
    HookAction a{HookAction::Kind::kRun, {}, {}, c.line};
    if (cmd == "add" || cmd == "add!") {
      // Routes are parsed by the ppp.conf reader, on the words before substitution.
      Profile scratch;
      std::vector<ConfError> warnings;
      if (auto r = apply_command(scratch, c, file, warnings); !r) return std::unexpected(r.error());
      a.kind = HookAction::Kind::kAddRoute;
      a.route = scratch.routes.back();
    } else if (cmd == "delete" || cmd == "delete!") {
      if (c.words.size() != 2)
        return std::unexpected(ConfError{file, c.line, "delete: expected default or DEST[/BITS]"});
      a.kind = HookAction::Kind::kDeleteRoute;
      if (c.words[1] != "default") {
        auto r = parse_address_range(c.words[1]);
        if (!r) return std::unexpected(ConfError{file, c.line, fmt::format("delete: expected a destination, got '{}'", c.words[1])});
        a.route.destination = r->base;
        a.route.bits = r->bits;
      }
    } else if (cmd[0] == '!') {
      bool bg = cmd == "!bg";
      a.kind = bg ? HookAction::Kind::kRunBackground : HookAction::Kind::kRun;
      std::size_t first = 1;
      if (!bg && cmd.size() > 1) {  // "!/bin/echo x": the program glued to the '!'
        words[0] = words[0].substr(1);
        first = 0;
      }
      a.argv.assign(words.begin() + static_cast<std::ptrdiff_t>(first), words.end());
      if (a.argv.empty()) return std::unexpected(ConfError{file, c.line, "!: expected a program to run"});
    } else {
      return std::unexpected(ConfError{file, c.line, fmt::format("unknown command '{}' (expected add, delete or !PROGRAM)", cmd)});
    }
    actions.push_back(std::move(a));
  }
  return actions;
}

std::expected<int, std::string> run_program(const std::vector<std::string>& argv, bool background, int timeout_s) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    if (background) {
      // Detached: a grandchild that init reaps, so that we never wait for it.
      ::setsid();
      if (::fork() != 0) ::_exit(0);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(background ? 5 : timeout_s);
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0 && errno != EINTR) return std::unexpected(fmt::format("waitpid: {}", std::strerror(errno)));
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return std::unexpected(fmt::format("{}: killed after {} s", argv[0], timeout_s));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace pppoe::pppoec
