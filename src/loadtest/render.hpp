// Output of pppoetest's read-only modes in the formats of handbook 30.6.11.11: console (box
// drawing and colour on a terminal, plain ASCII with --no-color or when not a terminal), json,
// jsonl, csv, tap. Field names follow the seed.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "loadtest/boxes.hpp"
#include "loadtest/diagnose.hpp"

namespace pppoe::loadtest {

enum class Format { kConsole, kJson, kJsonl, kCsv, kTap };
std::optional<Format> parse_format(std::string_view s);

struct Style {
  bool fancy = false;  ///< box drawing, Unicode marks and ANSI colour
  std::string ok() const;
  std::string warn() const;
  std::string fail() const;
};

/// A table with a header row; box-drawn or ASCII.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const Style& style);
std::string human_bytes(std::uint64_t bytes);
std::string human_uptime(std::uint64_t seconds);
std::string iso_time(std::int64_t unix_seconds);

std::string render_diagnose(const Snapshot& s, const Health& h, Format f, const Style& st);
std::string render_health(const Snapshot& s, const Health& h, Format f, const Style& st);
std::string render_balance(const Snapshot& s, const Balance& b, Format f, const Style& st);
std::string render_affinity(const Snapshot& s, const Affinity& a, Format f, const Style& st);
std::string render_workers(const Snapshot& s, Format f, const Style& st);

/// Several boxes side by side (`-h A,B,C`): per box and in total; with a threshold (--check-balance)
/// the spread is judged too.
std::string render_boxes(const BoxesReport& r, std::optional<unsigned> balance_threshold, Format f, const Style& st);

/// --monitor: the history of snapshots, newest last; prints Now / 5s / 30s / 5m columns and the
/// changes between the oldest and newest sample in the table.
std::string render_monitor(const std::deque<Snapshot>& history, unsigned sample, Format f, const Style& st,
                           bool first);

}  // namespace pppoe::loadtest
