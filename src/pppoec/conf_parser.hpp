// ppp.conf, the configuration language of ppp(8) (handbook sections 30.2-30.4), read into a
// Profile. The file is a list of labelled sections:
//
//   default:                      a label starts in column 0 and ends with ':'
//    set log Phase tun command    commands are indented; '#' starts a comment
//    set ifaddr 10.0.0.1/0 10.0.0.2/0
//   provider:
//    set device PPPoE:eth1:ISP \  a trailing backslash continues the line
//      # ...
//
// `default` is applied first when present, then each named label in order, as ppp(8) does.
// Words are separated by blanks; "double quotes" keep blanks and may be empty ("" in `set
// server`); a backslash escapes the next character. Every error names file, line and what was
// expected; commands that have no meaning here (a modem knob on PPPoE) are warnings.
//
// The same reader serves ppp.linkup and ppp.linkdown (hooks.hpp), whose sections hold commands
// run at link up and down.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "pppoec/profile.hpp"

namespace pppoe::pppoec {

struct ConfError {
  std::string file;
  unsigned line = 0;  ///< 0: not about one line (a missing label)
  std::string message;
  [[nodiscard]] std::string to_string() const;
};

/// One command of a section: its words after quoting and escapes, and where it was.
struct ConfCommand {
  std::vector<std::string> words;
  unsigned line = 0;
};

struct ConfSection {
  std::string label;
  std::vector<ConfCommand> commands;
};

/// One logical line of a configuration file: physical lines joined where one ends in a
/// backslash (with a blank in between), and the number of its first physical line.
struct LogicalLine {
  std::string text;
  unsigned line = 0;
};
[[nodiscard]] std::vector<LogicalLine> logical_lines(std::string_view text);

/// Splits a whole file into sections. Commands before the first label are an error.
[[nodiscard]] std::expected<std::vector<ConfSection>, ConfError> split_sections(std::string_view text,
                                                                               const std::string& file);

struct LoadedProfile {
  Profile profile;
  std::vector<ConfError> warnings;
};

/// Applies `default` (if the file has it) and then `labels` in order. An unknown label is an
/// error, as is any malformed or unknown command.
[[nodiscard]] std::expected<LoadedProfile, ConfError> load_profile(std::string_view text, const std::string& file,
                                                                   const std::vector<std::string>& labels);

/// Applies one command to `p` (exposed for the fuzz target and tests).
[[nodiscard]] std::expected<void, ConfError> apply_command(Profile& p, const ConfCommand& c, const std::string& file,
                                                           std::vector<ConfError>& warnings);

/// Reads `path` and calls load_profile.
[[nodiscard]] std::expected<LoadedProfile, ConfError> load_profile_file(const std::string& path,
                                                                        const std::vector<std::string>& labels);

/// ppp(8)'s `allow users`: may the user `name` (uid `uid`) run this profile? root always may;
/// without an `allow users` line, anyone who can run the program may.
[[nodiscard]] std::expected<void, std::string> check_allowed(const Profile& p, unsigned uid, const std::string& name);

/// Parses ppp(8)'s ADDR[/BITS]; nullopt when malformed.
std::optional<ppp::AddressRange> parse_address_range(std::string_view text);

}  // namespace pppoe::pppoec
