// The operator's files: pppoed.conf, ppp.secret and sysctl.conf, and the reload snapshot the
// master leaves for its workers (with the configuration built from it, as a worker does). The
// first byte picks the parser.
#include <cstdint>
#include <string_view>

#include "master/config.hpp"
#include "master/config_reload.hpp"
#include "master/config_source.hpp"
#include "master/sysctl.hpp"
#include "session/secrets.hpp"

using namespace pppoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 4 == 3) {
    auto texts = master::parse_snapshot(text);
    if (!texts) return 0;
    master::ConfigSource source{"fuzz.conf", {}};
    if (auto next = master::build_config(source, *texts)) {
      master::Config running;
      master::SettingLines lines;
      (void)master::apply_live(running, lines, next->config, next->lines);
    }
  } else if (data[0] % 4 == 2) {
    (void)master::parse_sysctl_lines(text, "fuzz.sysctl.conf");
  } else if (data[0] % 4 == 1) {
    (void)session::LocalSecrets::parse(text, "fuzz.secret");
  } else {
    master::Config c;
    if (master::parse_config_text(c, text, "fuzz.conf")) (void)master::validate(c);
  }
  return 0;
}
