#include "worker/worker.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "dataplane/frames.hpp"
#include "l2tp/proxy_lcp.hpp"
#include "policy/gcra.hpp"
#include "proto/ip.hpp"
#include "proto/ppp/describe.hpp"
#include "session/control_budget.hpp"
#include "session/ra_schedule.hpp"
#include "worker/dhcpv6_server.hpp"
#include "worker/router_advertiser.hpp"

namespace pppoe::worker {

using dataplane::Drop;
using session::EndReason;

namespace {

std::uint32_t random_seed() {
  std::uint32_t s = 0;
  while (::getrandom(&s, sizeof s, 0) != sizeof s) {
  }
  return s;
}

void copy_text(char* dst, std::size_t cap, std::string_view src) {
  std::size_t n = std::min(cap - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

/// Ethernet + PPPoE session header for `pppoe_payload` octets (PPP protocol field included).
void write_session_header(ByteWriter& w, std::uint16_t ether_type, const MacAddress& dst, const MacAddress& src,
                          const ether::VlanStack& vlans, std::uint16_t session_id, std::size_t pppoe_payload) {
  ether::encode(ether::Header{dst, src, vlans, ether_type}, w);
  // RFC 2516 section 4: LENGTH covers the PPP protocol field and payload.
  pppoe_proto::encode_header({1, 1, pppoe_proto::Code::kSession, session_id, static_cast<std::uint16_t>(pppoe_payload)}, w);
}

/// Ethernet + PPPoE session header + PPP protocol field.
void write_session_headers(ByteWriter& w, std::uint16_t ether_type, const MacAddress& dst, const MacAddress& src,
                           const ether::VlanStack& vlans, std::uint16_t session_id, std::uint16_t protocol,
                           std::size_t payload_size) {
  write_session_header(w, ether_type, dst, src, vlans, session_id, payload_size + 2);
  w.u16(protocol);
}

void add(std::atomic<std::uint64_t>& a, std::uint64_t v) { a.fetch_add(v, std::memory_order_relaxed); }
}  // namespace

// One subscriber session as its worker sees it: identity, address, PPP link, counters.
class Worker::Session final : public session::LinkOutput,
                              public session::AddressAssigner,
                              public session::Authenticator,
                              public DelegationHost {
 public:
  /// `lns`: a call from a LAC terminated here (no PPPoE: no MAC, no VLANs, no PADT).
  Session(Worker& w, const Message& m, TimePoint now, const LnsCall* lns = nullptr)
      : worker_(w),
        id_(m.session_id),
        max_payload_(m.max_payload),
        mac_(m.mac),
        vlans_(m.vlans),
        last_data_(now),
        now_(now),
        generation_(++w.generation_),
        session_timeout_(w.config_.session_timeout),
        idle_timeout_(w.config_.idle_timeout),
        interim_interval_(w.config_.radius.interim_interval) {
    if (lns != nullptr) lns_ = std::make_unique<LnsCall>(*lns);
    // Only RADIUS requests and L2TP calls name the port and line.
    if (w.aaa_.radius_auth() || w.aaa_.accounting() || (w.lac_ && lns == nullptr)) {
      radius_identity_ = std::make_unique<radius::SessionIdentity>();
      radius_identity_->session_id = id_;
      radius_identity_->mac = mac_;
      radius_identity_->acct_session_id = w.next_acct_session_id();
      if (lns != nullptr) {
        // RFC 2867 / common LNS practice: the port is virtual, the line is what the LAC said.
        radius_identity_->virtual_port = true;
        radius_identity_->nas_port_id = fmt::format("l2tp:{}/{}", lns->tunnel, lns->session);
        radius_identity_->calling_station_id = lns->info.calling_number;
        radius_identity_->circuit_id = lns->info.circuit_id;
        radius_identity_->remote_id = lns->info.remote_id;
      } else {
        radius_identity_->nas_port_id = radius::nas_port_id(w.config_.interface, vlans_);
        radius_identity_->circuit_id = std::string(m.circuit_id, strnlen(m.circuit_id, sizeof m.circuit_id));
        radius_identity_->remote_id = std::string(m.remote_id, strnlen(m.remote_id, sizeof m.remote_id));
      }
    }
    session::LinkSettings ls;
    const auto& c = w.config_;
    ls.cp.restart_timer = seconds(c.restart_timer);
    ls.cp.max_configure = c.max_configure;
    ls.lcp.role = ppp::LinkRole::kAuthenticator;
    ls.lcp.auth_methods = c.auth;
    // RFC 4638: with PPP-Max-Payload agreed in discovery, MRU may go up to that value both ways.
    ls.lcp.mru = m.max_payload > 1492 ? m.max_payload : c.mru;
    // Over L2TP the subscriber's own link (its PPPoE MRU, in the Proxy LCP) is the limit, not ours.
    ls.lcp.max_peer_mru = m.max_payload > 1492 ? m.max_payload : lns != nullptr ? 1500 : 1492;
    ls.echo_interval = seconds(c.lcp_echo_interval);
    ls.echo_failures = c.lcp_echo_failure;
    ls.auth_timeout = seconds(c.auth_timeout);
    ls.ipv6 = c.ipv6;
    ppp::IpcpSettings ipcp;
    ipcp.role = ppp::LinkRole::kAuthenticator;
    ipcp.local = c.local_ip;
    ipcp.name_servers = c.name_servers;
    link_ = std::make_unique<session::ServerSession>(*this, *this, *this, ls, ipcp, c.ac_name,
                                                     w.seed_ ^ (std::uint32_t{id_} * 2654435761u));
    if (w.lac_ && lns == nullptr) link_->record_proxy_lcp();  // sessions of a realm are handed to an LNS
    // Interface identifiers must be unique on the shared TUN (downstream finds sessions by them).
    link_->set_ipv6_id_in_use_check([&w, id = id_](std::uint64_t iid) {
      auto owner = w.shared_.ipv6.find(dataplane::SharedIndex::ipv6_key(iid));
      return owner && *owner != id;
    });
  }

  // LinkOutput
  void send_ppp(ppp::Protocol protocol, Bytes payload) override {
    if (dead_) return;
    worker_.touch(*this);  // sending usually arms a timer (restart, echo, challenge)
    worker_.debug_frame(*this, "tx", static_cast<std::uint16_t>(protocol), payload);
    if (lns_) {
      // RFC 1662 section 3.1 address and control octets, as LACs pass them to the subscriber.
      auto p = static_cast<std::uint16_t>(protocol);
      const std::uint8_t prefix[] = {0xff, 0x03, static_cast<std::uint8_t>(p >> 8), static_cast<std::uint8_t>(p)};
      (void)worker_.lns_->send(lns_->route, worker_.shared_.downstream[id_].l2tp_ns, Bytes(prefix), payload);
      return;
    }
    MutableBytes buf = worker_.socket_.tx_buffer();
    ByteWriter w(buf);
    write_session_headers(w, worker_.config_.ether_types().session, mac_, worker_.socket_.mac(), vlans_, id_,
                          static_cast<std::uint16_t>(protocol), payload.size());
    w.bytes(payload);
    if (!w.overflow()) worker_.socket_.commit(w.size());
  }
  void network_up() override {
    if (up_) return;
    up_ = true;
    worker_.touch(*this);  // session, idle and interim timers start now
    up_since_ = now_;
    timeout_base_ = now_;
    up_unix_ = std::time(nullptr);
    ++worker_.counters_.sessions_up;
    const auto& granted = link_->authorization();
    if (granted.session_timeout) session_timeout_ = *granted.session_timeout;
    if (granted.idle_timeout) idle_timeout_ = *granted.idle_timeout;
    if (granted.interim_interval) interim_interval_ = std::max(10u, *granted.interim_interval);  // a floor against misconfigured servers
    radius_auth_ = granted.radius;
    keep_ipv6_authorization();  // before the authorization is released below
    class_ = granted.class_attr;
    std::uint16_t mtu = link_->lcp().peer_mru();
    if (granted.framed_mtu) mtu = std::min(mtu, *granted.framed_mtu);  // Framed-MTU caps what we send
    bool accounting = worker_.aaa_.accounting();
    worker_.apply_rate(*this, worker_.rate_for(granted, id_));
    keep_routes(granted);
    if (!granted.filter.empty() && !worker_.apply_filter(*this, policy::filter_id(granted.filter)))
      log::warn_limited(worker_.policy_log_, "session {}: filter list '{}' is not configured; the session goes unfiltered",
                        id_, granted.filter);
    worker_.shared_.table.update(id_, [&](dataplane::SessionRecord& r) {
      r.state = dataplane::SessionState::kUp;
      r.ipv4 = addr_.value;
      r.peer_mru = mtu;
      if (radius_identity_) copy_text(r.acct_session_id, sizeof r.acct_session_id, radius_identity_->acct_session_id);
      r.acct_started = accounting;
      r.radius_auth = radius_auth_;
      r.class_len = static_cast<std::uint8_t>(std::min(class_.size(), sizeof r.class_attr));
      std::copy_n(class_.begin(), r.class_len, r.class_attr);
      r.session_timeout = session_timeout_;
      r.idle_timeout = idle_timeout_;
      copy_text(r.user, sizeof r.user, link_->user());
      copy_text(r.auth, sizeof r.auth, ppp::to_string(link_->lcp().auth_method()));
      r.up_unix_ms = unix_ms();
    });
    Message m;
    m.type = MessageType::kSessionUp;
    m.session_id = id_;
    m.ipv4 = addr_.value;
    worker_.tell_master(m);
    worker_.update_fast_path(*this);  // rate, filters and routes are known now
    worker_.publish(*this);
    log::info("session {} up on worker {}: user '{}' mac {} address {}", id_, worker_.slot_, link_->user(),
              mac_.to_string(), addr_.to_string());
    if (accounting) {
      acct_started_ = true;
      worker_.account(*this, radius::AcctStatus::kStart, EndReason::kNone, now_);
      if (interim_interval_ != 0) next_interim_ = now_ + seconds(interim_interval_);
    }
    link_->release_authorization();  // everything needed from it is copied above
  }
  /// What the backend decided about IPv6 (RADIUS Framed-IPv6-Prefix and -Pool,
  /// Delegated-IPv6-Prefix and -Pool, DNS-Server-IPv6-Address), kept from the authorization
  /// (released when IPCP opens) until IPv6CP and DHCPv6 need it.
  void keep_ipv6_authorization() {
    if (ipv6_authorized_ || !worker_.ra_) return;
    ipv6_authorized_ = true;
    const auto& g = link_->authorization();
    auto pool_index = [&](const auto& pools, const std::string& name, const char* what) -> std::uint8_t {
      if (name.empty()) return 0;
      auto i = pools.index_of(name);
      if (!i) {
        log::warn_limited(worker_.ipv6_log_, "session {}: {} '{}' from RADIUS is not configured; using the default one", id_,
                          what, name);
        return 0;
      }
      return static_cast<std::uint8_t>(*i);
    };
    ipv6_pool_ = pool_index(worker_.shared_.ipv6_pool, g.framed_ipv6_pool, "Framed-IPv6-Pool");
    delegate_pool_ = pool_index(worker_.shared_.delegate_pool, g.delegated_pool, "Delegated-IPv6-Prefix-Pool");
    if (g.framed_ipv6_prefix || g.delegated_prefix || !g.dns6.empty()) {
      ipv6_fixed_ = std::make_unique<FixedIpv6>();
      ipv6_fixed_->prefix = g.framed_ipv6_prefix.value_or(Ipv6Prefix{});
      ipv6_fixed_->delegated = g.delegated_prefix.value_or(Ipv6Prefix{});
      ipv6_fixed_->dns = g.dns6;
    }
  }
  /// A prefix RADIUS fixed (taken from its pool if it lies in one), or one from `pools[index]`.
  template <class Pools>
  std::optional<Ipv6Prefix> take_prefix(Pools& pools, std::size_t index, Ipv6Prefix fixed, const char* what) {
    if (!fixed.empty()) {
      if (!pools.contains(fixed) || pools.reserve(fixed)) return fixed;
      log::warn_limited(worker_.ipv6_log_, "session {}: {} {} from RADIUS is taken", id_, what, fixed.to_string());
      return std::nullopt;
    }
    auto part = static_cast<dataplane::PoolPart>(worker_.shared_.settings().pool_part.load(std::memory_order_relaxed));
    auto p = pools.allocate_at(index, part);
    if (!p) log::warn_limited(worker_.ipv6_log_, "session {}: no {} left in its pool", id_, what);
    return p;
  }
  /// The prefixes this user had before, if they are still held (ipv6-prefix-hold): the same
  /// /64 and delegated prefix again after a reconnect.
  void reclaim_held_prefixes() {
    if (worker_.config_.ipv6_service.prefix_hold == 0 || link_->user().empty() || has_fixed_prefixes()) return;
    auto held = worker_.shared_.held_prefixes.claim(dataplane::HeldPrefixes::key_of(link_->user()));
    if (!held) return;
    ipv6_prefix_ = held->wan;
    if (!held->delegated.empty() && dhcp_.delegated.empty()) {
      dhcp_.delegated = held->delegated;
      Message m;
      m.type = MessageType::kPrefixDelegated;
      m.session_id = id_;
      m.delegated_prefix = held->delegated.upper;
      m.delegated_len = held->delegated.length;
      worker_.tell_master(m);
      worker_.shared_.table.update(id_, [&](dataplane::SessionRecord& r) {
        r.delegated_prefix = held->delegated.upper;
        r.delegated_prefix_len = held->delegated.length;
      });
    } else if (!held->delegated.empty()) {
      worker_.shared_.delegate_pool.release(held->delegated);  // it has one already
    }
  }
  /// Prefixes RADIUS or ppp.secret fixed: the user's anyway, never held for a reconnect.
  [[nodiscard]] bool has_fixed_prefixes() const {
    return ipv6_fixed_ && (!ipv6_fixed_->prefix.empty() || !ipv6_fixed_->delegated.empty());
  }
  /// What one packet may carry both ways: our MRU (PPP-Max-Payload when agreed) and the peer's.
  [[nodiscard]] std::uint16_t session_mtu() const {
    std::uint16_t ours = max_payload_ > worker_.config_.mru ? max_payload_ : worker_.config_.mru;
    return std::min(ours, link_->lcp().peer_mru());
  }
  [[nodiscard]] const std::vector<Ipv6Bytes>* own_dns() const {
    return ipv6_fixed_ && !ipv6_fixed_->dns.empty() ? &ipv6_fixed_->dns : nullptr;
  }

  void ipv6_up() override {
    ipv6_id_ = link_->ipv6cp().peer_id();
    // The session's /64 (operator guide "IPv6"): kept for the session's life, also when IPv6CP
    // renegotiates, so the subscriber's addresses do not change under it.
    bool new_prefix = false;
    if (worker_.ra_ && ipv6_prefix_.empty()) {
      keep_ipv6_authorization();
      reclaim_held_prefixes();
      if (ipv6_prefix_.empty())
        if (auto p = take_prefix(worker_.shared_.ipv6_pool, ipv6_pool_, ipv6_fixed_ ? ipv6_fixed_->prefix : Ipv6Prefix{}, "/64"))
          ipv6_prefix_ = *p;
      new_prefix = !ipv6_prefix_.empty();
    }
    worker_.shared_.table.update(id_, [&](dataplane::SessionRecord& r) {
      r.ipv6_peer_id = ipv6_id_;
      r.ipv6_prefix = ipv6_prefix_.upper;
      r.ipv6_prefix_len = ipv6_prefix_.length;
    });
    Message m;
    m.type = MessageType::kIpv6Up;
    m.session_id = id_;
    m.ipv6_id = ipv6_id_;
    m.ipv6_prefix = ipv6_prefix_.upper;
    m.ipv6_prefix_len = ipv6_prefix_.length;
    worker_.tell_master(m);
    if (!ipv6_prefix_.empty()) {
      ra_.start(now_);  // the first Router Advertisement at the next tick (RFC 4861 section 6.2.4)
      worker_.touch(*this);
    }
    if (new_prefix) worker_.account_new_prefix(*this, now_);
    worker_.refresh_fast_path(*this);  // its IPv6 into the kernel too, if it is on the fast path
  }
  // DelegationHost: the delegated prefix comes from the pool like the /64 and is indexed by
  // the master (kPrefixDelegated) so that downstream finds the session.
  std::optional<Ipv6Prefix> delegate_prefix() override {
    auto p = take_prefix(worker_.shared_.delegate_pool, delegate_pool_, ipv6_fixed_ ? ipv6_fixed_->delegated : Ipv6Prefix{},
                         "delegated prefix");
    if (!p) return std::nullopt;
    Message m;
    m.type = MessageType::kPrefixDelegated;
    m.session_id = id_;
    m.delegated_prefix = p->upper;
    m.delegated_len = p->length;
    worker_.tell_master(m);
    return p;
  }
  void return_prefix(Ipv6Prefix p) override {
    worker_.shared_.delegate_pool.release(p);
    Message m;
    m.type = MessageType::kPrefixReturned;
    m.session_id = id_;
    m.delegated_prefix = p.upper;
    m.delegated_len = p.length;
    worker_.tell_master(m);
  }

  void ipv6_down() override {
    ra_.stop();
    if (ipv6_id_ == 0) return;
    Message m;
    m.type = MessageType::kIpv6Down;
    m.session_id = id_;
    m.ipv6_id = ipv6_id_;
    worker_.tell_master(m);
    ipv6_id_ = 0;
    worker_.refresh_fast_path(*this);  // IPv6 goes to the worker again, which drops it
  }
  void link_dead(EndReason reason) override { worker_.end_session(*this, reason); }

  // Authenticator: local answers come back at once, RADIUS ones through the event loop.
  void authenticate(const session::AuthRequest& request, TimePoint now) override {
    if (worker_.lac_ && !lac_pending_ && !lns_)
      if (const auto* profile = worker_.config_.l2tp.profile_for_user(request.user)) {
        // Switched by realm: the LNS authenticates (proxy authentication), not us.
        lac_pending_ = true;
        worker_.lac_->connect(id_, *profile, worker_.call_info(*this, request), now);
        return;
      }
    if (lac_pending_) return;  // a retransmitted request while the call is being placed
    // RADIUS may choose a tunnel (RFC 2868): the credentials are needed again for the LNS.
    if (worker_.lac_ && !lns_ && worker_.config_.l2tp.radius_tunnels)
      lac_request_ = std::make_unique<session::AuthRequest>(request);
    worker_.aaa_.authenticate(request, identity(),
                              [w = &worker_, id = id_, gen = generation_, method = request.method](const session::AuthResult& r) {
                                auto outcome = r.ok ? dataplane::AuthOutcome::kAccepted
                                               : r.backend_unavailable ? dataplane::AuthOutcome::kNoAnswer
                                                                       : dataplane::AuthOutcome::kRejected;
                                auto m = static_cast<std::size_t>(method);
                                if (m < w->counters_.auth.size()) ++w->counters_.auth[m][static_cast<std::size_t>(outcome)];
                                w->auth_answer(id, gen, r);
                              },
                              now);
  }

  /// Who the session is, for AAA: with RADIUS the port, line and accounting ID too.
  [[nodiscard]] radius::SessionIdentity identity() const {
    if (radius_identity_) return *radius_identity_;
    radius::SessionIdentity local;
    local.session_id = id_;
    local.mac = mac_;
    return local;
  }

  // AddressAssigner: remembers what it got so that it goes back to the pool.
  std::optional<Ipv4Address> assign(std::optional<Ipv4Address> fixed, std::string_view pool) override {
    if (has_addr_) return addr_;
    auto a = worker_.assign(fixed, pool);
    if (a) {
      addr_ = *a;
      has_addr_ = true;
      // In the shared record at once: if this worker dies, the master returns it to the pool.
      worker_.shared_.table.update(id_, [&](dataplane::SessionRecord& r) { r.ipv4 = a->value; });
    }
    return a;
  }

  Worker& worker_;
  std::uint16_t id_;
  std::uint16_t max_payload_;  ///< RFC 4638, from discovery (0: none)
  MacAddress mac_;
  ether::VlanStack vlans_;
  TimePoint last_data_;
  TimePoint up_since_{};
  TimePoint now_{};
  std::uint64_t generation_;
  unsigned session_timeout_, idle_timeout_, interim_interval_;  ///< seconds; 0 = none
  Ipv4Address addr_;  // (members ordered to leave little padding: one Session per subscriber)
  TimePoint next_interim_{};
  TimePoint timeout_base_{};  ///< Session-Timeout counts from here: IPCP up, or the last CoA
  std::int64_t up_unix_ = 0;
  /// Only with RADIUS (its strings are 128 octets per session): see identity().
  std::unique_ptr<radius::SessionIdentity> radius_identity_;
  std::vector<std::uint8_t> class_;
  bool radius_auth_ = false;
  bool acct_started_ = false;
  std::uint64_t ipv6_id_ = 0;
  Ipv6Prefix ipv6_prefix_;      ///< the session's /64 from the ipv6-pool (empty: link-local only)
  session::RaSchedule ra_;      ///< its Router Advertisements
  Dhcpv6Binding dhcp_;          ///< its DHCPv6 binding: delegated prefix, IAIDs, client DUID
  session::ControlBudget dhcp_budget_;
  /// Prefixes and DNS servers RADIUS fixed for this session (rare: allocated only then).
  struct FixedIpv6 {
    Ipv6Prefix prefix, delegated;
    std::vector<Ipv6Bytes> dns;
  };
  std::unique_ptr<FixedIpv6> ipv6_fixed_;
  std::uint8_t ipv6_pool_ = 0, delegate_pool_ = 0;  ///< which named pools (0: the default)
  bool ipv6_authorized_ = false;
  bool has_addr_ = false;
  bool up_ = false;
  bool lac_pending_ = false;  ///< LAC: a call for this session is being placed
  bool tunnelled_ = false;    ///< LAC: the call is up; frames pass to and from the LNS
  bool dead_ = false;
  bool peer_padt_ = false;
  bool touched_ = false;
  bool dirty_ = false;
  /// LAC with l2tp-radius: the request being checked, for the proxy authentication (a PAP
  /// password: kept only until the answer).
  std::unique_ptr<session::AuthRequest> lac_request_;
  std::unique_ptr<radius::TunnelAccounting> tunnel_accounting_;  ///< LAC: where the call went; LNS: where it came from
  std::unique_ptr<LnsCall> lns_;  ///< LNS: the L2TP call this session came in on
  std::uint64_t rx_packets_ = 0, rx_bytes_ = 0;
  /// What the owner applies upstream (operator guide "Service policy"); allocated only for a
  /// session that has any of it, so the others pay one pointer and one branch per packet.
  struct Policy {
    policy::Rate up_rate{};  ///< the upstream rate limit in force (0 kbit/s: none)
    std::uint8_t filter = 0;  ///< the filter list in force: its index in the config + 1 (0: none)
    policy::FramedRoutes routes;  ///< networks behind the subscriber: their sources pass upstream
  };
  std::unique_ptr<Policy> policy_;
  /// On the kernel fast path: what of its kernel counters is folded in already (allocated only
  /// for sessions on it).
  struct FastSeen {
    dataplane::FastPathCounters up;
    dataplane::FastPathDownCounters down;
    dataplane::FastPathAddresses entered;  ///< the destinations in the kernel's maps
  };
  std::unique_ptr<FastSeen> fast_;
  dataplane::FastPathState fast_state_ = dataplane::FastPathState::kNone;
  bool fast_state_evaluated_ = false;  ///< update_fast_path ran once (at IPCP up or adoption)
  Policy& policy() {
    if (!policy_) policy_ = std::make_unique<Policy>();
    return *policy_;
  }
  [[nodiscard]] bool routed_source(Ipv4Address a) const {
    if (!policy_) return false;
    for (const auto& r : policy_->routes.v4)
      if (r.contains(a)) return true;
    return false;
  }
  [[nodiscard]] bool routed_source(const Ipv6Bytes& a) const {
    if (!policy_) return false;
    for (const auto& p : policy_->routes.v6)
      if (p.contains(a)) return true;
    return false;
  }
  /// The routes the authorization gave (and the network of a Framed-IP-Netmask wider than /32)
  /// into the record, before kSessionUp tells the master to index them.
  void keep_routes(const session::AuthResult& g) {
    policy::FramedRoutes routes = g.routes;
    if (g.framed_netmask)
      if (auto r = policy::netmask_route(addr_, *g.framed_netmask); r && routes.v4.size() < policy::kMaxRoutes4)
        routes.v4.push_back(*r);
    if (routes.empty()) return;
    const auto& kept = policy().routes = std::move(routes);
    worker_.shared_.table.update(id_, [&](dataplane::SessionRecord& r) {
      for (std::size_t i = 0; i < kept.v4.size() && i < policy::kMaxRoutes4; ++i) {
        r.route4[i] = kept.v4[i].network;
        r.route4_len[i] = kept.v4[i].length;
      }
      if (!kept.v6.empty()) {
        r.route6 = kept.v6[0].upper;
        r.route6_len = kept.v6[0].length;
      }
    });
  }
  session::ControlBudget control_budget_;
  TimerWheel::Tick due_tick_ = TimerWheel::kNever;  ///< the wheel entry that counts (others are stale)
  std::unique_ptr<session::ServerSession> link_;
};

Worker::Worker(const master::Config& config, dataplane::PacketSocket& socket, dataplane::RoutedPort* routed,
               dataplane::SharedState& shared, radius::Aaa& aaa, std::uint8_t slot, Channel& master)
    : config_(config),
      socket_(socket),
      shared_(shared),
      slot_stats_(shared.workers[slot]),
      aaa_(aaa),
      slot_(slot),
      master_(master),
      routed_(routed),
      by_id_(dataplane::SessionTable::kCapacity),
      seed_(random_seed()),
      started_unix_(std::time(nullptr)),
      pid_(static_cast<std::uint32_t>(::getpid())) {
  if (config.ipv6 && config.ipv6_service.enabled()) ra_ = std::make_unique<RouterAdvertiser>(config.ipv6_service);
  if (config.ipv6 && config.ipv6_service.dhcpv6_server())
    dhcp_ = std::make_unique<Dhcpv6Server>(config.ipv6_service, socket.mac());
}

Worker::~Worker() = default;

void Worker::tell_master(Message m) {
  // Queued: the event loop flushes the channel at the end of each turn.
  if (!master_.queue(m)) log::error("worker {}: cannot reach the master", slot_);
}

void Worker::on_message(const Message& m, TimePoint now) {
  switch (m.type) {
    case MessageType::kStart: start_session(m, now); break;
    case MessageType::kPeerPadt: {
      Session* s = by_id_[m.session_id].get();
      if (s != nullptr && !s->dead_ && s->mac_ == m.mac) {
        s->peer_padt_ = true;
        s->link_->lower_down(EndReason::kPeerPadt, now);
      }
      break;
    }
    case MessageType::kDisconnect: {
      Session* s = by_id_[m.session_id].get();
      if (s != nullptr && !s->dead_) {
        s->link_->close(static_cast<EndReason>(m.reason), now);
        touch(*s);
      }
      break;
    }
    case MessageType::kChangeTimeouts: {
      Session* s = by_id_[m.session_id].get();
      if (s == nullptr || s->dead_) break;
      if ((m.reason & 1) != 0) {
        // A new Session-Timeout counts from the CoA: "N more seconds" (a prepaid top-up, a
        // grace period), not a deadline that may already lie in the past.
        s->session_timeout_ = m.session_timeout;
        s->timeout_base_ = now;
      }
      if ((m.reason & 2) != 0) s->idle_timeout_ = m.idle_timeout;
      shared_.table.update(s->id_, [&](dataplane::SessionRecord& r) {
        r.session_timeout = s->session_timeout_;
        r.idle_timeout = s->idle_timeout_;
      });
      log::info("session {}: timeouts changed by CoA: session {} s, idle {} s", s->id_, s->session_timeout_,
                s->idle_timeout_);
      touch(*s);
      break;
    }
    case MessageType::kChangeRate: {
      Session* s = by_id_[m.session_id].get();
      if (s == nullptr || s->dead_) break;
      auto current = shared_.table.read(s->id_);
      if (!current) break;
      policy::RateLimit r;
      auto keep = [](std::uint32_t kbps, std::uint32_t burst) {
        return kbps == 0 ? std::nullopt : std::optional<policy::Rate>(policy::Rate{kbps, burst});
      };
      r.down = (m.reason & 1) != 0 ? keep(m.rate_down_kbps, m.rate_down_burst) : keep(current->rate_down_kbps, current->rate_down_burst);
      r.up = (m.reason & 2) != 0 ? keep(m.rate_up_kbps, m.rate_up_burst) : keep(current->rate_up_kbps, current->rate_up_burst);
      if ((m.reason & 3) != 0) {
        apply_rate(*s, config_.policy.with_bursts(r));
        log::info("session {}: rate limit now {} (down/up)", s->id_, policy::to_string(r));
      }
      if ((m.reason & 4) != 0 && apply_filter(*s, m.filter_id))
        log::info("session {}: filter list now {}", s->id_,
                  m.filter_id == 0 ? std::string("none") : config_.policy.filter(m.filter_id)->name);
      break;
    }
    case MessageType::kShutdown:
      shutdown_requested_ = true;
      shutdown(static_cast<EndReason>(m.reason), now);
      break;
    case MessageType::kLnsStart: lns_start(m, now); break;
    case MessageType::kAdopt: adopt_session(m, now); break;
    case MessageType::kMigrateOut: migrate_out(m.session_id); break;
    case MessageType::kHandover:
      shutdown_requested_ = true;
      hand_over(now);
      break;
    case MessageType::kSessionUp:
    case MessageType::kIpv6Up:
    case MessageType::kIpv6Down:
    case MessageType::kSessionEnded:
    case MessageType::kLnsCall:
    case MessageType::kMigrated:
    case MessageType::kPrefixDelegated:
    case MessageType::kPrefixReturned:
    case MessageType::kReloaded:
      break;  // worker -> master only
    case MessageType::kReload:
      break;  // the worker process's (worker_reload.hpp): it owns the configuration and the RADIUS client
  }
  reap();
}

void Worker::start_session(const Message& m, TimePoint now) {
  if (by_id_[m.session_id] != nullptr) return;  // the master never reuses a live ID
  by_id_[m.session_id] = std::make_unique<Session>(*this, m, now);
  ++live_;
  ++counters_.sessions_started;
  slot_stats_.sessions.store(live_, std::memory_order_relaxed);
  by_id_[m.session_id]->link_->start(now);
  touch(*by_id_[m.session_id]);
  replay_early(m.session_id, now);
}

void Worker::migrate_out(std::uint16_t id) {
  Message m;
  m.type = MessageType::kMigrated;
  m.session_id = id;
  m.reason = 1;
  Session* s = by_id_[id].get();
  if (s != nullptr && !s->dead_ && let_go(*s)) {  // it lives on in the worker the master chooses
    ++counters_.sessions_migrated_out;
    m.reason = 0;
  }
  tell_master(m);
}

bool Worker::let_go(Session& s) {
  // Off the kernel path first: its final counts go into the record the next owner reads (and
  // that owner puts the session on it again).
  leave_fast_path(s);
  publish(s);  // the adoption block as of now: identifiers, counters, timers
  auto rec = shared_.table.read(s.id_);
  if (!rec || !dataplane::can_adopt(*rec)) {
    update_fast_path(s);  // it stays here
    return false;
  }
  // Gone from here without PADT, Terminate, Stop or releasing its address: all of that belongs
  // to the session, which another process continues from the record.
  s.dead_ = true;
  dead_.push_back(s.id_);
  return true;
}

void Worker::hand_over(TimePoint now) {
  std::size_t kept = 0;
  for (auto& p : by_id_) {
    if (p == nullptr || p->dead_) continue;
    Session& s = *p;
    if (let_go(s)) {  // left to the next pppoed as it stands
      ++kept;
    } else {
      // Not up yet, or an L2TP call: nothing the next process could continue; ended properly.
      s.link_->close(EndReason::kShutdown, now);
      s.link_->lower_down(EndReason::kShutdown, now);
    }
  }
  if (lac_) lac_->close_tunnels(now);
  if (lns_) lns_->close_tunnels(now);
  publish_l2tp();
  reap();
  log::info("worker {}: handing over {} sessions", slot_, kept);
}

void Worker::replay_early(std::uint16_t id, TimePoint now) {
  if (auto it = early_.find(id); it != early_.end()) {
    auto frames = std::move(it->second);
    early_.erase(it);
    for (const auto& f : frames)
      if (auto pkt = pppoe_proto::decode(f.pppoe)) on_session_frame(f.eth, *pkt, now);
  }
}

void Worker::adopt_session(const Message& m, TimePoint now) {
  const std::uint16_t id = m.session_id;
  if (by_id_[id] != nullptr) return;
  auto rec = shared_.table.read(id);
  if (!rec) return;  // ended meanwhile (the master's disconnect raced us): nothing to continue
  Message start;
  start.session_id = id;
  start.mac = rec->client_mac;
  start.vlans = rec->vlans;
  start.max_payload = rec->max_payload;
  std::copy_n(rec->circuit_id, sizeof start.circuit_id, start.circuit_id);
  std::copy_n(rec->remote_id, sizeof start.remote_id, start.remote_id);
  start.circuit_id[sizeof start.circuit_id - 1] = start.remote_id[sizeof start.remote_id - 1] = '\0';
  by_id_[id] = std::make_unique<Session>(*this, start, now);
  Session& s = *by_id_[id];
  ++live_;
  slot_stats_.sessions.store(live_, std::memory_order_relaxed);
  // What the dead worker knew, as of its last publish: accounting goes on under the same
  // Acct-Session-Id with the counters where they stood (no new Start).
  auto text = [](const char* p, std::size_t cap) { return std::string(p, strnlen(p, cap)); };
  auto ago = [&](std::int64_t then_ms) { return now - milliseconds(std::max<std::int64_t>(0, unix_ms() - then_ms)); };
  s.addr_ = Ipv4Address{rec->ipv4};
  s.has_addr_ = rec->ipv4 != 0;
  if (s.radius_identity_) s.radius_identity_->acct_session_id = text(rec->acct_session_id, sizeof rec->acct_session_id);
  s.acct_started_ = rec->acct_started;
  s.radius_auth_ = rec->radius_auth;
  s.class_.assign(rec->class_attr, rec->class_attr + std::min<std::size_t>(rec->class_len, sizeof rec->class_attr));
  s.session_timeout_ = rec->session_timeout;
  s.idle_timeout_ = rec->idle_timeout;
  s.interim_interval_ = rec->interim_interval;
  if (rec->rate_up_kbps != 0) s.policy().up_rate = policy::Rate{rec->rate_up_kbps, rec->rate_up_burst};  // its TAT lives on
  if (rec->route4_len[0] != 0 || rec->route6_len != 0) {
    auto& routes = s.policy().routes;
    for (std::size_t i = 0; i < policy::kMaxRoutes4; ++i)
      if (rec->route4_len[i] != 0) routes.v4.push_back({rec->route4[i], rec->route4_len[i]});
    if (rec->route6_len != 0) routes.v6.push_back(Ipv6Prefix{rec->route6, rec->route6_len});
  }
  if (rec->filter_id != 0 && !apply_filter(s, rec->filter_id))
    log::warn("session {}: its filter list is no longer configured; the session goes unfiltered", s.id_);
  s.rx_packets_ = rec->rx_packets;
  s.rx_bytes_ = rec->rx_bytes;
  s.up_unix_ = rec->up_unix_ms / 1000;
  s.up_since_ = ago(rec->up_unix_ms);
  s.timeout_base_ = ago(rec->timeout_base_unix_ms);
  s.last_data_ = ago(rec->last_activity_unix_ms);
  s.up_ = rec->state == dataplane::SessionState::kUp;  // so that ending it unindexes its addresses
  s.ipv6_id_ = rec->ipv6_peer_id;
  if (!dataplane::can_adopt(*rec) || rec->worker != slot_) {
    log::warn("session {}: its record cannot be continued; ending it", id);
    end_session(s, EndReason::kAdminReset);
    return;
  }
  session::LinkSnapshot snap;
  snap.local_magic = rec->local_magic;
  snap.peer_magic = rec->peer_magic;
  snap.peer_mru = rec->lcp_peer_mru;
  snap.auth = static_cast<ppp::AuthMethod>(rec->auth_method);
  snap.lcp_next_id = rec->lcp_next_id;
  snap.ipcp_next_id = rec->ipcp_next_id;
  snap.ipv6cp_next_id = rec->ipv6cp_next_id;
  snap.local = Ipv4Address{rec->local_ipv4};
  snap.peer = s.addr_;
  snap.ipv6_opened = rec->ipv6_opened && rec->ipv6_peer_id != 0;
  snap.ipv6_local_id = rec->ipv6_local_id;
  snap.ipv6_peer_id = rec->ipv6_peer_id;
  if (!snap.ipv6_opened) s.ipv6_id_ = 0;
  s.ipv6_prefix_ = Ipv6Prefix{rec->ipv6_prefix, rec->ipv6_prefix_len};
  s.dhcp_.delegated = Ipv6Prefix{rec->delegated_prefix, rec->delegated_prefix_len};
  s.dhcp_.pd_iaid = rec->pd_iaid;
  s.dhcp_.na_iaid = rec->na_iaid;
  s.dhcp_.na_bound = rec->na_bound;
  s.dhcp_.duid_len = rec->duid_len;
  std::copy_n(rec->duid, sizeof rec->duid, s.dhcp_.duid.begin());
  s.link_->adopt(snap, text(rec->user, sizeof rec->user), now);
  // A new advertisement at once: after a takeover it also refreshes what the CPE knows.
  if (ra_ && snap.ipv6_opened && !s.ipv6_prefix_.empty()) s.ra_.start(now);
  if (s.acct_started_ && s.interim_interval_ != 0) s.next_interim_ = now + seconds(s.interim_interval_);
  ++counters_.sessions_adopted;
  update_fast_path(s, &*rec);
  touch(s);
  publish(s);
  replay_early(id, now);
}

std::optional<Ipv4Address> Worker::assign(std::optional<Ipv4Address> fixed, std::string_view pool) {
  if (fixed) {
    if (shared_.pool.contains(*fixed)) {
      if (!shared_.pool.reserve(*fixed)) return std::nullopt;
    } else if (shared_.ipv4.find(dataplane::SharedIndex::ipv4_key(fixed->value))) {
      return std::nullopt;  // a fixed address outside the pools, in use by another session
    }
    return fixed;
  }
  if (!pool.empty() && !shared_.pool.has(pool)) {
    log::warn_limited(auth_log_, "Framed-Pool '{}' is not configured (framed-pool); using the default pool", pool);
    pool = {};
  }
  auto part = static_cast<dataplane::PoolPart>(shared_.settings().pool_part.load(std::memory_order_relaxed));
  auto a = shared_.pool.allocate(pool, part);
  if (!a) ++counters_.pool_exhausted;
  return a;
}

std::string Worker::next_acct_session_id() {
  // Unique across workers and restarts: this process's start time and PID, then a counter.
  return fmt::format("{:08X}{:06X}{:06X}", static_cast<std::uint32_t>(started_unix_), pid_ & 0xffffff,
                     ++acct_counter_ & 0xffffff);
}

void Worker::auth_answer(std::uint16_t id, std::uint64_t generation, const session::AuthResult& r) {
  Session* s = by_id_[id].get();
  if (s == nullptr || s->dead_ || s->generation_ != generation) return;  // gone meanwhile
  auto request = std::move(s->lac_request_);
  if (r.ok && !r.tunnels.empty()) {
    if (request) {
      // RADIUS chose L2TP tunnels: the LNS terminates this session, not us. What the server
      // granted for the session itself still applies here (timeouts, Class, interim updates).
      if (r.session_timeout) s->session_timeout_ = *r.session_timeout;
      if (r.idle_timeout) s->idle_timeout_ = *r.idle_timeout;
      if (r.interim_interval) s->interim_interval_ = std::max(10u, *r.interim_interval);
      s->radius_auth_ = true;
      s->class_ = r.class_attr;
      s->lac_pending_ = true;
      lac_->connect(id, r.tunnels, call_info(*s, *request), Clock::now());
      touch(*s);
      return;
    }
    // An LNS session came through a tunnel already: the same user's Accept at the LAC and here
    // may well carry the attributes (one RADIUS for both ends); nothing to warn about.
    if (!s->lns_)
      log::warn_limited(auth_log_, "session {}: RADIUS chose an L2TP tunnel for user '{}' but l2tp-radius is off: served here",
                        id, s->link_->user());
  }
  // Why not, for `show failures` (kept aside: only failing sessions pay for the text).
  if (!r.ok && !r.reason.empty()) auth_failures_[id] = r.reason;
  s->link_->auth_complete(r, Clock::now());
  touch(*s);
}

void Worker::on_aaa_readable(int fd, TimePoint now) {
  aaa_.on_readable(fd, now);
  publish_aaa(now);
  reap();
}

void Worker::account(Session& s, radius::AcctStatus status, EndReason reason, TimePoint now) {
  fold_fast_path(s);  // octets and packets as a capture counts them, kernel path included
  radius::AcctRecord rec;
  rec.status = status;
  rec.user = s.link_->user();
  rec.class_attr = s.class_;
  rec.framed_ip = s.addr_;
  rec.framed_ipv6_prefix = s.ipv6_prefix_;
  rec.delegated_prefix = s.dhcp_.delegated;
  rec.radius_authenticated = s.radius_auth_;
  rec.input_octets = s.rx_bytes_;
  rec.input_packets = s.rx_packets_;
  rec.output_octets = shared_.downstream[s.id_].bytes.load(std::memory_order_relaxed);
  rec.output_packets = shared_.downstream[s.id_].packets.load(std::memory_order_relaxed);
  if (s.tunnel_accounting_) rec.tunnel = *s.tunnel_accounting_;
  rec.event_unix = std::time(nullptr);
  rec.session_time = static_cast<std::uint32_t>(std::max<std::int64_t>(0, rec.event_unix - s.up_unix_));
  if (status == radius::AcctStatus::kStop) rec.cause = radius::terminate_cause(reason);
  aaa_.account(rec, s.identity(), now);
}

void Worker::account_new_prefix(Session& s, TimePoint now) {
  if (!s.acct_started_ || s.dead_) return;
  account(s, radius::AcctStatus::kInterimUpdate, EndReason::kNone, now);
  if (s.interim_interval_ != 0) s.next_interim_ = now + seconds(s.interim_interval_);
}

void Worker::end_session(Session& s, EndReason reason) {
  if (s.dead_) return;
  // No frame of this session may be forwarded after its PADT; the final counts go into the Stop.
  leave_fast_path(s);
  s.dead_ = true;
  bool carrier = reason == EndReason::kPeerPadt || reason == EndReason::kEchoTimeout;
  if (s.lns_) {
    // LNS: CDN to the LAC (RFC 2661 section 4.4.2 result codes), which ends the subscriber's
    // PPPoE session; no CDN when the LAC ended the call (lns_call_down: it is gone already).
    lns_->disconnect(s.lns_->route.endpoint, s.lns_->tunnel, s.lns_->session,
                     carrier ? l2tp::result::kCdnLostCarrier : l2tp::result::kCdnAdmin, session::to_string(reason), s.now_);
  } else if (!s.peer_padt_ && dataplane::send_padt(socket_, s.mac_, s.vlans_, s.id_, session::to_string(reason),
                                                   config_.ether_types().discovery)) {
    // RFC 2516 section 5.5: no frames after a PADT was received; otherwise tell the client.
    ++counters_.padt_sent;
  }
  s.ipv6_down();
  if (s.has_addr_) shared_.pool.release(s.addr_);  // no-op for fixed addresses outside the pools
  // With ipv6-prefix-hold the master keeps the prefixes for the user; else back to the pools.
  const bool hold_prefixes = config_.ipv6_service.prefix_hold > 0 && !s.link_->user().empty() && !s.has_fixed_prefixes() &&
                             (!s.ipv6_prefix_.empty() || !s.dhcp_.delegated.empty());
  if (!hold_prefixes) {
    if (!s.ipv6_prefix_.empty()) shared_.ipv6_pool.release(s.ipv6_prefix_);
    if (!s.dhcp_.delegated.empty()) shared_.delegate_pool.release(s.dhcp_.delegated);
  }
  ++counters_.sessions_ended;
  auto ri = static_cast<std::size_t>(reason);
  if (ri < counters_.ended_by_reason.size()) ++counters_.ended_by_reason[ri];
  if (s.acct_started_) account(s, radius::AcctStatus::kStop, reason, s.now_);
  if (lac_ && (s.lac_pending_ || s.tunnelled_)) {  // no-op when the LAC side ended it
    // RFC 2661 section 4.4.2 result codes: the subscriber's line went, or we cleared the call.
    lac_->disconnect(s.id_, carrier ? l2tp::result::kCdnLostCarrier : l2tp::result::kCdnAdmin,
                     session::to_string(reason), s.now_);
  }
  if (reason == EndReason::kAuthFailed) {
    ++counters_.auth_failures;
    log::warn_limited(auth_log_, "session {}: authentication failed for user '{}' from {}", s.id_,
                      s.link_->user(), s.mac_.to_string());
  }
  if (s.lns_)
    log::info("session {} down: user '{}' L2TP tunnel {} session {} reason {}", s.id_, s.link_->user(), s.lns_->tunnel,
              s.lns_->session, session::to_string(reason));
  else
    log::info("session {} down: user '{}' mac {} reason {}", s.id_, s.link_->user(), s.mac_.to_string(),
              session::to_string(reason));
  shared_.table.clear(s.id_);
  Message m;
  m.type = MessageType::kSessionEnded;
  m.session_id = s.id_;
  m.reason = static_cast<std::uint8_t>(reason);
  m.ipv4 = s.up_ ? s.addr_.value : 0;
  m.ipv6_prefix = s.ipv6_prefix_.upper;
  m.ipv6_prefix_len = s.ipv6_prefix_.length;
  m.delegated_prefix = s.dhcp_.delegated.upper;
  m.delegated_len = s.dhcp_.delegated.length;
  m.hold_prefixes = hold_prefixes;
  if (hold_prefixes) m.user_key = dataplane::HeldPrefixes::key_of(s.link_->user());
  m.mac = s.mac_;
  m.vlans = s.vlans_;
  m.phase = static_cast<std::uint8_t>(s.link_->phase());
  m.was_up = s.up_;
  copy_text(m.user, sizeof m.user, s.link_->user());
  if (auto it = auth_failures_.find(s.id_); it != auth_failures_.end()) {
    copy_text(m.detail, sizeof m.detail, it->second);
    auth_failures_.erase(it);
  }
  tell_master(m);
  dead_.push_back(s.id_);
}

void Worker::debug_frame(const Session& s, const char* direction, std::uint16_t protocol, Bytes payload) const {
  const auto& live = shared_.settings();
  if (live.debug_targets.load(std::memory_order_relaxed) == 0) return;  // the common case: one load
  if (protocol == static_cast<std::uint16_t>(ppp::Protocol::kIpv4) || protocol == static_cast<std::uint16_t>(ppp::Protocol::kIpv6))
    return;
  std::string user(s.link_ ? s.link_->user() : std::string_view{});
  if (user.empty()) user = ppp::peer_name(protocol, payload);  // the frame that names the subscriber
  if (!live.debugged(s.mac_.as_u64(), user.empty() ? 0 : dataplane::HeldPrefixes::key_of(user), std::time(nullptr))) return;
  // Asked for by the operator for this subscriber alone: written whatever log-level says.
  log::write(log::Level::kDebug, fmt::format("debug session {} {} '{}': {} {}", s.id_, s.mac_.to_string(), user, direction,
                                             ppp::describe_frame(protocol, payload)));
}

void Worker::reap() {
  // Sessions are destroyed here, never inside their own callbacks.
  for (std::uint16_t d : dead_) {
    by_id_[d].reset();
    --live_;
  }
  dead_.clear();
  slot_stats_.sessions.store(live_, std::memory_order_relaxed);
}

void Worker::on_session_frame(const ether::Header& eth, const pppoe_proto::Packet& pkt, TimePoint now) {
  add(slot_stats_.session_frames, 1);
  Session* s = by_id_[pkt.header.session_id].get();
  if (s == nullptr) {
    // The master queues "start" before the PADS leaves, so a client's first LCP frame can
    // overtake it here: read the master's messages, then look again.
    while (auto m = master_.receive()) on_message(*m, now);
    s = by_id_[pkt.header.session_id].get();
  }
  if (s == nullptr || s->dead_) {
    // The kernel gives us only our own sessions' frames; one the shared table gives to another
    // worker (or to nobody) would break affinity. Counted for pppoetest --check-affinity.
    auto rec = shared_.table.read(pkt.header.session_id);
    if (!rec || rec->worker != slot_) {
      add(slot_stats_.foreign_frames, 1);
      drops_.count(Drop::kUnknownSession);
      return;
    }
    if (s == nullptr && rec->state == dataplane::SessionState::kNegotiating) {
      auto& q = early_[pkt.header.session_id];
      if (early_.size() <= kMaxEarlySessions && q.size() < kMaxEarlyFrames) {
        // Keep the PPPoE packet (header + payload) to replay once the master's start arrives.
        std::vector<std::uint8_t> copy(pppoe_proto::kHeaderSize + pkt.payload.size());
        ByteWriter w(copy);
        pppoe_proto::encode_header(pkt.header, w);
        w.bytes(pkt.payload);
        q.push_back({eth, std::move(copy)});
        return;
      }
    }
    drops_.count(Drop::kUnknownSession);
    return;
  }
  if (s->lns_ || s->mac_ != eth.src || !(s->vlans_ == eth.vlans)) {  // an LNS session has no PPPoE side
    drops_.count(Drop::kSessionMacMismatch);
    return;
  }
  s->now_ = now;
  if (s->tunnelled_) {  // LAC: the whole PPP frame goes to the LNS, control and data alike
    if (lac_->send(s->id_, pkt.payload)) {
      s->last_data_ = now;
      ++s->rx_packets_;
      s->rx_bytes_ += pkt.payload.size();
      mark_dirty(*s);
      add(slot_stats_.packets_in, 1);
      add(slot_stats_.bytes_in, pkt.payload.size());
    }
    return;
  }
  receive_ppp(*s, pkt.payload, now);
}

void Worker::receive_ppp(Session& sr, Bytes frame, TimePoint now) {
  Session* s = &sr;
  ByteReader r(frame);
  auto proto = r.u16();
  if (!proto || (*proto & 0x0100) != 0) {  // PFC-compressed or truncated: RFC 2516 section 7
    drops_.count(Drop::kPppMalformed);
    return;
  }
  Bytes payload = r.rest();
  debug_frame(*s, "rx", *proto, payload);
  s->link_->note_peer_activity(now);
  switch (static_cast<ppp::Protocol>(*proto)) {
    case ppp::Protocol::kIpv4: {
      if (!s->up_) {
        drops_.count(Drop::kDataBeforeUp);
        return;
      }
      auto ip = ip::decode_ipv4(payload);
      if (!ip || (ip->src != s->addr_ && !s->routed_source(ip->src))) {  // anti-spoofing: its address, its routes
        drops_.count(ip ? Drop::kSpoofedSource : Drop::kPppMalformed);
        return;
      }
      deliver_upstream(*s, payload.first(ip->total_length), now);
      return;
    }
    case ppp::Protocol::kIpv6: {
      if (s->ipv6_id_ == 0) {
        drops_.count(Drop::kDataBeforeUp);
        return;
      }
      auto ip6 = ip::decode_ipv6(payload);
      if (!ip6) {
        drops_.count(Drop::kPppMalformed);
        return;
      }
      if (ra_ && s->ra_.running()) {
        switch (ra_->upstream(payload, *ip6, s->ra_, now)) {
          case RouterAdvertiser::Upstream::kPass: break;
          case RouterAdvertiser::Upstream::kAnswer: send_router_advertisement(*s, now); touch(*s); return;
          case RouterAdvertiser::Upstream::kRateLimited: drops_.count(Drop::kRsRateLimited); return;
          case RouterAdvertiser::Upstream::kMalformed: drops_.count(Drop::kNdMalformed); return;
          case RouterAdvertiser::Upstream::kUnspecified: drops_.count(Drop::kUnspecifiedSource); return;
        }
      }
      if (dhcp_ && s->ra_.running() && ip6->next_header == 17 && serve_dhcpv6(*s, payload, now)) return;
      // Anti-spoofing: from the identifier IPv6CP agreed (link-local), from the session's /64
      // or from its delegated prefix (the subscriber's LANs).
      if (ip::link_local_id(ip6->src) != s->ipv6_id_ && !s->ipv6_prefix_.contains(ip6->src) &&
          !s->dhcp_.delegated.contains(ip6->src) && !s->routed_source(ip6->src)) {
        drops_.count(Drop::kSpoofedSource);
        return;
      }
      deliver_upstream(*s, payload.first(40u + ip6->payload_length), now);
      return;
    }
    case ppp::Protocol::kIpcp:
    case ppp::Protocol::kIpv6cp:
    case ppp::Protocol::kLcp:
    case ppp::Protocol::kPap:
    case ppp::Protocol::kChap:
      break;
  }
  if (!s->control_budget_.take(shared_.settings().ppp_control_rate.load(std::memory_order_relaxed), now)) {
    drops_.count(Drop::kPppControlFlood);
    return;
  }
  auto before = s->link_->bad_control();
  s->link_->receive(static_cast<ppp::Protocol>(*proto), payload, now);
  touch(*s);
  auto after = s->link_->bad_control();  // the link lives until reap(), even if it just died
  drops_.count(Drop::kPppControlMalformed, after.malformed - before.malformed);
  drops_.count(Drop::kPppUnknownCode, after.unknown_code - before.unknown_code);
  drops_.count(Drop::kPppUnknownProtocol, after.unknown_protocol - before.unknown_protocol);
  drops_.count(Drop::kPppOutOfPhase, after.out_of_phase - before.out_of_phase);
  reap();
}

void Worker::deliver_upstream(Session& s, Bytes packet, TimePoint now) {
  if (s.policy_ && s.policy_->filter != 0 &&
      filtered(config_.policy.filters[s.policy_->filter - 1u], s.policy_->filter - 1u, packet, true))
    return;
  if (s.policy_ && s.policy_->up_rate.kbps != 0) {
    auto& state = shared_.policy[s.id_];
    auto a = policy::admit(state.up_tat_ns, now.time_since_epoch().count(), static_cast<std::uint32_t>(packet.size()),
                           s.policy_->up_rate, 0);
    if (a.verdict == policy::Admission::Verdict::kDrop) {
      drops_.count(Drop::kPoliced);
      add(state.up_dropped_packets, 1);
      add(state.up_dropped_bytes, packet.size());
      return;
    }
  }
  // TCP MSS clamping (operator guide "Service policy"): a SYN whose MSS the session's MTU
  // cannot carry is copied and lowered; every other packet goes as it came.
  ClampBuffer clamped;
  packet = clamp_copy(packet, config_.policy.clamp_mtu(s.session_mtu()), clamped);
  if (routed_ == nullptr || !routed_->write(packet)) {
    drops_.count(Drop::kTunWriteFailed);
    return;
  }
  s.last_data_ = now;
  mark_dirty(s);
  ++s.rx_packets_;
  s.rx_bytes_ += packet.size();
  add(slot_stats_.packets_in, 1);
  add(slot_stats_.bytes_in, packet.size());
}

void Worker::on_tun_packet(Bytes packet, TimePoint now) {
  std::optional<std::uint16_t> sid;
  if (!packet.empty() && (packet[0] >> 4) == 4) {
    auto ip = ip::decode_ipv4(packet);
    if (!ip) {
      drops_.count(Drop::kDownstreamMalformed);
      return;
    }
    sid = shared_.ipv4.find(dataplane::SharedIndex::ipv4_key(ip->dst.value));
    // Not a session's address: a network behind one (Framed-Route), by longest prefix.
    if (!sid && shared_.routes4.any()) sid = shared_.routes4.find_upper(std::uint64_t{ip->dst.value} << 32);
  } else if (!packet.empty() && (packet[0] >> 4) == 6) {
    auto ip6 = ip::decode_ipv6(packet);
    if (!ip6) {
      drops_.count(Drop::kDownstreamMalformed);
      return;
    }
    // Link-local destinations: the interface identifier names the session (RFC 5072 section 5);
    // global ones: the longest of the sessions' prefixes that holds the address.
    if (auto iid = ip::link_local_id(ip6->dst))
      sid = shared_.ipv6.find(dataplane::SharedIndex::ipv6_key(*iid));
    else
      sid = shared_.prefixes.find(ip6->dst);
    packet = packet.first(40u + ip6->payload_length);  // what the header says (decode_ipv6 checked it fits)
  } else {
    drops_.count(Drop::kDownstreamMalformed);
    return;
  }
  if (!sid) {
    drops_.count(Drop::kDownstreamNoSession);
    return;
  }
  forward_downstream(*sid, packet, now, false);
}

void Worker::forward_downstream(std::uint16_t sid, Bytes packet, TimePoint now, bool shaped) {
  // The session may belong to another worker: everything needed is in the shared record.
  auto rec = shared_.table.read(sid);
  if (!rec || rec->state != dataplane::SessionState::kUp) {
    drops_.count(Drop::kDownstreamNoSession);
    return;
  }
  const bool v6 = (packet[0] >> 4) == 6;
  if (packet.size() > rec->peer_mru) {
    // Respect the peer's MRU: tell the sender when DF is set (RFC 1191), else drop.
    drops_.count(Drop::kDownstreamTooBig);
    auto ip = v6 ? std::unexpected(ip::Error::kBadVersion) : ip::decode_ipv4(packet);
    if (ip && ip->dont_fragment && routed_ != nullptr) {
      std::array<std::uint8_t, 128> icmp{};
      std::size_t n = ip::build_icmp_frag_needed(icmp, config_.local_ip, packet, rec->peer_mru);
      if (n > 0) (void)routed_->write(Bytes(icmp.data(), n));
    }
    return;
  }
  if (rec->filter_id != 0 && !shaped) {
    std::size_t index = 0;
    const policy::FilterList* list = config_.policy.filter(rec->filter_id, &index);
    if (list != nullptr && filtered(*list, index, packet, false)) return;
  }
  if (rec->rate_down_kbps != 0 && !shaped) {
    // The session's shaper (policy/gcra.hpp): now, later from our queue, or not at all.
    auto& state = shared_.policy[sid];
    const std::int64_t now_ns = now.time_since_epoch().count();
    const std::int64_t max_delay = std::int64_t{config_.policy.shaper_queue_ms} * 1'000'000;
    auto a = policy::admit(state.down_tat_ns, now_ns, static_cast<std::uint32_t>(packet.size()),
                           policy::Rate{rec->rate_down_kbps, rec->rate_down_burst}, max_delay);
    if (a.verdict == policy::Admission::Verdict::kDelay && shaper_.push(now_ns, a.depart_ns, sid, packet)) {
      add(state.down_delayed_packets, 1);
      return;
    }
    if (a.verdict != policy::Admission::Verdict::kSend) {
      drops_.count(Drop::kShaperQueueFull);
      add(state.down_dropped_packets, 1);
      add(state.down_dropped_bytes, packet.size());
      return;
    }
  }
  if (shaped) ++counters_.shaped_packets;
  auto protocol = v6 ? ppp::Protocol::kIpv6 : ppp::Protocol::kIpv4;
  // The session's MTU: our MRU (PPP-Max-Payload when this session agreed it) and the peer's.
  const std::uint16_t our_mru = rec->max_payload > config_.mru ? rec->max_payload : config_.mru;
  const std::uint16_t mss_mtu = config_.policy.clamp_mtu(std::min(rec->peer_mru, our_mru));
  if (rec->lns) {
    ClampBuffer clamped;
    packet = clamp_copy(packet, mss_mtu, clamped);
    if (!send_to_lac(sid, *rec, protocol, packet)) {
      drops_.count(Drop::kDownstreamTooBig);
      return;
    }
  } else {
    MutableBytes buf = socket_.tx_buffer();
    ByteWriter w(buf);
    write_session_headers(w, config_.ether_types().session, rec->client_mac, socket_.mac(), rec->vlans, sid,
                          static_cast<std::uint16_t>(protocol), packet.size());
    w.bytes(packet);
    if (w.overflow()) {
      drops_.count(Drop::kDownstreamTooBig);
      return;
    }
    if (mss_mtu != 0 && ip::clamp_tcp_mss(buf.subspan(w.size() - packet.size(), packet.size()), mss_mtu))
      ++counters_.mss_clamped;
    socket_.commit(w.size());
  }
  if (rec->worker != slot_) add(slot_stats_.downstream_for_others, 1);
  add(shared_.downstream[sid].packets, 1);
  add(shared_.downstream[sid].bytes, packet.size());
  add(slot_stats_.packets_out, 1);
  add(slot_stats_.bytes_out, packet.size());
  Session* own = by_id_[sid].get();
  if (own != nullptr) own->last_data_ = now;  // idle timeout counts both directions
}

Bytes Worker::clamp_copy(Bytes packet, std::uint16_t mtu, ClampBuffer& copy) {
  if (mtu == 0 || ip::tcp_syn_offset(packet) == 0 || packet.size() > copy.size()) return packet;
  std::copy(packet.begin(), packet.end(), copy.begin());
  if (!ip::clamp_tcp_mss(MutableBytes(copy.data(), packet.size()), mtu)) return packet;
  ++counters_.mss_clamped;
  return Bytes(copy.data(), packet.size());
}

std::optional<TimePoint> Worker::release_shaped(TimePoint now) {
  shaper_.release(now.time_since_epoch().count(),
                  [&](std::uint16_t sid, Bytes packet) { forward_downstream(sid, packet, now, true); });
  auto due = shaper_.next_due();
  if (!due) return std::nullopt;
  return TimePoint(std::chrono::nanoseconds(*due));
}

policy::RateLimit Worker::rate_for(const session::AuthResult& g, std::uint16_t id) {
  policy::RateLimit r = config_.policy.default_rate;
  if (g.rate.down) r.down = g.rate.down;
  if (g.rate.up) r.up = g.rate.up;
  auto named = [&](const std::string& name, std::optional<policy::Rate>& dir) {
    if (name.empty()) return;
    auto it = config_.policy.qos_policies.find(name);
    if (it == config_.policy.qos_policies.end()) {
      log::warn_limited(policy_log_, "session {}: qos-policy '{}' from RADIUS is not configured; ignored", id, name);
      return;
    }
    dir = it->second;
  };
  named(g.qos_policy_down, r.down);
  named(g.qos_policy_up, r.up);
  return config_.policy.with_bursts(r);
}

bool Worker::apply_filter(Session& s, std::uint32_t id) {
  std::size_t index = 0;
  if (id != 0 && config_.policy.filter(id, &index) == nullptr) return false;
  if (id != 0 || s.policy_) s.policy().filter = id == 0 ? 0 : static_cast<std::uint8_t>(index + 1);
  shared_.table.update(s.id_, [&](dataplane::SessionRecord& r) { r.filter_id = id; });
  if (s.fast_state_evaluated_) update_fast_path(s);  // a CoA: the kernel does not filter
  return true;
}

bool Worker::filtered(const policy::FilterList& list, std::size_t index, Bytes packet, bool upstream) {
  int rule = policy::match(list, packet, upstream);
  if (rule < 0) return false;
  add(shared_.filter_hits[index * policy::kMaxFilterRules + static_cast<std::size_t>(rule)], 1);
  if (list.rules[static_cast<std::size_t>(rule)].allow) return false;
  drops_.count(Drop::kFiltered);
  return true;
}

void Worker::apply_rate(Session& s, const policy::RateLimit& rate) {
  auto& state = shared_.policy[s.id_];
  // A full bucket and fresh counters, before the record says a limit applies.
  if (!rate.empty()) {
    for (auto* a : {&state.down_tat_ns, &state.up_tat_ns}) a->store(0, std::memory_order_relaxed);
    for (auto* a : {&state.down_dropped_packets, &state.down_dropped_bytes, &state.down_delayed_packets,
                    &state.up_dropped_packets, &state.up_dropped_bytes})
      a->store(0, std::memory_order_relaxed);
  }
  const policy::Rate up = rate.up.value_or(policy::Rate{}), down = rate.down.value_or(policy::Rate{});
  if (rate.up || s.policy_) s.policy().up_rate = up;
  shared_.table.update(s.id_, [&](dataplane::SessionRecord& r) {
    r.rate_down_kbps = down.kbps;
    r.rate_down_burst = down.burst;
    r.rate_up_kbps = up.kbps;
    r.rate_up_burst = up.burst;
  });
  if (s.fast_state_evaluated_) update_fast_path(s);  // a CoA: the kernel does not police
}

dataplane::FastPathState Worker::fast_path_verdict(const Session& s) const {
  using dataplane::FastPathState;
  if (fast_path_ == nullptr) return FastPathState::kNone;
  // The first thing the kernel programs lack that the session needs, in the order the worker
  // applies them upstream (receive_ppp, deliver_upstream).
  if (s.lns_ || s.lac_pending_ || s.tunnelled_) return FastPathState::kL2tp;
  auto rec = shared_.table.read(s.id_);
  if (s.policy_ && s.policy_->up_rate.kbps != 0) return FastPathState::kRateLimited;
  if (rec && rec->rate_down_kbps != 0) return FastPathState::kRateLimited;
  if (s.policy_ && s.policy_->filter != 0) return FastPathState::kFiltered;
  if (s.policy_ && !s.policy_->routes.empty()) return FastPathState::kFramedRoutes;
  // TCP MSS clamping needs no slow path: the kernel hands SYNs to the worker (syn_to_userland).
  return FastPathState::kForwarded;
}

void Worker::update_fast_path(Session& s, const dataplane::SessionRecord* adopted) {
  if (!s.up_ || s.dead_ || !s.has_addr_) return;
  auto verdict = fast_path_verdict(s);  // kNone without a fast path: an adopted record may say otherwise
  if (fast_path_ != nullptr) {
    if (verdict != dataplane::FastPathState::kForwarded) leave_fast_path(s);
    else if (s.fast_) refresh_fast_path(s);
    else if (!enter_fast_path(s, adopted)) verdict = dataplane::FastPathState::kMapFull;
  }
  if (verdict == s.fast_state_ && s.fast_state_evaluated_) return;
  s.fast_state_ = verdict;
  s.fast_state_evaluated_ = true;
  shared_.table.update(s.id_, [&](dataplane::SessionRecord& r) { r.fast_path = verdict; });
}

dataplane::FastPathAddresses Worker::fast_path_addresses(const Session& s) {
  dataplane::FastPathAddresses a;
  a.ipv4 = s.has_addr_ ? s.addr_.value : 0;
  if (s.ipv6_id_ != 0) {  // IPv6CP is open: what receive_ppp lets through and on_tun_packet finds
    a.ipv6_id = s.ipv6_id_;
    a.wan = s.ipv6_prefix_;
    a.delegated = s.dhcp_.delegated;
  }
  return a;
}

dataplane::FastPathSession Worker::fast_path_session(const Session& s, const dataplane::FastPathAddresses& a) const {
  // With MSS clamping, SYN and SYN-ACK go to the worker, which clamps them as before.
  const bool clamp = config_.policy.clamp_mtu(s.session_mtu()) != 0;
  return {s.mac_, s.vlans_, a.ipv4, clamp, a.ipv6_id, a.wan, a.delegated};
}

dataplane::FastPathDown Worker::fast_path_down(const Session& s) const {
  auto rec = shared_.table.read(s.id_);
  dataplane::FastPathDown down;
  down.ifindex = static_cast<std::uint32_t>(socket_.ifindex());
  down.session_id = s.id_;
  down.mru = rec ? rec->peer_mru : s.session_mtu();  // Framed-MTU capped, as userland sends
  down.client_mac = s.mac_;
  down.ac_mac = socket_.mac();
  down.vlans = s.vlans_;
  down.syn_to_userland = config_.policy.clamp_mtu(s.session_mtu()) != 0;
  return down;
}

bool Worker::enter_fast_path(Session& s, const dataplane::SessionRecord* adopted) {
  const auto ifindex = static_cast<std::uint32_t>(socket_.ifindex());
  const auto addresses = fast_path_addresses(s);
  auto seen = std::make_unique<Session::FastSeen>();
  seen->entered = addresses;
  // Adopted from a worker that died: its entries are still in the kernel (the master keeps the
  // sessions it hands to a replacement), and what the kernel counted after the dead worker's
  // last fold is counted on from there, not lost.
  bool continued = false;
  if (adopted != nullptr) {
    auto up = fast_path_->counters(ifindex, s.id_);
    auto down = fast_path_->down_counters(ifindex, s.id_);
    continued = up && down && up->packets >= adopted->fast_up_packets && up->octets >= adopted->fast_up_octets &&
                down->packets >= adopted->fast_down_packets && down->octets >= adopted->fast_down_octets &&
                fast_path_->update_session(ifindex, s.id_, fast_path_session(s, addresses));
    if (continued) {
      seen->up.packets = adopted->fast_up_packets;
      seen->up.octets = adopted->fast_up_octets;
      seen->down.packets = adopted->fast_down_packets;
      seen->down.octets = adopted->fast_down_octets;
    }
  }
  // Downstream first: an upstream packet forwarded before would be answered through the
  // userland path, which is right too, only slower.
  if ((continued || fast_path_->reset_down_counters(ifindex, s.id_)) && fast_path_->set_routes(addresses, fast_path_down(s)) &&
      (continued || fast_path_->set_session(ifindex, s.id_, fast_path_session(s, addresses)))) {
    if (!continued) shared_.table.update(s.id_, dataplane::clear_fast_counts);  // the kernel counts from zero
    s.fast_ = std::move(seen);
    return true;
  }
  // Whatever got in goes out again (an adopted session's kernel entries too, its counts folded).
  s.fast_ = std::move(seen);
  leave_fast_path(s);
  log::warn_limited(policy_log_, "session {}: the fast path's map refused it; its traffic takes the userland path", s.id_);
  return false;
}

void Worker::refresh_fast_path(Session& s) {
  if (!s.fast_) return;
  const auto addresses = fast_path_addresses(s);
  auto& entered = s.fast_->entered;
  if (addresses == entered) return;
  // IPv6CP opened or closed, a prefix was delegated or returned: sources first (a packet from
  // a prefix that is gone must go to the worker, which drops it), then the destinations.
  const auto ifindex = static_cast<std::uint32_t>(socket_.ifindex());
  const bool sources = fast_path_->update_session(ifindex, s.id_, fast_path_session(s, addresses));
  fast_path_->remove_routes(entered.without(addresses), ifindex, s.id_);
  if (!sources || !fast_path_->set_routes(addresses, fast_path_down(s))) {
    log::warn_limited(policy_log_, "session {}: the fast path's map refused its new addresses; its traffic takes the userland path",
                      s.id_);
    leave_fast_path(s);
    s.fast_state_ = dataplane::FastPathState::kMapFull;
    shared_.table.update(s.id_, [](dataplane::SessionRecord& r) { r.fast_path = dataplane::FastPathState::kMapFull; });
    return;
  }
  entered = addresses;
}

void Worker::fold_fast_path(Session& s) {
  if (!s.fast_) return;
  const auto ifindex = static_cast<std::uint32_t>(socket_.ifindex());
  auto up = fast_path_->counters(ifindex, s.id_);
  auto down = fast_path_->down_counters(ifindex, s.id_);
  fold_fast_counters(s, up ? &*up : nullptr, down ? &*down : nullptr);
}

void Worker::fold_fast_counters(Session& s, const dataplane::FastPathCounters* up,
                                const dataplane::FastPathDownCounters* down) {
  auto& seen = *s.fast_;
  std::uint64_t last_ns = 0;
  bool up_new = false, down_new = false;
  // The kernel counts from zero when the session is set; a count below what was seen means
  // another set happened (never from this worker), and only what is new is added.
  if (up != nullptr && up->packets >= seen.up.packets && up->octets >= seen.up.octets) {
    const std::uint64_t packets = up->packets - seen.up.packets, octets = up->octets - seen.up.octets;
    up_new = packets != 0;
    s.rx_packets_ += packets;
    s.rx_bytes_ += octets;
    add(slot_stats_.packets_in, packets);
    add(slot_stats_.bytes_in, octets);
    if (up->last_ns > seen.up.last_ns) {
      last_ns = up->last_ns;
      // Keep-alive echoes are not needed while the peer talks (as for frames the worker reads).
      s.link_->note_peer_activity(TimePoint(std::chrono::nanoseconds(up->last_ns)));
    }
    seen.up = *up;
  }
  if (down != nullptr && down->packets >= seen.down.packets && down->octets >= seen.down.octets) {
    const std::uint64_t packets = down->packets - seen.down.packets, octets = down->octets - seen.down.octets;
    down_new = packets != 0;
    add(shared_.downstream[s.id_].packets, packets);
    add(shared_.downstream[s.id_].bytes, octets);
    add(slot_stats_.packets_out, packets);
    add(slot_stats_.bytes_out, octets);
    if (down->last_ns > seen.down.last_ns) last_ns = std::max(last_ns, down->last_ns);
    seen.down = *down;
  }
  // What is folded, beside what it went into: a replacement (or the master) adds only what the
  // kernel counted after this. (Between the downstream add above and this update a crash would
  // count that part twice; the window is a few instructions, the alternative order loses it.)
  if (up_new || down_new)
    shared_.table.update(s.id_, [&](dataplane::SessionRecord& r) {
      r.rx_packets = s.rx_packets_;
      r.rx_bytes = s.rx_bytes_;
      r.fast_up_packets = seen.up.packets;
      r.fast_up_octets = seen.up.octets;
      r.fast_down_packets = seen.down.packets;
      r.fast_down_octets = seen.down.octets;
    });
  // bpf_ktime_get_ns() is CLOCK_MONOTONIC, the steady clock's: the idle timeout counts both ways.
  if (last_ns != 0) {
    const TimePoint last{std::chrono::nanoseconds(last_ns)};
    if (last > s.last_data_) s.last_data_ = last;
    if (!s.dead_) mark_dirty(s);
  }
}

void Worker::leave_fast_path(Session& s) {
  if (!s.fast_) return;
  // Forwarding stops first; then the final counts (nothing the kernel counted is lost).
  const auto ifindex = static_cast<std::uint32_t>(socket_.ifindex());
  auto up = fast_path_->remove_session(ifindex, s.id_);
  fast_path_->remove_routes(s.fast_->entered, ifindex, s.id_);
  auto down = fast_path_->remove_down_counters(ifindex, s.id_);
  fold_fast_counters(s, up ? &*up : nullptr, down ? &*down : nullptr);
  s.fast_.reset();
  shared_.table.update(s.id_, dataplane::clear_fast_counts);  // nothing left in the kernel to add
}

void Worker::fold_fast_paths(TimePoint now) {
  if (fast_path_ == nullptr || now < next_fast_fold_) return;
  next_fast_fold_ = now + kFastFoldInterval;
  for (auto& s : by_id_)
    if (s && s->fast_ && !s->dead_) fold_fast_path(*s);
}

bool Worker::send_to_lac(std::uint16_t id, const dataplane::SessionRecord& rec, ppp::Protocol protocol, Bytes payload) {
  if (!lns_) return false;
  auto p = static_cast<std::uint16_t>(protocol);
  const std::uint8_t prefix[] = {0xff, 0x03, static_cast<std::uint8_t>(p >> 8), static_cast<std::uint8_t>(p)};
  return lns_->send(LnsRoute::of(rec), shared_.downstream[id].l2tp_ns, Bytes(prefix), payload);
}

void Worker::lns_call(std::uint8_t endpoint, std::uint16_t tunnel, std::uint16_t session) {
  Message m;
  m.type = MessageType::kLnsCall;
  m.l2tp_endpoint = endpoint;
  m.l2tp_tunnel = tunnel;
  m.l2tp_session = session;
  tell_master(m);
}

void Worker::lns_start(const Message& m, TimePoint now) {
  auto call = lns_ ? lns_->attach(m.l2tp_endpoint, m.l2tp_tunnel, m.l2tp_session, m.session_id, now) : std::nullopt;
  if (m.session_id == 0) return;  // refused: attach() sent the CDN
  if (!call || by_id_[m.session_id] != nullptr) {
    // The LAC cleared the call while the master chose the ID: give the ID back.
    shared_.table.clear(m.session_id);
    Message ended;
    ended.type = MessageType::kSessionEnded;
    ended.session_id = m.session_id;
    ended.reason = static_cast<std::uint8_t>(EndReason::kTunnelDown);
    tell_master(ended);
    return;
  }
  auto owned = std::make_unique<Session>(*this, m, now, &*call);
  Session& s = *owned;
  by_id_[m.session_id] = std::move(owned);
  ++live_;
  ++counters_.sessions_started;
  slot_stats_.sessions.store(live_, std::memory_order_relaxed);
  shared_.table.update(s.id_, [&](dataplane::SessionRecord& r) {
    r.l2tp_peer_session = call->route.peer_session;
    r.l2tp_peer_tunnel = call->route.peer_tunnel;
    r.l2tp_peer_address = call->route.peer.address.value;
    r.l2tp_peer_port = call->route.peer.port;
    r.l2tp_sequenced = call->route.sequenced;
    // A LAC that names the subscriber's MAC as Calling Number (ours does without a circuit ID):
    // shown in `show sessions` like a PPPoE session's.
    if (auto mac = MacAddress::parse(call->info.calling_number)) r.client_mac = *mac;
  });
  // RFC 2867: where the call came from, for accounting (the LAC is the tunnel's client).
  radius::TunnelAccounting a;
  a.client_endpoint = call->route.peer.address.to_string();
  a.server_endpoint = call->local.address.is_zero() ? config_.local_ip.to_string() : call->local.address.to_string();
  a.connection = std::to_string(call->info.serial);
  a.client_auth_id = call->lac_host_name;
  a.server_auth_id = call->our_host_name;
  s.tunnel_accounting_ = std::make_unique<radius::TunnelAccounting>(std::move(a));
  log::info("session {} from L2TP tunnel {} session {} (LAC '{}', calling {}) on worker {}", s.id_, call->tunnel,
            call->session, call->lac_host_name, call->info.calling_number, slot_);
  // RFC 2661 section 18: continue from the LAC's LCP and authentication when they agree with
  // ours, else negotiate LCP with the subscriber again.
  std::string why = "l2tp-proxy-lcp renegotiate";
  if (config_.l2tp.proxy_lcp == master::ProxyLcpPolicy::kAccept) {
    auto proxied = l2tp::read_proxy(call->info, config_.auth);
    if (proxied) {
      lns_->count(l2tp::LnsCounter::kProxyAccepted);
      s.link_->start_proxied(*proxied, now);
      touch(s);
      return;
    }
    why = proxied.error();
  }
  lns_->count(l2tp::LnsCounter::kProxyRenegotiated);
  log::info("session {}: LCP renegotiated with the subscriber: {}", s.id_, why);
  s.link_->start(now);
  touch(s);
}

void Worker::lns_call_down(std::uint16_t id, const std::string& why, TimePoint now) {
  Session* s = by_id_[id].get();
  if (s == nullptr || s->dead_ || !s->lns_) return;
  log::info("session {}: the LAC cleared the L2TP call: {}", id, why);
  s->now_ = now;
  s->link_->lower_down(EndReason::kTunnelDown, now);
  reap();
}

void Worker::lns_frame(std::uint16_t id, Bytes ppp, TimePoint now) {
  Session* s = by_id_[id].get();
  if (s == nullptr || s->dead_ || !s->lns_) return;
  // RFC 1662 section 3.1: FF 03 unless the LAC agreed Address-and-Control-Field-Compression.
  if (ppp.size() >= 2 && ppp[0] == 0xff && ppp[1] == 0x03) ppp = ppp.subspan(2);
  s->now_ = now;
  receive_ppp(*s, ppp, now);
}

void Worker::lns_sequenced(std::uint16_t id) {
  Session* s = by_id_[id].get();
  if (s == nullptr || s->dead_ || !s->lns_ || s->lns_->route.sequenced) return;
  s->lns_->route.sequenced = true;
  shared_.table.update(id, [](dataplane::SessionRecord& r) { r.l2tp_sequenced = true; });
}

void Worker::publish(Session& s) {
  const auto& l = *s.link_;
  shared_.table.update(s.id_, [&](dataplane::SessionRecord& r) {
    r.rx_packets = s.rx_packets_;
    r.rx_bytes = s.rx_bytes_;
    r.phase = static_cast<std::uint8_t>(l.phase());
    r.lcp = static_cast<std::uint8_t>(l.lcp_state());
    r.ipcp = static_cast<std::uint8_t>(l.ipcp_state());
    r.ipv6cp = static_cast<std::uint8_t>(l.ipv6cp_state());
    copy_text(r.user, sizeof r.user, l.user());
    r.peer_magic = l.lcp().peer_magic();
    r.echo_misses = static_cast<std::uint32_t>(l.echo_misses());
    r.last_activity_unix_ms = unix_ms() - std::chrono::duration_cast<milliseconds>(Clock::now() - s.last_data_).count();
    // The adoption block: what a replacement needs if this process dies now.
    r.adoptable = s.up_ && !s.lns_ && !s.lac_pending_ && !s.tunnelled_ && l.phase() == session::Phase::kNetwork &&
                  l.ipcp_state() == ppp::State::kOpened;
    if (!r.adoptable) return;
    const session::LinkSnapshot snap = l.snapshot();
    r.auth_method = static_cast<std::uint8_t>(snap.auth);
    r.lcp_next_id = snap.lcp_next_id;
    r.ipcp_next_id = snap.ipcp_next_id;
    r.ipv6cp_next_id = snap.ipv6cp_next_id;
    r.ipv6_opened = snap.ipv6_opened;
    r.ipv6_local_id = snap.ipv6_local_id;
    r.lcp_peer_mru = snap.peer_mru;
    r.max_payload = s.max_payload_;
    r.local_magic = snap.local_magic;
    r.local_ipv4 = snap.local.value;
    r.interim_interval = s.interim_interval_;
    r.timeout_base_unix_ms = unix_ms() - std::chrono::duration_cast<milliseconds>(Clock::now() - s.timeout_base_).count();
    if (s.radius_identity_) {
      copy_text(r.circuit_id, sizeof r.circuit_id, s.radius_identity_->circuit_id);
      copy_text(r.remote_id, sizeof r.remote_id, s.radius_identity_->remote_id);
    }
  });
}

void Worker::flush_upstream() {
  if (routed_ != nullptr) drops_.count(Drop::kTunWriteFailed, routed_->flush());
  if (lac_) lac_->flush();
  if (lns_) lns_->flush();  // downstream data messages to LACs, batched like the PPPoE socket's
}

l2tp::CallInfo Worker::call_info(const Session& s, const session::AuthRequest& request) {
  l2tp::CallInfo c;
  // Call Serial Number (RFC 2661 section 4.4.5): unique within this LAC while it runs, and
  // Acct-Tunnel-Connection in accounting (RFC 2867 section 4.1).
  c.serial = std::uint32_t{slot_} << 24 | (++call_serial_ & 0xffffff);
  // Calling Number: the line (Agent-Circuit-Id when the access node gave one), else the MAC.
  c.calling_number = s.radius_identity_ && !s.radius_identity_->circuit_id.empty() ? s.radius_identity_->circuit_id
                                                                                   : s.mac_.to_string();
  c.called_number = config_.interface;
  if (s.radius_identity_) {
    c.circuit_id = s.radius_identity_->circuit_id;
    c.remote_id = s.radius_identity_->remote_id;
  }
  // The subscriber line's rate is not known here (TR-101 rate sub-options are not decoded yet):
  // the Ethernet side's nominal 1 Gbit/s.
  c.tx_connect_speed = 1'000'000'000;
  c.rx_connect_speed = 1'000'000'000;
  if (const auto* p = s.link_->proxy_lcp()) {
    c.initial_received_confreq = p->initial_received;
    c.last_sent_confreq = p->last_sent;
    c.last_received_confreq = p->last_received;
  }
  // Proxy Authentication (RFC 2661 section 4.4.5): PAP and CHAP-MD5 can be checked by the LNS;
  // MS-CHAPv2 has no proxy type in RFC 2661, so the LNS authenticates again.
  switch (request.method) {
    case ppp::AuthMethod::kPap:
      c.proxy_auth_type = 3;
      c.proxy_auth_name = request.user;
      c.proxy_auth_response.assign(request.password.begin(), request.password.end());
      c.proxy_auth_id = request.chap_id;
      break;
    case ppp::AuthMethod::kChapMd5:
      c.proxy_auth_type = 2;
      c.proxy_auth_name = request.user;
      c.proxy_auth_challenge.assign(request.challenge.begin(), request.challenge.end());
      c.proxy_auth_id = request.chap_id;
      c.proxy_auth_response = request.response;
      break;
    default: break;
  }
  return c;
}

void Worker::call_up(std::uint16_t id) {
  Session* s = by_id_[id].get();
  if (s == nullptr || s->dead_) return;
  s->lac_pending_ = false;
  s->tunnelled_ = true;
  s->link_->hand_off();
  ++counters_.sessions_up;
  // Up, as far as this end's timers go: Session-Timeout, Idle-Timeout, interim accounting.
  TimePoint now = Clock::now();
  s->up_ = true;
  s->up_since_ = now;
  s->timeout_base_ = now;
  s->last_data_ = now;
  s->up_unix_ = std::time(nullptr);
  if (auto a = lac_->tunnel_accounting(id)) s->tunnel_accounting_ = std::make_unique<radius::TunnelAccounting>(*a);
  auto ids = lac_->call_ids(id);
  shared_.table.update(id, [&](dataplane::SessionRecord& r) {
    r.state = dataplane::SessionState::kUp;
    if (ids) {
      r.l2tp_tunnel = (*ids)[0];
      r.l2tp_session = (*ids)[1];
      r.l2tp_peer_session = (*ids)[2];
    }
    copy_text(r.user, sizeof r.user, s->link_->user());
    copy_text(r.auth, sizeof r.auth, ppp::to_string(s->link_->lcp().auth_method()));
    r.up_unix_ms = unix_ms();
  });
  Message m;
  m.type = MessageType::kSessionUp;
  m.session_id = id;
  m.ipv4 = 0;  // the LNS assigns the address
  tell_master(m);
  publish(*s);
  log::info("session {} switched to L2TP on worker {}: user '{}' mac {}", id, slot_, s->link_->user(), s->mac_.to_string());
  if (aaa_.accounting()) {
    s->acct_started_ = true;
    account(*s, radius::AcctStatus::kStart, EndReason::kNone, now);
    if (s->interim_interval_ != 0) s->next_interim_ = now + seconds(s->interim_interval_);
  }
  touch(*s);
}

void Worker::call_down(std::uint16_t id, const std::string& why) {
  Session* s = by_id_[id].get();
  if (s == nullptr || s->dead_) return;
  log::info("session {}: L2TP call ended: {}", id, why);
  bool was_up = s->tunnelled_;
  s->lac_pending_ = false;
  s->tunnelled_ = false;
  // Before the hand-off our LCP is still the subscriber's peer: terminate it properly.
  if (was_up)
    s->link_->lower_down(EndReason::kTunnelDown, s->now_);
  else
    s->link_->close(EndReason::kTunnelDown, s->now_);
  touch(*s);
}

void Worker::call_frame(std::uint16_t id, Bytes ppp) {
  Session* s = by_id_[id].get();
  if (s == nullptr || s->dead_ || !s->tunnelled_) return;
  // RFC 2516 section 7: no address and control field on PPPoE.
  if (ppp.size() >= 2 && ppp[0] == 0xff && ppp[1] == 0x03) ppp = ppp.subspan(2);
  // The subscriber's MRU bounds what we send (plus the protocol field); the LNS knows it from
  // the proxy LCP.
  if (ppp.size() < 2 || ppp.size() > std::size_t{s->link_->lcp().peer_mru()} + 2) {
    drops_.count(ppp.size() < 2 ? Drop::kDownstreamMalformed : Drop::kDownstreamTooBig);
    return;
  }
  MutableBytes buf = socket_.tx_buffer();
  ByteWriter w(buf);
  write_session_header(w, config_.ether_types().session, s->mac_, socket_.mac(), s->vlans_, id, ppp.size());
  w.bytes(ppp);
  if (w.overflow()) {
    drops_.count(Drop::kDownstreamTooBig);
    return;
  }
  socket_.commit(w.size());
  s->last_data_ = s->now_;
  add(shared_.downstream[id].packets, 1);
  add(shared_.downstream[id].bytes, ppp.size());
  add(slot_stats_.packets_out, 1);
  add(slot_stats_.bytes_out, ppp.size());
  mark_dirty(*s);
}

void Worker::touch(Session& s) {
  if (!s.touched_) {
    s.touched_ = true;
    touched_.push_back(s.id_);
  }
  mark_dirty(s);
}

void Worker::mark_dirty(Session& s) {
  if (!s.dirty_) {
    s.dirty_ = true;
    dirty_.push_back(s.id_);
  }
}

std::optional<TimePoint> Worker::next_due(const Session& s) const {
  std::optional<TimePoint> due = s.link_->next_deadline();
  auto earliest = [&due](TimePoint t) {
    if (!due || t < *due) due = t;
  };
  if (s.up_) {
    if (s.session_timeout_ != 0) earliest(s.timeout_base_ + seconds(s.session_timeout_));
    // Data moves last_data_ on without rescheduling: the timer may fire early, finds the
    // session busy, and is set again from the new last_data_.
    if (s.idle_timeout_ != 0) earliest(s.last_data_ + seconds(s.idle_timeout_));
    if (s.acct_started_ && s.interim_interval_ != 0) earliest(s.next_interim_);
  }
  if (auto ra = s.ra_.next()) earliest(*ra);
  return due;
}

void Worker::reschedule_touched() {
  for (std::uint16_t id : touched_) {
    Session* s = by_id_[id].get();
    if (s == nullptr) continue;
    s->touched_ = false;
    if (s->dead_) continue;
    auto due = next_due(*s);
    if (!due) continue;
    TimerWheel::Tick tick = std::max(wheel_.tick_of(*due), wheel_.next_tick());
    // An earlier entry still in the wheel serves: firing early is harmless (the timers are
    // checked and the session rescheduled), firing late is not.
    if (s->due_tick_ != TimerWheel::kNever && s->due_tick_ >= wheel_.next_tick() && s->due_tick_ <= tick) continue;
    s->due_tick_ = tick;
    wheel_.schedule(id, tick);
  }
  touched_.clear();
}

void Worker::run_timers(Session& s, TimePoint now) {
  s.now_ = now;
  s.link_->tick(now);
  if (s.dead_) return;
  if (s.up_) {
    // The kernel may have carried traffic since the last fold: read it before calling it idle.
    if (s.fast_ && s.idle_timeout_ != 0 && now - s.last_data_ >= seconds(s.idle_timeout_)) fold_fast_path(s);
    if (s.session_timeout_ != 0 && now - s.timeout_base_ >= seconds(s.session_timeout_))
      s.link_->close(EndReason::kSessionTimeout, now);
    else if (s.idle_timeout_ != 0 && now - s.last_data_ >= seconds(s.idle_timeout_))
      s.link_->close(EndReason::kIdleTimeout, now);
    else if (s.acct_started_ && s.interim_interval_ != 0 && now >= s.next_interim_) {
      s.next_interim_ = now + seconds(s.interim_interval_);
      account(s, radius::AcctStatus::kInterimUpdate, EndReason::kNone, now);
    }
  }
  if (!s.dead_ && s.ra_.due(now)) send_router_advertisement(s, now);
  if (!s.dead_) touch(s);
}

bool Worker::serve_dhcpv6(Session& s, Bytes packet, TimePoint now) {
  // Ours: to port 547 at the servers' multicast address or our link-local address. Most UDP
  // upstream is the subscriber's own traffic: look at port and address (the IPv6 header is
  // decoded already) before parse_udp6 checksums the whole datagram.
  if (packet.size() < 48 || ((packet[42] << 8) | packet[43]) != dhcpv6::kServerPort) return false;
  Ipv6Bytes dst{};
  std::copy_n(packet.begin() + 24, dst.size(), dst.begin());
  if (dst != dhcpv6::kAllServers && dst != ip::link_local(s.link_->ipv6cp().local_id())) return false;
  auto udp = ip::parse_udp6(packet);
  if (!udp) return false;
  if (!udp->checksum_ok) {
    drops_.count(Drop::kDhcpv6Malformed);
    return true;
  }
  if (!s.dhcp_budget_.take(config_.ipv6_service.dhcpv6_rate, now)) {
    drops_.count(Drop::kDhcpv6RateLimited);
    return true;
  }
  auto request = dhcpv6::decode(udp->payload);
  if (!request) {
    drops_.count(Drop::kDhcpv6Malformed);
    log::warn_limited(ipv6_log_, "session {}: DHCPv6 message dropped: {}", s.id_, dhcpv6::to_string(request.error()));
    return true;
  }
  std::array<std::uint8_t, 1024> answer{};
  const Ipv6Prefix delegated_before = s.dhcp_.delegated;
  auto r = dhcp_->handle(*request, s.ipv6_prefix_, s.ipv6_id_, s.dhcp_, s, answer, s.own_dns());
  if (r.outcome == Dhcpv6Server::Outcome::kDiscard) {
    drops_.count(Drop::kDhcpv6Discarded);
    return true;
  }
  if (r.binding_changed) {
    const auto& b = s.dhcp_;
    shared_.table.update(s.id_, [&](dataplane::SessionRecord& rec) {
      rec.delegated_prefix = b.delegated.upper;
      rec.delegated_prefix_len = b.delegated.length;
      rec.pd_iaid = b.pd_iaid;
      rec.na_iaid = b.na_iaid;
      rec.na_bound = b.na_bound;
      rec.duid_len = b.duid_len;
      std::copy_n(b.duid.begin(), sizeof rec.duid, rec.duid);
      rec.dhcpv6_bound_unix_ms = unix_ms();
    });
    refresh_fast_path(s);  // a delegated prefix (or its release) reaches the kernel's maps
  }
  // RFC 8415 section 7.2: from port 547 to the client's source address and port 546.
  std::array<std::uint8_t, 1100> pkt{};
  std::size_t n = ip::build_udp6(pkt, ip::link_local(s.link_->ipv6cp().local_id()), udp->src, dhcpv6::kServerPort,
                                 dhcpv6::kClientPort, Bytes(answer.data(), r.size), 255);
  if (n > 0) s.send_ppp(ppp::Protocol::kIpv6, Bytes(pkt.data(), n));
  if (!s.dhcp_.delegated.empty() && s.dhcp_.delegated != delegated_before) account_new_prefix(s, now);
  touch(s);
  return true;
}

void Worker::send_router_advertisement(Session& s, TimePoint now) {
  std::array<std::uint8_t, 512> ra{};
  std::uint16_t our_mru = s.max_payload_ > 1492 ? s.max_payload_ : config_.mru;
  std::size_t n =
      ra_->build(ra, s.link_->ipv6cp().local_id(), s.ipv6_prefix_, std::min(our_mru, s.link_->lcp().peer_mru()), s.own_dns());
  s.ra_.sent(now, ra_->max_interval(), seed_ = seed_ * 1664525u + 1013904223u);
  if (n > 0) s.send_ppp(ppp::Protocol::kIpv6, Bytes(ra.data(), n));
}

void Worker::tick(TimePoint now) {
  if (!early_.empty() && now >= next_publish_) {
    // Early frames wait at most a second: by then the start message has come or never will.
    for (auto it = early_.begin(); it != early_.end();) {
      auto rec = shared_.table.read(it->first);
      if (!rec || rec->state != dataplane::SessionState::kNegotiating || rec->worker != slot_)
        it = early_.erase(it);
      else
        ++it;
    }
  }
  fold_fast_paths(now);
  // Timers of the sessions that are due, from the wheel: the cost of a tick follows the timers
  // due, not the number of sessions (64,000 sessions with keep-alive every 10 s: ~640 a tick).
  reschedule_touched();
  wheel_.advance(now, [&](std::uint16_t id, TimerWheel::Tick due) {
    Session* s = by_id_[id].get();
    if (s == nullptr || s->dead_ || s->due_tick_ != due) return;  // gone, or rescheduled since
    s->due_tick_ = TimerWheel::kNever;
    run_timers(*s, now);
  });
  if (now >= next_publish_) {
    next_publish_ = now + seconds(1);
    std::size_t tunnels = 0;
    if (lac_) tunnels = lac_->publish(shared_.tunnels, slot_, tunnels, now);
    if (lns_) tunnels = lns_->publish(shared_.tunnels, slot_, tunnels, now);
    for (std::size_t i = tunnels; i < published_tunnels_; ++i)
      shared_.tunnels.update(slot_, i, [](dataplane::L2tpTunnelRecord& r) { r = {}; });
    published_tunnels_ = tunnels;
    for (std::uint16_t id : dirty_) {
      Session* s = by_id_[id].get();
      if (s == nullptr) continue;
      s->dirty_ = false;
      if (!s->dead_) publish(*s);
    }
    dirty_.clear();
  }
  drops_.count(Drop::kRxQueueFull, socket_.take_kernel_drops());
  if (lac_) lac_->tick(now);
  if (lns_) lns_->tick(now);
  publish_l2tp();
  aaa_.tick(now);
  publish_aaa(now);
  reap();
}

void Worker::publish_l2tp() {
  // Each 100 ms tick and at exit, not after every packet turn: the sums walk every tunnel.
  if (lac_) {
    auto lac = lac_->counters();
    for (std::size_t i = 0; i < lac.size(); ++i) slot_stats_.lac[i].store(lac[i], std::memory_order_relaxed);
  }
  if (lns_) {
    auto lns = lns_->counters();
    for (std::size_t i = 0; i < lns.size(); ++i) slot_stats_.lns[i].store(lns[i], std::memory_order_relaxed);
  }
}

void Worker::publish_aaa(TimePoint now) {
  auto aaa = aaa_.counters();
  for (std::size_t i = 0; i < aaa.size(); ++i) slot_stats_.aaa[i].store(aaa[i], std::memory_order_relaxed);
  slot_stats_.radius_dead_auth.store(aaa_.dead_mask(false, now), std::memory_order_relaxed);
  slot_stats_.radius_dead_acct.store(aaa_.dead_mask(true, now), std::memory_order_relaxed);
  slot_stats_.radius_in_flight_auth.store(static_cast<std::uint32_t>(aaa_.in_flight(false)), std::memory_order_relaxed);
  slot_stats_.radius_in_flight_acct.store(static_cast<std::uint32_t>(aaa_.in_flight(true)), std::memory_order_relaxed);
  publish_radius_servers(aaa_, slot_stats_);
}

void publish_radius_servers(const radius::Aaa& aaa, dataplane::WorkerSlot& slot) {
  static_assert(std::tuple_size_v<decltype(radius::ServerStats::latency)> ==
                std::tuple_size_v<decltype(dataplane::RadiusServerCounters::latency)>);
  auto put = [](std::atomic<std::uint64_t>& a, std::uint64_t v) { a.store(v, std::memory_order_relaxed); };
  for (int kind = 0; kind < 2; ++kind) {
    const radius::Client* c = kind == 0 ? aaa.auth_client() : aaa.acct_client();
    for (std::size_t i = 0; i < dataplane::kPublishedRadiusServers; ++i) {
      auto& out = slot.radius_servers[static_cast<std::size_t>(kind) * dataplane::kPublishedRadiusServers + i];
      radius::ServerStats none;
      const radius::ServerStats& st = c != nullptr && i < c->server_count() ? c->server_stats(i) : none;
      put(out.requests, st.requests);
      put(out.retransmits, st.retransmits);
      put(out.timeouts, st.timeouts);
      put(out.responses, st.responses);
      put(out.latency_sum_us, st.latency_sum_us);
      for (std::size_t b = 0; b < st.latency.size(); ++b) put(out.latency[b], st.latency[b]);
      put(out.outstanding, c != nullptr && i < c->server_count() ? c->server_in_flight(i) : 0);
    }
  }
}

void Worker::publish_counters() {
  auto put = [](std::atomic<std::uint64_t>& a, std::uint64_t v) { a.store(v, std::memory_order_relaxed); };
  for (std::size_t i = 0; i < static_cast<std::size_t>(Drop::kCount); ++i)
    put(slot_stats_.drops[i], drops_.get(static_cast<Drop>(i)));
  put(slot_stats_.sessions_started, counters_.sessions_started);
  put(slot_stats_.sessions_up, counters_.sessions_up);
  put(slot_stats_.sessions_ended, counters_.sessions_ended);
  put(slot_stats_.auth_failures, counters_.auth_failures);
  put(slot_stats_.pool_exhausted, counters_.pool_exhausted);
  put(slot_stats_.padt_sent, counters_.padt_sent);
  put(slot_stats_.mss_clamped, counters_.mss_clamped);
  put(slot_stats_.shaped_packets, counters_.shaped_packets);
  for (std::size_t i = 0; i < counters_.ended_by_reason.size(); ++i)
    put(slot_stats_.ended_by_reason[i], counters_.ended_by_reason[i]);
  for (std::size_t m = 0; m < counters_.auth.size(); ++m)
    for (std::size_t o = 0; o < counters_.auth[m].size(); ++o) put(slot_stats_.auth[m][o], counters_.auth[m][o]);

}

void Worker::shutdown(EndReason reason, TimePoint now) {
  for (auto& p : by_id_) {
    if (p == nullptr || p->dead_) continue;
    p->link_->close(reason, now);
    p->link_->lower_down(reason, now);
  }
  if (lac_) lac_->close_tunnels(now);
  if (lns_) lns_->close_tunnels(now);
  publish_l2tp();
  reap();
}

}  // namespace pppoe::worker
