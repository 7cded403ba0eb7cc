// Whole files in and out, for the state file and the reload snapshot: written to a temporary
// file (mode 0600), fsync'ed and renamed over the old one, so a reader sees the old file or
// the new one, never half of one; read with a size limit, since their content is untrusted.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe {

std::expected<void, std::string> write_file_atomically(const std::string& path, Bytes content);
/// The whole file; an empty vector when it does not exist; an error beyond `max_bytes`.
std::expected<std::vector<std::uint8_t>, std::string> read_whole_file(const std::string& path, std::size_t max_bytes);

}  // namespace pppoe
