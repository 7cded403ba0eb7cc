#include "dataplane/frames.hpp"

#include "proto/pppoe.hpp"

namespace pppoe::dataplane {

bool send_padt(PacketSocket& socket, const MacAddress& to, const ether::VlanStack& vlans, std::uint16_t session_id,
               const char* reason, std::uint16_t discovery_type) {
  MutableBytes buf = socket.tx_buffer();
  ByteWriter w(buf);
  ether::encode(ether::Header{to, socket.mac(), vlans, discovery_type}, w);
  pppoe_proto::Tags tags;
  tags.generic_error = reason;
  std::size_t n = pppoe_proto::encode_discovery(buf.subspan(w.size()), pppoe_proto::Code::kPadt, session_id, tags);
  if (n == 0 || w.overflow()) return false;
  socket.commit(w.size() + n);
  return true;
}

}  // namespace pppoe::dataplane
