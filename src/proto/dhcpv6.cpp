#include "proto/dhcpv6.hpp"

#include <algorithm>

#include "proto/dns_name.hpp"

namespace pppoe::dhcpv6 {

namespace {
// Option codes: RFC 8415 section 21, RFC 3646 for the DNS options.
constexpr std::uint16_t kOptClientId = 1;
constexpr std::uint16_t kOptServerId = 2;
constexpr std::uint16_t kOptIaNa = 3;
constexpr std::uint16_t kOptIaAddr = 5;
constexpr std::uint16_t kOptOro = 6;
constexpr std::uint16_t kOptStatusCode = 13;
constexpr std::uint16_t kOptRapidCommit = 14;
constexpr std::uint16_t kOptDnsServers = 23;
constexpr std::uint16_t kOptDomainList = 24;
constexpr std::uint16_t kOptIaPd = 25;
constexpr std::uint16_t kOptIaPrefix = 26;
constexpr std::size_t kMaxIas = 16, kMaxLeases = 16, kMaxListed = 16;

/// Walks the options of `data`; false when one runs past the end.
template <class Visit>
bool for_each_option(Bytes data, Visit&& visit) {
  ByteReader r(data);
  while (!r.empty()) {
    auto code = r.u16();
    auto len = r.u16();
    if (!code || !len) return false;
    auto body = r.bytes(*len);
    if (!body) return false;
    if (!visit(*code, *body)) return false;
  }
  return true;
}

std::uint32_t u32_at(Bytes b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

/// An IA_NA or IA_PD (sections 21.4, 21.21): IAID, T1, T2, then IAADDR/IAPREFIX and Status.
std::expected<Ia, Error> decode_ia(Bytes body, bool pd) {
  if (body.size() < 12) return std::unexpected(Error::kBadOption);
  Ia ia{u32_at(body, 0), u32_at(body, 4), u32_at(body, 8), {}, std::nullopt};
  Error error = Error::kBadOption;
  bool ok = for_each_option(body.subspan(12), [&](std::uint16_t code, Bytes o) {
    if (code == (pd ? kOptIaPrefix : kOptIaAddr)) {
      if (ia.leases.size() >= kMaxLeases) {
        error = Error::kTooMany;
        return false;
      }
      Lease l;
      if (pd) {  // preferred, valid, prefix length, prefix (section 21.22)
        if (o.size() < 25) return false;
        Ipv6Bytes a{};
        std::copy_n(o.begin() + 9, 16, a.begin());
        std::uint8_t len = o[8];
        // Only prefixes pppoed could delegate (at most 64 bits); the rest is a hint we ignore.
        if (len >= 1 && len <= 64) l.prefix = Ipv6Prefix{upper_64(a) & (~std::uint64_t{0} << (64 - len)), len};
        l.preferred = u32_at(o, 0);
        l.valid = u32_at(o, 4);
      } else {  // address, preferred, valid (section 21.6)
        if (o.size() < 24) return false;
        std::copy_n(o.begin(), 16, l.address.begin());
        l.preferred = u32_at(o, 16);
        l.valid = u32_at(o, 20);
      }
      ia.leases.push_back(l);
    } else if (code == kOptStatusCode) {
      if (o.size() < 2) return false;
      ia.status = static_cast<Status>((o[0] << 8) | o[1]);
    }
    return true;
  });
  if (!ok) return std::unexpected(error);
  return ia;
}

void put_option(ByteWriter& w, std::uint16_t code, Bytes body) {
  w.u16(code);
  w.u16(static_cast<std::uint16_t>(body.size()));
  w.bytes(body);
}

/// Writes an option whose body the callback writes; patches the length afterwards.
template <class Body>
void put_nested(ByteWriter& w, std::uint16_t code, Body&& body) {
  w.u16(code);
  std::size_t at = w.size();
  w.u16(0);
  body();
  w.patch_u16(at, static_cast<std::uint16_t>(w.size() - at - 2));
}

void put_status(ByteWriter& w, Status s) {
  put_nested(w, kOptStatusCode, [&] { w.u16(static_cast<std::uint16_t>(s)); });
}

void put_ia(ByteWriter& w, const Ia& ia, bool pd) {
  put_nested(w, pd ? kOptIaPd : kOptIaNa, [&] {
    w.u32(ia.iaid);
    w.u32(ia.t1);
    w.u32(ia.t2);
    for (const auto& l : ia.leases) {
      if (pd) {
        put_nested(w, kOptIaPrefix, [&] {
          w.u32(l.preferred);
          w.u32(l.valid);
          w.u8(l.prefix.length);
          Ipv6Bytes a = l.prefix.address();
          w.bytes(Bytes(a));
        });
      } else {
        put_nested(w, kOptIaAddr, [&] {
          w.bytes(Bytes(l.address));
          w.u32(l.preferred);
          w.u32(l.valid);
        });
      }
    }
    if (ia.status) put_status(w, *ia.status);
  });
}

}  // namespace

const char* to_string(Type t) {
  switch (t) {
    case Type::kSolicit: return "Solicit";
    case Type::kAdvertise: return "Advertise";
    case Type::kRequest: return "Request";
    case Type::kConfirm: return "Confirm";
    case Type::kRenew: return "Renew";
    case Type::kRebind: return "Rebind";
    case Type::kReply: return "Reply";
    case Type::kRelease: return "Release";
    case Type::kDecline: return "Decline";
    case Type::kReconfigure: return "Reconfigure";
    case Type::kInformationRequest: return "Information-Request";
  }
  return "?";
}

const char* to_string(Error e) {
  switch (e) {
    case Error::kTruncated: return "truncated";
    case Error::kBadOption: return "bad option";
    case Error::kDuplicate: return "duplicate identifier";
    case Error::kBadDuid: return "bad DUID";
    case Error::kTooMany: return "too many IAs or leases";
    case Error::kRelayed: return "relay message";
    case Error::kUnknownType: return "unknown message type";
  }
  return "?";
}

std::expected<Message, Error> decode(Bytes payload) {
  if (payload.size() < 4) return std::unexpected(Error::kTruncated);
  std::uint8_t type = payload[0];
  if (type == 12 || type == 13) return std::unexpected(Error::kRelayed);
  if (type < 1 || type > 11) return std::unexpected(Error::kUnknownType);
  Message m;
  m.type = static_cast<Type>(type);
  m.transaction = (std::uint32_t{payload[1]} << 16) | (std::uint32_t{payload[2]} << 8) | payload[3];
  Error error = Error::kTruncated;
  bool ok = for_each_option(payload.subspan(4), [&](std::uint16_t code, Bytes o) {
    switch (code) {
      case kOptClientId:
      case kOptServerId: {
        auto& id = code == kOptClientId ? m.client_id : m.server_id;
        if (!id.empty()) {
          error = Error::kDuplicate;
          return false;
        }
        if (o.empty() || o.size() > kMaxDuid) {
          error = Error::kBadDuid;
          return false;
        }
        id.assign(o.begin(), o.end());
        return true;
      }
      case kOptIaNa:
      case kOptIaPd: {
        auto& list = code == kOptIaPd ? m.ia_pd : m.ia_na;
        if (list.size() >= kMaxIas) {
          error = Error::kTooMany;
          return false;
        }
        auto ia = decode_ia(o, code == kOptIaPd);
        if (!ia) {
          error = ia.error();
          return false;
        }
        list.push_back(std::move(*ia));
        return true;
      }
      case kOptRapidCommit: m.rapid_commit = true; return true;
      case kOptOro:
        for (std::size_t i = 0; i + 1 < o.size() && m.requested_options.size() < kMaxListed; i += 2)
          m.requested_options.push_back(static_cast<std::uint16_t>((o[i] << 8) | o[i + 1]));
        return true;
      case kOptStatusCode:
        if (o.size() < 2) {
          error = Error::kBadOption;
          return false;
        }
        m.status = static_cast<Status>((o[0] << 8) | o[1]);
        return true;
      case kOptDnsServers:
        for (std::size_t i = 0; i + 16 <= o.size() && m.dns.size() < kMaxListed; i += 16) {
          Ipv6Bytes a{};
          std::copy_n(o.begin() + static_cast<std::ptrdiff_t>(i), 16, a.begin());
          m.dns.push_back(a);
        }
        return true;
      case kOptDomainList: {
        auto names = dns::read_names(o, kMaxListed - std::min(kMaxListed, m.domains.size()));
        if (!names) {
          error = Error::kBadOption;
          return false;
        }
        m.domains.insert(m.domains.end(), names->begin(), names->end());
        return true;
      }
      default: return true;  // section 16: unknown options are ignored
    }
  });
  if (!ok) return std::unexpected(error);
  return m;
}

std::size_t encode(MutableBytes out, const Message& m) {
  ByteWriter w(out);
  w.u8(static_cast<std::uint8_t>(m.type));
  w.u8(static_cast<std::uint8_t>(m.transaction >> 16));
  w.u8(static_cast<std::uint8_t>(m.transaction >> 8));
  w.u8(static_cast<std::uint8_t>(m.transaction));
  if (!m.client_id.empty()) put_option(w, kOptClientId, Bytes(m.client_id));
  if (!m.server_id.empty()) put_option(w, kOptServerId, Bytes(m.server_id));
  if (m.rapid_commit) put_option(w, kOptRapidCommit, {});
  if (m.status) put_status(w, *m.status);
  if (!m.requested_options.empty())
    put_nested(w, kOptOro, [&] {
      for (auto o : m.requested_options) w.u16(o);
    });
  for (const auto& ia : m.ia_na) put_ia(w, ia, false);
  for (const auto& ia : m.ia_pd) put_ia(w, ia, true);
  if (!m.dns.empty())
    put_nested(w, kOptDnsServers, [&] {
      for (const auto& a : m.dns) w.bytes(Bytes(a));
    });
  bool names_ok = true;
  if (!m.domains.empty())
    put_nested(w, kOptDomainList, [&] {
      for (const auto& d : m.domains) names_ok = names_ok && dns::write_name(w, d);
    });
  if (w.overflow() || !names_ok) return 0;
  return w.size();
}

std::vector<std::uint8_t> duid_ll(const MacAddress& mac) {
  std::vector<std::uint8_t> d(4 + mac.octets.size());
  d[1] = 3;  // DUID-LL
  d[3] = 1;  // hardware type 1 (Ethernet)
  std::copy(mac.octets.begin(), mac.octets.end(), d.begin() + 4);
  return d;
}

}  // namespace pppoe::dhcpv6
