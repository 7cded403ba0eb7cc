#include "master/config_source.hpp"

#include "common/file_io.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pppoe::master {

namespace {

/// A ppp.secret of 64,000 users is ~3 MiB; anything near this is not a configuration.
constexpr std::size_t kMaxText = std::size_t{64} << 20;
constexpr std::string_view kSnapshotMagic = "pppoed-config-snapshot 1\n";

std::expected<std::string, std::string> read_config_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected(fmt::format("{}: cannot open config file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Settings whose values are secrets: their file should be readable by root alone.
bool holds_secrets(const SettingLines& lines) {
  for (const char* name : {"radius-auth-server", "radius-acct-server", "radius-dae-client", "remote-secret", "standby-key"})
    if (lines.contains(name)) return true;
  return false;
}

}  // namespace

std::expected<LoadedConfig, std::string> build_config(const ConfigSource& source, const ConfigTexts& texts) {
  LoadedConfig out;
  if (!source.config_file.empty())
    if (auto r = parse_config_text(out.config, texts.config, source.config_file, &out.lines); !r)
      return std::unexpected(r.error());
  for (const auto& [name, values] : source.overrides) {
    if (auto r = apply_setting(out.config, name, values); !r)
      return std::unexpected(fmt::format("option --{}: {}", name, r.error()));
    out.lines[name].push_back(values);
  }
  if (auto r = validate(out.config); !r) return std::unexpected(r.error());
  if (!out.config.secrets_file.empty()) {
    if (auto users = session::LocalSecrets::parse(texts.secrets, out.config.secrets_file))
      out.secrets.swap(*users);
    else
      return std::unexpected(users.error());
  }
  return out;
}

std::expected<std::pair<ConfigTexts, LoadedConfig>, std::string> read_config(const ConfigSource& source) {
  ConfigTexts texts;
  if (!source.config_file.empty()) {
    auto text = read_config_text(source.config_file);
    if (!text) return std::unexpected(text.error());
    texts.config = std::move(*text);
  }
  // The secrets file's name may come from the config file or from an option: known only once
  // both are applied. A first pass finds it; build_config() then does the whole job.
  Config first;
  SettingLines file_lines;
  if (!source.config_file.empty())
    if (auto r = parse_config_text(first, texts.config, source.config_file, &file_lines); !r)
      return std::unexpected(r.error());
  for (const auto& [name, values] : source.overrides)
    if (name == "secrets" && !values.empty()) first.secrets_file = values.back();
  if (!first.secrets_file.empty()) {
    auto text = session::LocalSecrets::read_text(first.secrets_file);
    if (!text) return std::unexpected(text.error());
    texts.secrets = std::move(*text);
  }
  auto loaded = build_config(source, texts);
  if (!loaded) return std::unexpected(loaded.error());
  struct stat st{};
  if (holds_secrets(file_lines) && ::stat(source.config_file.c_str(), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
    log::warn("{}: holds secrets but is readable by group or others (mode {:o}); make it 0600", source.config_file,
              st.st_mode & 0777);
  return std::pair{std::move(texts), std::move(*loaded)};
}

std::expected<void, std::string> write_snapshot(const std::string& path, const ConfigTexts& texts) {
  std::string data(kSnapshotMagic);
  data += fmt::format("config {}\n", texts.config.size());
  data += texts.config;
  data += fmt::format("\nsecrets {}\n", texts.secrets.size());
  data += texts.secrets;
  data += '\n';
  return write_file_atomically(path, as_bytes(data));
}

std::expected<ConfigTexts, std::string> parse_snapshot(std::string_view data) {
  if (!data.starts_with(kSnapshotMagic)) return std::unexpected("not a configuration snapshot");
  data.remove_prefix(kSnapshotMagic.size());
  // "NAME LENGTH\n" then LENGTH bytes then "\n".
  auto section = [&data](std::string_view name) -> std::expected<std::string, std::string> {
    if (!data.starts_with(name) || data.size() <= name.size() || data[name.size()] != ' ')
      return std::unexpected(fmt::format("snapshot: no '{}' section", name));
    data.remove_prefix(name.size() + 1);
    std::size_t length = 0;
    auto [end, ec] = std::from_chars(data.data(), data.data() + data.size(), length);
    if (ec != std::errc{} || end == data.data() + data.size() || *end != '\n' || length > kMaxText)
      return std::unexpected(fmt::format("snapshot: bad length of '{}'", name));
    data.remove_prefix(static_cast<std::size_t>(end - data.data()) + 1);
    if (data.size() < length + 1 || data[length] != '\n')
      return std::unexpected(fmt::format("snapshot: '{}' is cut short", name));
    std::string text(data.substr(0, length));
    data.remove_prefix(length + 1);
    return text;
  };
  ConfigTexts texts;
  auto config = section("config");
  if (!config) return std::unexpected(config.error());
  auto secrets = section("secrets");
  if (!secrets) return std::unexpected(secrets.error());
  if (!data.empty()) return std::unexpected("snapshot: data after the last section");
  texts.config = std::move(*config);
  texts.secrets = std::move(*secrets);
  return texts;
}

std::expected<ConfigTexts, std::string> read_snapshot(const std::string& path) {
  auto data = read_whole_file(path, 2 * kMaxText + 256);
  if (!data) return std::unexpected(data.error());
  if (data->empty()) return std::unexpected(fmt::format("{}: missing or empty", path));
  auto texts = parse_snapshot(std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
  if (!texts) return std::unexpected(fmt::format("{}: {}", path, texts.error()));
  return texts;
}

}  // namespace pppoe::master
