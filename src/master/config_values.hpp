// Value parsers shared by the configuration's parts; each error says what was expected.
#pragma once

#include <expected>
#include <string>

namespace pppoe::master {

std::expected<unsigned, std::string> number(const std::string& v, unsigned min, unsigned max);
/// yes/no, on/off, true/false, 1/0.
std::expected<bool, std::string> boolean(const std::string& v);

}  // namespace pppoe::master
