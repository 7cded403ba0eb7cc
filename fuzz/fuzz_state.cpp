// The handover state file (master/state_file.hpp): whatever a previous pppoed, a torn write or
// an attacker with access to /run left there. A file that decodes must encode and decode to
// the same sessions.
#include <cstdint>
#include <cstdlib>

#include "master/state_file.hpp"

using namespace pppoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto f = master::decode_state_file(Bytes(data, size));
  if (!f || !f->continuable) return 0;
  auto again = master::decode_state_file(Bytes(master::encode_state_file(*f)));
  if (!again || again->sessions.size() != f->sessions.size()) std::abort();
  for (std::size_t i = 0; i < f->sessions.size(); ++i)
    if (again->sessions[i].record.session_id != f->sessions[i].record.session_id) std::abort();
  return 0;
}
