#include "proto/ppp/describe.hpp"

#include <fmt/format.h>

#include "common/ipv4.hpp"
#include "common/join.hpp"
#include "proto/ppp/cp_packet.hpp"

namespace pppoe::ppp {

namespace {

const char* protocol_name(std::uint16_t p) {
  switch (static_cast<Protocol>(p)) {
    case Protocol::kLcp: return "LCP";
    case Protocol::kPap: return "PAP";
    case Protocol::kChap: return "CHAP";
    case Protocol::kIpcp: return "IPCP";
    case Protocol::kIpv6cp: return "IPv6CP";
    case Protocol::kIpv4:
    case Protocol::kIpv6: break;
  }
  return nullptr;
}

const char* cp_code(std::uint8_t c) {
  static constexpr const char* kNames[] = {"Code-0", "Configure-Request", "Configure-Ack", "Configure-Nak",
                                           "Configure-Reject", "Terminate-Request", "Terminate-Ack", "Code-Reject",
                                           "Protocol-Reject", "Echo-Request", "Echo-Reply", "Discard-Request"};
  return c < std::size(kNames) ? kNames[c] : nullptr;
}

std::uint32_t be32(Bytes v) { return v.size() >= 4 ? std::uint32_t{v[0]} << 24 | std::uint32_t{v[1]} << 16 | std::uint32_t{v[2]} << 8 | v[3] : 0; }
std::uint16_t be16(Bytes v) { return v.size() >= 2 ? static_cast<std::uint16_t>(v[0] << 8 | v[1]) : 0; }


std::string option(std::uint16_t protocol, const Option& o) {
  if (static_cast<Protocol>(protocol) == Protocol::kLcp) {
    switch (o.type) {
      case 1: return fmt::format("mru {}", be16(o.value));
      case 3: {
        std::uint16_t auth = be16(o.value);
        if (auth == 0xc023) return "auth pap";
        if (auth == 0xc223 && o.value.size() >= 3) return o.value[2] == 0x81 ? "auth mschapv2" : o.value[2] == 5 ? "auth chap-md5" : "auth chap";
        return fmt::format("auth {:#06x}", auth);
      }
      case 5: return fmt::format("magic {:#010x}", be32(o.value));
      case 7: return "pfc";
      case 8: return "acfc";
    }
  } else if (static_cast<Protocol>(protocol) == Protocol::kIpcp && o.value.size() == 4) {
    std::string a = Ipv4Address{be32(o.value)}.to_string();
    switch (o.type) {
      case 3: return "address " + a;
      case 129: return "dns1 " + a;
      case 130: return "nbns1 " + a;
      case 131: return "dns2 " + a;
      case 132: return "nbns2 " + a;
    }
  } else if (static_cast<Protocol>(protocol) == Protocol::kIpv6cp && o.type == 1 && o.value.size() == 8) {
    return fmt::format("interface-id {:016x}", std::uint64_t{be32(o.value)} << 32 | be32(o.value.subspan(4)));
  }
  return fmt::format("option {} ({} octets)", o.type, o.value.size());
}

}  // namespace

std::string peer_name(std::uint16_t protocol, Bytes payload) {
  auto cp = decode_cp(payload);
  if (!cp || cp->data.empty() || cp->data[0] + 1u > cp->data.size()) return {};
  if (static_cast<Protocol>(protocol) == Protocol::kPap && cp->code == 1)
    return std::string(reinterpret_cast<const char*>(cp->data.data() + 1), cp->data[0]);
  if (static_cast<Protocol>(protocol) == Protocol::kChap && cp->code == 2) {
    Bytes name = cp->data.subspan(cp->data[0] + 1u);
    return std::string(reinterpret_cast<const char*>(name.data()), name.size());
  }
  return {};
}

std::string describe_frame(std::uint16_t protocol, Bytes payload) {
  const char* name = protocol_name(protocol);
  if (name == nullptr) return {};
  auto cp = decode_cp(payload);
  if (!cp) return fmt::format("{} malformed ({})", name, to_string(cp.error()));
  std::string out;
  if (static_cast<Protocol>(protocol) == Protocol::kPap) {
    static constexpr const char* kPap[] = {"?", "Authenticate-Request", "Authenticate-Ack", "Authenticate-Nak"};
    out = fmt::format("PAP {} id {}", cp->code < 4 ? kPap[cp->code] : "?", cp->id);
    if (cp->code == 1 && !cp->data.empty() && cp->data[0] + 1u <= cp->data.size())
      out += fmt::format(" peer-id '{}' (password not shown)", printable_text(cp->data.subspan(1, cp->data[0]), 64));
    else if (cp->code != 1 && !cp->data.empty() && cp->data[0] + 1u <= cp->data.size())
      out += fmt::format(" '{}'", printable_text(cp->data.subspan(1, cp->data[0]), 64));
    return out;
  }
  if (static_cast<Protocol>(protocol) == Protocol::kChap) {
    static constexpr const char* kChap[] = {"?", "Challenge", "Response", "Success", "Failure"};
    out = fmt::format("CHAP {} id {}", cp->code < 5 ? kChap[cp->code] : "?", cp->id);
    if ((cp->code == 1 || cp->code == 2) && !cp->data.empty() && cp->data[0] + 1u <= cp->data.size())
      out += fmt::format(" name '{}'", printable_text(cp->data.subspan(cp->data[0] + 1u), 64));
    else if (cp->code >= 3)
      out += fmt::format(" '{}'", printable_text(cp->data, 64));
    return out;
  }
  const char* code = cp_code(cp->code);
  out = code != nullptr ? fmt::format("{} {} id {}", name, code, cp->id) : fmt::format("{} code {} id {}", name, cp->code, cp->id);
  if (cp->code >= 1 && cp->code <= 4) {
    auto options = decode_options(cp->data);
    if (!options) return out + " [malformed options]";
    std::string list;
    for (const auto& o : *options) append_joined(list, ", ", option(protocol, o));
    out += " [" + list + "]";
  } else if (cp->code == 9 || cp->code == 10) {
    out += fmt::format(" magic {:#010x}", be32(cp->data));
  } else if (cp->code == 8) {
    out += fmt::format(" protocol {:#06x}", be16(cp->data));
  }
  return out;
}

}  // namespace pppoe::ppp
