// PAP and CHAP (CHAP-MD5 and MS-CHAPv2 share the packet format) decoders, with round trips.
#include <cstdint>
#include <cstdlib>

#include "proto/ppp/chap.hpp"
#include "proto/ppp/pap.hpp"

using namespace pppoe;
using namespace pppoe::ppp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  std::uint8_t out[2048];
  if (auto req = pap::decode_request(in)) {
    std::size_t n = pap::encode_request(out, req->id, req->peer_id, req->password);
    auto again = pap::decode_request(Bytes(out, n));
    if (!again || again->peer_id != req->peer_id || again->password != req->password) std::abort();
  }
  (void)pap::decode_reply(in);
  if (auto m = chap::decode(in); m && (m->code == chap::Code::kChallenge || m->code == chap::Code::kResponse)) {
    std::size_t n = chap::encode_challenge_or_response(out, m->code, m->id, Bytes(m->value), m->name);
    if (n > 0) {
      auto again = chap::decode(Bytes(out, n));
      if (!again || again->value != m->value || again->name != m->name) std::abort();
    }
  }
  return 0;
}
