#include "proto/ppp/ipv6cp.hpp"

namespace pppoe::ppp {
namespace {
void write_id(ByteWriter& w, std::uint64_t id) {
  std::uint8_t v[8];
  for (int i = 0; i < 8; ++i) v[i] = static_cast<std::uint8_t>(id >> (56 - 8 * i));
  encode_option(w, kIpv6cpInterfaceIdentifier, Bytes(v, 8));
}
std::optional<std::uint64_t> read_id(Bytes value) {
  if (value.size() != 8) return std::nullopt;
  std::uint64_t id = 0;
  for (auto b : value) id = (id << 8) | b;
  return id;
}
}  // namespace

Ipv6cpHandler::Ipv6cpHandler(LayerListener& listener, std::uint64_t local_id, std::uint32_t seed)
    : listener_(listener), local_id_(local_id), rng_(seed) {
  if (local_id_ == 0) local_id_ = fresh_id();
}

std::uint64_t Ipv6cpHandler::fresh_id() {
  std::uint64_t id = 0;
  while (id == 0 || id == local_id_ || id == peer_id_ || (in_use_ && in_use_(id)))
    id = (std::uint64_t{rng_.next()} << 32) | rng_.next();
  return id;
}

void Ipv6cpHandler::write_request(ByteWriter& w) {
  if (send_id_) write_id(w, local_id_);
}

OptionVerdict Ipv6cpHandler::check_option(const Option& opt, ByteWriter& nak) {
  if (opt.type != kIpv6cpInterfaceIdentifier) return OptionVerdict::kReject;
  auto id = read_id(opt.value);
  if (!id) return OptionVerdict::kReject;
  // RFC 5072 section 4.1: zero or equal to ours must be Naked with a unique suggestion.
  if (*id == 0 || *id == local_id_ || (in_use_ && in_use_(*id))) {
    write_id(nak, fresh_id());
    return OptionVerdict::kNak;
  }
  return OptionVerdict::kAck;
}

void Ipv6cpHandler::peer_request_acked(std::span<const Option> opts) {
  for (const Option& o : opts)
    if (o.type == kIpv6cpInterfaceIdentifier)
      if (auto id = read_id(o.value)) peer_id_ = *id;
}

void Ipv6cpHandler::on_nak(std::span<const Option> opts) {
  for (const Option& o : opts)
    if (o.type == kIpv6cpInterfaceIdentifier)
      if (auto id = read_id(o.value); id && *id != 0 && *id != peer_id_) local_id_ = *id;
}

void Ipv6cpHandler::on_reject(std::span<const Option> opts) {
  for (const Option& o : opts)
    if (o.type == kIpv6cpInterfaceIdentifier) send_id_ = false;
}

}  // namespace pppoe::ppp
