// Accounting records no server has acknowledged, kept on disk until one does (issue 6: Stop
// records are never lost). One file per record, written to a temporary name and renamed, so a
// crash leaves either the whole record or nothing:
//
//   "PPPOED-ACCT-1\n" | event time (8 octets, big-endian unix seconds) | attributes (RFC 2865)
//
// Files are read back as untrusted input: a damaged one is moved aside, never sent.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "radius/client.hpp"

namespace pppoe::radius {

struct SpooledRecord {
  std::string path;
  std::int64_t event_unix = 0;
  std::vector<std::uint8_t> attributes;
};

class Spool {
 public:
  explicit Spool(std::string directory) : dir_(std::move(directory)) {}

  /// Creates the directory (mode 0700) if missing.
  std::expected<void, std::string> prepare() const;
  /// Stores one record; `name` must be unique (e.g. Acct-Session-Id plus status).
  std::expected<void, std::string> store(std::string_view name, std::int64_t event_unix, Bytes attributes) const;
  /// Up to `max` records, oldest name first. Damaged files are renamed to *.bad.
  std::vector<SpooledRecord> load(std::size_t max) const;
  void remove(const SpooledRecord& r) const;
  [[nodiscard]] std::size_t count() const;
  [[nodiscard]] const std::string& directory() const { return dir_; }

  /// Parses one file's content (exposed for the fuzz target).
  static std::optional<SpooledRecord> parse(Bytes content);

 private:
  std::string dir_;
};

}  // namespace pppoe::radius
