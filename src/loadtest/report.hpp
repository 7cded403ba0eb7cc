// pppoetest create-mode report: console text or JSON.
#pragma once

#include <string>

#include "loadtest/load_generator.hpp"
#include "loadtest/render.hpp"

namespace pppoe::loadtest {

std::string format_console(const LoadReport& r, const LoadOptions& o);
std::string format_json(const LoadReport& r, const LoadOptions& o);
/// Any of the five formats of handbook 30.6.11.11.
std::string format_report(const LoadReport& r, const LoadOptions& o, Format f);

}  // namespace pppoe::loadtest
