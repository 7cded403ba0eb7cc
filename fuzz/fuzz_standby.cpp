// The standby pair's sync stream as pppoed reads it (sync/session_sync.hpp): the first octet
// chooses the payload decoder (RECORD, ROLE, GONE), or the whole input is fed to the framed,
// authenticated stream decoder with pppoed's connection key (sync/message.hpp). Whatever
// decodes must encode and decode to the same thing.
#include <cstdint>
#include <cstdlib>

#include "sync/message.hpp"
#include "sync/session_sync.hpp"

using namespace pppoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Bytes rest(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto s = sync::decode_session(rest);
      if (!s) return 0;
      auto again = sync::decode_session(sync::encode_session(*s));
      if (!again || again->record.session_id != s->record.session_id || again->down_bytes != s->down_bytes) std::abort();
      if (!dataplane::can_adopt(s->record)) return 0;
      break;
    }
    case 1: {
      auto r = sync::decode_role(rest);
      if (!r) return 0;
      auto again = sync::decode_role(sync::encode_role(*r));
      if (!again || again->role != r->role || again->ready != r->ready || again->sessions != r->sessions) std::abort();
      break;
    }
    case 2: (void)sync::decode_gone(rest); break;
    case 3: {
      static const auto shared = sync::shared_key("fuzzing-standby-key-0123456789");
      static const auto key = sync::connection_key(shared, "pppoed standby", Bytes(data, 0), Bytes(data, 0));
      sync::StreamDecoder d;
      d.feed(rest);
      for (int i = 0; i < 64; ++i) {
        auto m = d.next(key);
        if (!m || !*m) break;
        if ((*m)->type == sync::MessageType::kRecord) (void)sync::decode_session((*m)->payload);
        if ((*m)->type == sync::MessageType::kRole) (void)sync::decode_role((*m)->payload);
      }
      break;
    }
  }
  return 0;
}
