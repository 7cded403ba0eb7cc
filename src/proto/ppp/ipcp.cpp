#include "proto/ppp/ipcp.hpp"

namespace pppoe::ppp {
namespace {

void write_address(ByteWriter& w, IpcpOption type, Ipv4Address a) {
  std::uint8_t v[4] = {static_cast<std::uint8_t>(a.value >> 24), static_cast<std::uint8_t>(a.value >> 16),
                       static_cast<std::uint8_t>(a.value >> 8), static_cast<std::uint8_t>(a.value)};
  encode_option(w, static_cast<std::uint8_t>(type), Bytes(v, 4));
}

std::optional<Ipv4Address> read_address(Bytes value) {
  ByteReader r(value);
  auto v = r.u32();
  if (!v || !r.empty()) return std::nullopt;
  return Ipv4Address{*v};
}

constexpr std::array<IpcpOption, 4> kNameServerOptions = {IpcpOption::kPrimaryDns, IpcpOption::kPrimaryNbns,
                                                          IpcpOption::kSecondaryDns, IpcpOption::kSecondaryNbns};

std::size_t ask_index(IpcpOption o) {
  switch (o) {
    case IpcpOption::kPrimaryDns: return 0;
    case IpcpOption::kPrimaryNbns: return 1;
    case IpcpOption::kSecondaryDns: return 2;
    case IpcpOption::kSecondaryNbns: return 3;
    case IpcpOption::kIpAddresses:
    case IpcpOption::kIpCompression:
    case IpcpOption::kIpAddress:
      break;
  }
  return 0;
}

}  // namespace

IpcpHandler::IpcpHandler(LayerListener& listener, IpcpSettings settings)
    : listener_(listener), settings_(settings), local_(settings.local) {
  ask_ = {settings.request_dns, false, settings.request_dns, false};
}

Ipv4Address* IpcpHandler::server_slot(IpcpOption o) {
  switch (o) {
    case IpcpOption::kPrimaryDns: return &settings_.name_servers.dns1;
    case IpcpOption::kPrimaryNbns: return &settings_.name_servers.nbns1;
    case IpcpOption::kSecondaryDns: return &settings_.name_servers.dns2;
    case IpcpOption::kSecondaryNbns: return &settings_.name_servers.nbns2;
    case IpcpOption::kIpAddresses:
    case IpcpOption::kIpCompression:
    case IpcpOption::kIpAddress:
      break;
  }
  return nullptr;
}

Ipv4Address* IpcpHandler::learned_slot(IpcpOption o) {
  switch (o) {
    case IpcpOption::kPrimaryDns: return &learned_.dns1;
    case IpcpOption::kPrimaryNbns: return &learned_.nbns1;
    case IpcpOption::kSecondaryDns: return &learned_.dns2;
    case IpcpOption::kSecondaryNbns: return &learned_.nbns2;
    case IpcpOption::kIpAddresses:
    case IpcpOption::kIpCompression:
    case IpcpOption::kIpAddress:
      break;
  }
  return nullptr;
}

void IpcpHandler::write_request(ByteWriter& w) {
  write_address(w, IpcpOption::kIpAddress, local_);
  if (settings_.role == LinkRole::kPeer) {
    for (IpcpOption o : kNameServerOptions)
      if (ask_[ask_index(o)]) write_address(w, o, *learned_slot(o));
  }
}

OptionVerdict IpcpHandler::check_option(const Option& opt, ByteWriter& nak) {
  auto type = static_cast<IpcpOption>(opt.type);
  switch (type) {
    case IpcpOption::kIpAddress: {
      auto a = read_address(opt.value);
      if (!a) return OptionVerdict::kReject;
      if (settings_.role == LinkRole::kPeer) {
        if (!a->is_zero() && settings_.accept_peer.contains(*a)) return OptionVerdict::kAck;
        // RFC 1332 section 3.3: Nak with the address we expect the peer to have.
        if (settings_.accept_peer.base.is_zero()) return OptionVerdict::kReject;
        write_address(nak, type, settings_.accept_peer.base);
        return OptionVerdict::kNak;
      }
      // RFC 1332 section 3.3: Nak with the address the peer must use.
      if (*a == peer_assigned_) return OptionVerdict::kAck;
      write_address(nak, type, peer_assigned_);
      return OptionVerdict::kNak;
    }
    case IpcpOption::kPrimaryDns:
    case IpcpOption::kPrimaryNbns:
    case IpcpOption::kSecondaryDns:
    case IpcpOption::kSecondaryNbns: {
      // RFC 1877: only the client asks; a server without that server configured rejects.
      if (settings_.role == LinkRole::kPeer) return OptionVerdict::kReject;
      auto a = read_address(opt.value);
      Ipv4Address* ours = server_slot(type);
      if (!a || ours == nullptr || ours->is_zero()) return OptionVerdict::kReject;
      if (*a == *ours) return OptionVerdict::kAck;
      write_address(nak, type, *ours);
      return OptionVerdict::kNak;
    }
    case IpcpOption::kIpAddresses:
    case IpcpOption::kIpCompression:
      return OptionVerdict::kReject;
  }
  return OptionVerdict::kReject;
}

void IpcpHandler::check_missing(std::span<const Option> opts, ByteWriter& nak) {
  // A client that does not ask for an address still gets told which one it has.
  if (settings_.role != LinkRole::kAuthenticator) return;
  for (const Option& o : opts)
    if (static_cast<IpcpOption>(o.type) == IpcpOption::kIpAddress) return;
  write_address(nak, IpcpOption::kIpAddress, peer_assigned_);
}

void IpcpHandler::peer_request_acked(std::span<const Option> opts) {
  for (const Option& o : opts)
    if (static_cast<IpcpOption>(o.type) == IpcpOption::kIpAddress)
      if (auto a = read_address(o.value)) peer_ = *a;
}

void IpcpHandler::on_nak(std::span<const Option> opts) {
  for (const Option& o : opts) {
    auto type = static_cast<IpcpOption>(o.type);
    auto a = read_address(o.value);
    if (!a) continue;
    if (type == IpcpOption::kIpAddress) {
      // Only a client adopts a suggested address; a server keeps its own.
      if (settings_.role == LinkRole::kPeer && settings_.accept_local.contains(*a)) local_ = *a;
    } else if (Ipv4Address* slot = learned_slot(type); slot && settings_.role == LinkRole::kPeer) {
      *slot = *a;
    }
  }
}

void IpcpHandler::on_reject(std::span<const Option> opts) {
  for (const Option& o : opts) {
    auto type = static_cast<IpcpOption>(o.type);
    if (learned_slot(type) != nullptr) ask_[ask_index(type)] = false;
  }
}

}  // namespace pppoe::ppp
