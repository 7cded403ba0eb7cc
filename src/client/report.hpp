// pppoetest create-mode report: console text or JSON.
#pragma once

#include <string>

#include "client/load_generator.hpp"

namespace pppoe::client {

std::string format_console(const LoadReport& r, const LoadOptions& o);
std::string format_json(const LoadReport& r, const LoadOptions& o);

}  // namespace pppoe::client
