#include "worker/dhcpv6_server.hpp"

#include <algorithm>

namespace pppoe::worker {

using dhcpv6::Status;
using dhcpv6::Type;

bool Dhcpv6Binding::same_client(const std::vector<std::uint8_t>& client_id) const {
  if (duid_len == 0 || client_id.size() != duid_len) return false;
  std::size_t n = std::min<std::size_t>(duid_len, duid.size());
  return std::equal(duid.begin(), duid.begin() + static_cast<std::ptrdiff_t>(n), client_id.begin());
}

void Dhcpv6Binding::remember_client(const std::vector<std::uint8_t>& client_id) {
  duid_len = static_cast<std::uint8_t>(std::min<std::size_t>(client_id.size(), 255));
  duid.fill(0);
  std::copy_n(client_id.begin(), std::min(client_id.size(), duid.size()), duid.begin());
}

Dhcpv6Server::Dhcpv6Server(const master::Ipv6Service& config, const MacAddress& ac_mac)
    : config_(config), duid_(dhcpv6::duid_ll(ac_mac)) {}

void Dhcpv6Server::lease_prefix(const dhcpv6::Ia& asked, bool first, bool renewal, bool commit, Dhcpv6Binding& b,
                                DelegationHost& host, dhcpv6::Message& reply, bool& changed) const {
  dhcpv6::Ia ia{asked.iaid, config_.t1(), config_.t2(), {}, std::nullopt};
  // One delegated prefix per session: a second IA_PD, or a Renew/Rebind for an IAID that has
  // none (section 18.3.4, 18.3.5), gets a status instead of a lease.
  bool ours = b.delegated.empty() || b.pd_iaid == asked.iaid;
  if (!first || (renewal && (!ours || b.delegated.empty()))) {
    ia.t1 = ia.t2 = 0;
    ia.status = renewal ? Status::kNoBinding : Status::kNoPrefixAvail;
    reply.ia_pd.push_back(ia);
    return;
  }
  if (b.delegated.empty()) {
    auto p = config_.delegate_pools.empty() ? std::nullopt : host.delegate_prefix();
    if (!p) {
      ia.t1 = ia.t2 = 0;
      ia.status = Status::kNoPrefixAvail;
      reply.ia_pd.push_back(ia);
      return;
    }
    b.delegated = *p;
    changed = true;
  }
  if (commit && b.pd_iaid != asked.iaid) {
    b.pd_iaid = asked.iaid;
    changed = true;
  }
  ia.leases.push_back({b.delegated, {}, config_.preferred_lifetime, config_.valid_lifetime});
  // Prefixes the client still holds from before (another session, an earlier lease): theirs
  // no longer, lifetimes 0 (section 18.3.4).
  for (const auto& l : asked.leases)
    if (!l.prefix.empty() && l.prefix != b.delegated) ia.leases.push_back({l.prefix, {}, 0, 0});
  reply.ia_pd.push_back(ia);
}

void Dhcpv6Server::lease_address(const dhcpv6::Ia& asked, bool first, bool renewal, bool commit, Ipv6Prefix wan,
                                 std::uint64_t client_iid, Dhcpv6Binding& b, dhcpv6::Message& reply, bool& changed) const {
  dhcpv6::Ia ia{asked.iaid, config_.t1(), config_.t2(), {}, std::nullopt};
  bool ours = !b.na_bound || b.na_iaid == asked.iaid;
  if (!config_.dhcpv6_ia_na || wan.empty() || client_iid == 0 || !first || (renewal && !(b.na_bound && ours))) {
    ia.t1 = ia.t2 = 0;
    ia.status = renewal ? Status::kNoBinding : Status::kNoAddrsAvail;
    reply.ia_na.push_back(ia);
    return;
  }
  if (commit && (!b.na_bound || b.na_iaid != asked.iaid)) {
    b.na_bound = true;
    b.na_iaid = asked.iaid;
    changed = true;
  }
  dhcpv6::Lease l;
  l.address = wan.address(client_iid);
  l.preferred = config_.preferred_lifetime;
  l.valid = config_.valid_lifetime;
  ia.leases.push_back(l);
  reply.ia_na.push_back(ia);
}

Dhcpv6Server::Result Dhcpv6Server::handle(const dhcpv6::Message& req, Ipv6Prefix wan, std::uint64_t client_iid,
                                          Dhcpv6Binding& b, DelegationHost& host, MutableBytes out,
                                          const std::vector<Ipv6Bytes>* dns) const {
  Result result;
  const bool has_server = !req.server_id.empty();
  const bool for_us = has_server && req.server_id == duid_;
  // RFC 8415 section 16: which identifiers each message must (not) carry, or it is dropped.
  switch (req.type) {
    case Type::kSolicit:
    case Type::kRebind:
    case Type::kConfirm:
      if (req.client_id.empty() || has_server) return result;
      break;
    case Type::kRequest:
    case Type::kRenew:
    case Type::kRelease:
    case Type::kDecline:
      if (req.client_id.empty() || !for_us) return result;
      break;
    case Type::kInformationRequest:
      if (has_server && !for_us) return result;
      break;
    case Type::kAdvertise:
    case Type::kReply:
    case Type::kReconfigure:
      return result;  // a server's messages
  }
  dhcpv6::Message reply;
  reply.type = Type::kReply;
  reply.transaction = req.transaction;
  reply.client_id = req.client_id;
  reply.server_id = duid_;
  reply.dns = dns != nullptr ? *dns : config_.dns;
  reply.domains = config_.domains;
  bool changed = false;
  switch (req.type) {
    case Type::kSolicit:
    case Type::kRequest:
    case Type::kRenew:
    case Type::kRebind: {
      const bool renewal = req.type == Type::kRenew || req.type == Type::kRebind;
      // Another client on this session (a CPE replaced, its DUID regenerated) takes the
      // binding over by Solicit or Request; a Renew or Rebind must come from the client that has it.
      if (renewal && b.duid_len != 0 && !b.same_client(req.client_id)) {
        for (const auto& ia : req.ia_pd) reply.ia_pd.push_back({ia.iaid, 0, 0, {}, Status::kNoBinding});
        for (const auto& ia : req.ia_na) reply.ia_na.push_back({ia.iaid, 0, 0, {}, Status::kNoBinding});
        break;
      }
      const bool rapid = req.type == Type::kSolicit && req.rapid_commit && config_.dhcpv6_rapid_commit;
      const bool commit = req.type != Type::kSolicit || rapid;
      if (req.type == Type::kSolicit && !rapid) reply.type = Type::kAdvertise;
      reply.rapid_commit = rapid;
      for (std::size_t i = 0; i < req.ia_pd.size(); ++i) lease_prefix(req.ia_pd[i], i == 0, renewal, commit, b, host, reply, changed);
      for (std::size_t i = 0; i < req.ia_na.size(); ++i)
        lease_address(req.ia_na[i], i == 0, renewal, commit, wan, client_iid, b, reply, changed);
      if (commit && !b.same_client(req.client_id)) {
        b.remember_client(req.client_id);
        changed = true;
      }
      changed = changed || commit;  // the binding's time moves on
      break;
    }
    case Type::kRelease:
    case Type::kDecline: {
      // Section 18.3.7, 18.3.8: only the client that holds the binding gives it back.
      bool holder = b.same_client(req.client_id);
      for (const auto& ia : req.ia_pd) {
        bool match = holder && req.type == Type::kRelease && !b.delegated.empty() && b.pd_iaid == ia.iaid;
        if (match) {
          host.return_prefix(b.delegated);
          b.delegated = {};
          b.pd_iaid = 0;
          changed = true;
        } else {
          reply.ia_pd.push_back({ia.iaid, 0, 0, {}, Status::kNoBinding});
        }
      }
      for (const auto& ia : req.ia_na) {
        if (holder && b.na_bound && b.na_iaid == ia.iaid) {
          b.na_bound = false;
          b.na_iaid = 0;
          changed = true;
        } else {
          reply.ia_na.push_back({ia.iaid, 0, 0, {}, Status::kNoBinding});
        }
      }
      reply.status = Status::kSuccess;
      reply.dns.clear();
      reply.domains.clear();
      break;
    }
    case Type::kConfirm: {
      // Section 18.3.3: are the client's addresses on this link?
      bool on_link = !req.ia_na.empty();
      for (const auto& ia : req.ia_na)
        for (const auto& l : ia.leases) on_link = on_link && wan.contains(l.address);
      if (req.ia_na.empty()) return result;  // nothing to confirm: no reply
      reply.status = on_link ? Status::kSuccess : Status::kNotOnLink;
      reply.dns.clear();
      reply.domains.clear();
      break;
    }
    case Type::kInformationRequest: break;
    default: return result;
  }
  result.size = dhcpv6::encode(out, reply);
  result.outcome = result.size > 0 ? Outcome::kReply : Outcome::kDiscard;
  result.binding_changed = changed;
  return result;
}

}  // namespace pppoe::worker
