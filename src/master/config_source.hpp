// Where the running configuration comes from, read whole at start, on `pppoed --check` and on
// every reload: the config file, the command-line options that override it, and the ppp.secret
// the result names.
//
// A reload is read once, by the master, into a snapshot of the two files' texts; the workers
// build their configuration from that snapshot, never from the files, so that a file edited
// while a reload runs cannot give the master and its workers two different configurations.
#pragma once

#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "master/config.hpp"
#include "session/secrets.hpp"

namespace pppoe::master {

struct ConfigSource {
  std::string config_file;  ///< "" = none (a lab started from options alone)
  /// Command-line options as settings (name, values), applied after the file in this order.
  std::vector<std::pair<std::string, std::vector<std::string>>> overrides;
};

/// The texts one configuration was built from.
struct ConfigTexts {
  std::string config;   ///< the config file ("" without one)
  std::string secrets;  ///< ppp.secret ("" without one)
};

struct LoadedConfig {
  Config config;
  SettingLines lines;  ///< what each setting was given (the file, then the overrides)
  session::LocalSecrets secrets;
};

/// Reads the files and builds the configuration; an error names the file, the line and what
/// was expected. Warns about secrets readable by others.
std::expected<std::pair<ConfigTexts, LoadedConfig>, std::string> read_config(const ConfigSource& source);
/// Builds the configuration from texts read before (the workers' side of a reload).
std::expected<LoadedConfig, std::string> build_config(const ConfigSource& source, const ConfigTexts& texts);

/// The snapshot a reload hands to the workers: a file only root reads (mode 0600), replaced
/// atomically.
std::expected<void, std::string> write_snapshot(const std::string& path, const ConfigTexts& texts);
/// Reads it back; the file is untrusted like any other (bounds-checked, size-limited).
std::expected<ConfigTexts, std::string> read_snapshot(const std::string& path);
/// The parser of read_snapshot, for the fuzzer.
std::expected<ConfigTexts, std::string> parse_snapshot(std::string_view data);

}  // namespace pppoe::master
