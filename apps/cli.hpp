// What the command-line programs share: --version, help that names its placeholders and shows
// defaults, and the exit codes of their manual pages (0 after --help/--version, 2 for a usage
// error; CLI11's own codes, such as 109, are not what a script expects).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

namespace pppoe::cli {

/// Help like a manual page's OPTIONS: `-w N  description (default 1)` rather than CLI11's
/// `-w UINT:INT in [1 - 64]=1`.
class ManFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override {
    if (opt->get_type_size() == 0) return {};
    std::string type = opt->get_type_name();
    if (auto colon = type.find(':'); colon != std::string::npos) type.resize(colon);  // validators' words
    if (type == "UINT" || type == "INT") type = "N";
    if (type == "FLOAT") type = "NUMBER";
    if (type.empty()) return {};
    return " " + type;
  }
  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string text = opt->get_description();
    std::string value = opt->get_default_str();
    if (!value.empty() && text.find("default") == std::string::npos) text += " (default " + value + ")";
    return text;
  }
};

/// `help_flag`: "-h,--help", or "--help" where -h means something else (pppoetest's host).
inline void setup(CLI::App& app, const std::string& program, const std::string& help_flag = "-h,--help") {
  app.set_version_flag("--version", program + " " PPPOE_VERSION, "print the version and exit");
  app.set_help_flag(help_flag, "print this help and exit");
  auto formatter = std::make_shared<ManFormatter>();
  formatter->column_width(34);
  app.formatter(formatter);
}

/// Parses the command line; a value when the program should exit with it now.
inline std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    return 0;
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
    return 0;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
}

/// A numeric range check that adds no type noise ("UINT:INT in [1 - 64]") to the help.
template <typename T>
CLI::Validator range(T min, T max) {
  return CLI::Range(min, max).description("");
}

}  // namespace pppoe::cli
