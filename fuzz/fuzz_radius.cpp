// RADIUS from the network and from the spool directory: replies to our requests (with their
// hidden attributes), RFC 5176 requests matched against a session table, spooled accounting
// records. The first byte picks the parser.
#include <cstdint>

#include "master/dae_matcher.hpp"
#include "radius/access.hpp"
#include "radius/crypto.hpp"
#include "radius/spool.hpp"

using namespace pppoe;

namespace {
dataplane::SessionTable& table() {
  static dataplane::SessionTable t;
  static bool filled = [] {
    t.update(7, [](dataplane::SessionRecord& r) {
      r.session_id = 7;
      r.state = dataplane::SessionState::kUp;
      r.ipv4 = 0x0a00000a;
      std::snprintf(r.user, sizeof r.user, "alice");
      std::snprintf(r.acct_session_id, sizeof r.acct_session_id, "0001");
    });
    return true;
  }();
  (void)filled;
  return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Bytes in(data + 1, size - 1);
  const radius::Authenticator request_auth{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  switch (data[0] % 4) {
    case 0: {
      auto p = radius::decode(in);
      if (!p) return 0;
      (void)radius::verify_response(*p, request_auth, "secret", true);
      for (auto method : {ppp::AuthMethod::kPap, ppp::AuthMethod::kChapMd5, ppp::AuthMethod::kMsChapV2}) {
        session::AuthRequest req;
        req.method = method;
        (void)radius::interpret_access_reply(*p, req, request_auth, "secret");
      }
      break;
    }
    case 1: {
      auto p = radius::decode(in);
      if (!p) return 0;
      (void)radius::verify_request(*p, "secret", false);
      radius::NasInfo nas{"bras", std::nullopt, radius::NasPortType::kEthernet, ""};
      (void)master::match_dae_request(*p, table(), nas);
      break;
    }
    case 2: (void)radius::Spool::parse(in); break;
    case 3:
      (void)radius::decrypt_mppe_key(in, request_auth, "secret");
      (void)radius::unhide_password(in, request_auth, "secret");
      break;
  }
  return 0;
}
