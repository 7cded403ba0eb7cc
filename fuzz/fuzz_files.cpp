// The operator's files: pppoed.conf, ppp.secret and sysctl.conf. The first byte picks the parser.
#include <cstdint>
#include <string_view>

#include "master/config.hpp"
#include "master/sysctl.hpp"
#include "session/secrets.hpp"

using namespace pppoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 3 == 2) {
    (void)master::parse_sysctl_lines(text, "fuzz.sysctl.conf");
  } else if (data[0] % 3 == 1) {
    (void)session::LocalSecrets::parse(text, "fuzz.secret");
  } else {
    master::Config c;
    if (master::parse_config_text(c, text, "fuzz.conf")) (void)master::validate(c);
  }
  return 0;
}
