// ppp.linkup and ppp.linkdown (ppp(8)): files beside ppp.conf, in the same labelled format,
// whose commands run when the link comes up or goes down. The section used is the first that
// exists of: the negotiated local address (e.g. "192.0.2.7:"), each label the profile was
// started with, then "MYADDR:". Commands:
//   add[!] default HISADDR | add[!] DEST[/BITS] HISADDR   a route through the session
//   delete[!] default | delete[!] DEST[/BITS]             removes one
//   !COMMAND ARGS... / !bg COMMAND ARGS...                runs a program (bg: not waited for)
// with HISADDR, MYADDR, INTERFACE, DNS0, DNS1, USER and LABEL replaced in every word.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pppoec/conf_parser.hpp"

namespace pppoe::pppoec {

struct HookAction {
  enum class Kind : std::uint8_t { kAddRoute, kDeleteRoute, kRun, kRunBackground } kind;
  Route route;                     ///< kAddRoute, kDeleteRoute
  std::vector<std::string> argv;   ///< kRun*, after substitution
  unsigned line = 0;
};

/// Reads the section that applies from `text` (a ppp.linkup or ppp.linkdown) with the
/// variables of `vars` substituted. Malformed commands are errors naming file and line.
std::expected<std::vector<HookAction>, ConfError> hook_actions(std::string_view text, const std::string& file,
                                                               const std::vector<std::string>& labels,
                                                               const std::map<std::string, std::string>& vars);

/// Runs one `!` command: fork and exec (no shell), waiting at most `timeout_s` seconds unless
/// it runs in the background. Returns the exit status, or an error text.
std::expected<int, std::string> run_program(const std::vector<std::string>& argv, bool background, int timeout_s);

}  // namespace pppoe::pppoec
