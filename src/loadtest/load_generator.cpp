#include "loadtest/load_generator.hpp"

#include <signal.h>
#include <poll.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <unordered_map>

#include "common/log.hpp"
#include "dataplane/packet_socket.hpp"
#include "proto/ether.hpp"
#include "proto/ip.hpp"
#include "proto/dhcpv6.hpp"
#include "proto/ndp.hpp"
#include "proto/pppoe.hpp"
#include "loadtest/transfer.hpp"
#include "session/client_session.hpp"

namespace pppoe::loadtest {
namespace {

using pppoe_proto::Code;
using session::EndReason;

// kRetryWait: a setup failed and dials again after --retry seconds (a CPE's hold-off).
enum class Stage : std::uint8_t { kIdle, kPadiSent, kPadrSent, kPpp, kUp, kRetryWait, kFailed, kClosed };

constexpr unsigned kDiscoveryAttempts = 4;  // RFC 2516 section 5: retransmit with back-off
constexpr std::uint16_t kFloodSeq = 1000;    // ICMP sequence numbers of flood pings: 1000-39999
constexpr std::uint16_t kHoldSeq = 40000;    // ... and of hold pings: 40000-65535

struct Client;

/// What the transfer test has heard from the server so far.
struct TransferState {
  bool welcome = false;
  std::vector<std::uint8_t> ack;  ///< per block: 0 none, 1 intact, 2 corrupted
  std::optional<transfer::Message> result;
  std::uint32_t run_id = 0;
};

struct Context {
  const LoadOptions& options;
  dataplane::PacketSocket& socket;
  TimePoint now{};
  std::uint32_t seed = 0;
  TransferState transfer;
  std::uint64_t discovery_retransmits = 0;
  bool setup_over = false;  ///< the setup deadline passed: a failure now is final
  std::map<std::string, unsigned> retried_by_phase;
  /// Round-trip times of hold pings (capped: a few million samples are plenty for p99).
  std::vector<float> hold_rtt_ms;
  static constexpr std::size_t kMaxRttSamples = 4'000'000;
};

struct Client final : session::LinkOutput {
  Client(Context& ctx, std::uint32_t index, MacAddress mac) : ctx_(ctx), index_(index), mac_(mac) {}

  void send_ppp(ppp::Protocol protocol, Bytes payload) override {
    MutableBytes buf = ctx_.socket.tx_buffer();
    ByteWriter w(buf);
    ether::encode({ac_mac_, mac_, ctx_.options.vlans, static_cast<std::uint16_t>(ether::EtherType::kPppoeSession)}, w);
    pppoe_proto::encode_header({1, 1, Code::kSession, session_id_, static_cast<std::uint16_t>(payload.size() + 2)}, w);
    w.u16(static_cast<std::uint16_t>(protocol));
    w.bytes(payload);
    if (!w.overflow()) ctx_.socket.commit(w.size());
  }
  void network_up() override {
    if (stage_ != Stage::kPpp) return;
    stage_ = Stage::kUp;
    if (reconnecting_) {
      ++reconnects_;
      reconnecting_ = false;
      return;  // the first setup time is the one reported
    }
    retrying_ = false;
    setup_ms_ = std::chrono::duration<double, std::milli>(ctx_.now - started_).count();
  }
  void ipv6_up() override {
    ipv6_opened_ = true;  // counted whatever ends the session later (the report's IPv6CP line)
    // As a CPE after IPv6CP (RFC 4861 section 6.3.7): Router Solicitations until an
    // advertisement comes, at most 3, 4 s apart; only when global IPv6 was asked for, so that
    // the other runs send exactly the traffic they count.
    if (ra_prefix_.empty() && (ctx_.options.target6 || wants_dhcpv6())) {
      ipv6_opened_at_ = ctx_.now;
      rs_sent_ = 0;
      send_router_solicitation();
    }
  }
  void send_router_solicitation() {
    std::array<std::uint8_t, 64> rs{};
    std::size_t n = ndp::build_router_solicitation(rs, ip::link_local(link_->ipv6cp().local_id()));
    if (n > 0) send_ppp(ppp::Protocol::kIpv6, Bytes(rs.data(), n));
    ++rs_sent_;
    next_rs_ = ctx_.now + seconds(4);
  }
  /// A Router Advertisement: SLAAC's /64 (the first one), its delay after IPv6CP opened.
  void on_router_advertisement(const ndp::RouterAdvertisement& ra) {
    if (!ra_prefix_.empty() || ra.prefix.empty()) return;
    ra_prefix_ = ra.prefix;
    ra_ms_ = std::chrono::duration<double, std::milli>(ctx_.now - ipv6_opened_at_).count();
    // Then DHCPv6 (RFC 8415 section 18.2.1), as a CPE asks for its LAN prefix.
    if (wants_dhcpv6() && dhcp_stage_ == DhcpStage::kIdle) {
      dhcp_stage_ = DhcpStage::kSoliciting;
      dhcp_sent_ = 0;
      dhcp_transaction_ = (ctx_.seed ^ (index_ * 2654435761u)) & 0xffffff;
      send_dhcpv6();
    }
  }
  [[nodiscard]] bool wants_dhcpv6() const { return ctx_.options.pd || ctx_.options.ia_na; }
  /// Solicit (or Request once a server advertised), again every second, five times at most.
  void send_dhcpv6() {
    dhcpv6::Message m;
    m.type = dhcp_stage_ == DhcpStage::kSoliciting ? dhcpv6::Type::kSolicit : dhcpv6::Type::kRequest;
    m.transaction = dhcp_transaction_;
    m.client_id = dhcpv6::duid_ll(mac_);
    if (m.type == dhcpv6::Type::kRequest) m.server_id = server_id_;
    m.rapid_commit = m.type == dhcpv6::Type::kSolicit && ctx_.options.rapid_commit;
    m.requested_options = {23, 24};  // DNS servers, domain list (RFC 3646)
    if (ctx_.options.pd) m.ia_pd.push_back({1, 0, 0, {}, std::nullopt});
    if (ctx_.options.ia_na) m.ia_na.push_back({2, 0, 0, {}, std::nullopt});
    std::array<std::uint8_t, 512> msg{}, pkt{};
    std::size_t n = dhcpv6::encode(msg, m);
    std::size_t len = ip::build_udp6(pkt, ip::link_local(link_->ipv6cp().local_id()), dhcpv6::kAllServers,
                                     dhcpv6::kClientPort, dhcpv6::kServerPort, Bytes(msg.data(), n), 1);
    if (n > 0 && len > 0) send_ppp(ppp::Protocol::kIpv6, Bytes(pkt.data(), len));
    ++dhcp_sent_;
    next_dhcp_ = ctx_.now + seconds(1);
  }
  void on_dhcpv6(const dhcpv6::Message& m) {
    if (m.transaction != dhcp_transaction_ || m.client_id != dhcpv6::duid_ll(mac_)) return;
    if (m.type == dhcpv6::Type::kAdvertise && dhcp_stage_ == DhcpStage::kSoliciting && !m.server_id.empty()) {
      server_id_ = m.server_id;
      dhcp_stage_ = DhcpStage::kRequesting;
      dhcp_sent_ = 0;
      send_dhcpv6();
      return;
    }
    if (m.type != dhcpv6::Type::kReply || dhcp_stage_ == DhcpStage::kBound) return;
    dhcp_stage_ = DhcpStage::kBound;
    for (const auto& ia : m.ia_pd)
      if (!ia.status && !ia.leases.empty() && ia.leases[0].valid > 0) pd_prefix_ = ia.leases[0].prefix;
    for (const auto& ia : m.ia_na)
      if (!ia.status && !ia.leases.empty() && ia.leases[0].valid > 0) na_address_ = ia.leases[0].address;
    dhcp_ms_ = std::chrono::duration<double, std::milli>(ctx_.now - ipv6_opened_at_).count();
  }
  /// Asked DHCPv6 for what it wanted and got all of it.
  [[nodiscard]] bool dhcpv6_complete() const {
    return dhcp_stage_ == DhcpStage::kBound && (!ctx_.options.pd || !pd_prefix_.empty()) &&
           (!ctx_.options.ia_na || na_address_ != Ipv6Bytes{});
  }
  /// The WAN address SLAAC makes from the advertised /64 and our interface identifier.
  [[nodiscard]] Ipv6Bytes wan_address() const { return ra_prefix_.address(link_->ipv6cp().local_id()); }

  void link_dead(EndReason reason) override {
    if (stage_ == Stage::kUp) {
      stage_ = Stage::kClosed;
      closed_by_server_ = reason != EndReason::kShutdown && reason != EndReason::kAdminReset;
      ++resets_;
      if (ctx_.options.reconnect) {
        restart_pending_ = true;  // not from inside the link's own callback
        retry_at_ = ctx_.now + milliseconds(100);
      }
      return;
    }
    if (stage_ == Stage::kFailed || stage_ == Stage::kClosed || stage_ == Stage::kRetryWait) return;
    if (reason == EndReason::kPeerPadt) padt_owed_ = false;  // the AC ended it: nothing to tear down
    switch (reason) {
      case EndReason::kAuthFailed:
      case EndReason::kAuthTimeout: fail("auth"); return;
      case EndReason::kNcpFailed: fail("ipcp"); return;
      case EndReason::kPeerPadt: fail(link_ && link_->phase() == session::Phase::kNetwork ? "ipcp" : "padt"); return;
      case EndReason::kLcpFailed:
      case EndReason::kEchoTimeout:
      case EndReason::kLoopback:
        fail("lcp");
        return;
      case EndReason::kPeerTerminate:
        // The AC ended negotiation: blame the phase we were in.
        fail(link_ && link_->phase() == session::Phase::kNetwork ? "ipcp"
             : link_ && link_->phase() == session::Phase::kAuthenticate ? "auth" : "lcp");
        return;
      case EndReason::kNone:
      case EndReason::kPoolExhausted:
      case EndReason::kSessionTimeout:
      case EndReason::kIdleTimeout:
      case EndReason::kAdminReset:
      case EndReason::kShutdown:
      case EndReason::kTunnelDown:
        fail("closed");
        return;
    }
  }

  void fail(std::string phase) {
    failed_phase_ = std::move(phase);
    // With --retry, as a CPE does after a refused login or an unanswered discovery: wait, then
    // dial again (with a jitter of up to a quarter, so that refused subscribers do not come
    // back in one burst), until the setup deadline.
    if (ctx_.options.retry > 0 && !ctx_.setup_over) {
      ++ctx_.retried_by_phase[failed_phase_];
      ++retries_;
      stage_ = Stage::kRetryWait;
      double jitter = 1.0 + 0.25 * static_cast<double>((ctx_.seed ^ (index_ * 2654435761u) ^ retries_ * 40503u) % 1000) / 1000.0;
      retry_at_ = ctx_.now + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(ctx_.options.retry * jitter));
      return;
    }
    stage_ = Stage::kFailed;
  }

  void send_discovery(Code code) {
    MutableBytes buf = ctx_.socket.tx_buffer();
    ByteWriter w(buf);
    MacAddress dst = code == Code::kPadi ? MacAddress::broadcast() : ac_mac_;
    ether::encode({dst, mac_, ctx_.options.vlans, static_cast<std::uint16_t>(ether::EtherType::kPppoeDiscovery)}, w);
    pppoe_proto::Tags tags;
    tags.service_name = ctx_.options.service;
    tags.host_uniq = std::vector<std::uint8_t>{static_cast<std::uint8_t>(index_ >> 24), static_cast<std::uint8_t>(index_ >> 16),
                                               static_cast<std::uint8_t>(index_ >> 8), static_cast<std::uint8_t>(index_)};
    if (ctx_.options.max_payload != 0) tags.ppp_max_payload = ctx_.options.max_payload;
    tags.circuit_id = ctx_.options.circuit_id;
    tags.remote_id = ctx_.options.remote_id;
    if (code == Code::kPadr) {
      tags.ac_cookie = cookie_;
      tags.relay_session_id = relay_;
    }
    std::uint16_t sid = code == Code::kPadt ? session_id_ : 0;
    std::size_t n = pppoe_proto::encode_discovery(buf.subspan(w.size()), code, sid, tags);
    if (n > 0) ctx_.socket.commit(w.size() + n);
  }

  void start() {
    if (!reconnecting_ && !retrying_) started_ = ctx_.now;  // setup time counts from the first dial
    stage_ = Stage::kPadiSent;
    attempts_ = 1;
    send_discovery(Code::kPadi);
    retry_at_ = ctx_.now + seconds(1);
  }

  void on_discovery(const ether::Header& eth, const pppoe_proto::Packet& pkt, const pppoe_proto::Tags& tags) {
    switch (pkt.header.code) {
      case Code::kPado:
        if (stage_ != Stage::kPadiSent) return;
        if (tags.service_name_error || tags.ac_system_error || tags.generic_error) return;
        ac_mac_ = eth.src;
        cookie_ = tags.ac_cookie;
        relay_ = tags.relay_session_id;
        stage_ = Stage::kPadrSent;
        attempts_ = 1;
        send_discovery(Code::kPadr);
        retry_at_ = ctx_.now + seconds(1);
        return;
      case Code::kPads: {
        if (stage_ != Stage::kPadrSent || eth.src != ac_mac_) return;
        if (pkt.header.session_id == 0 || tags.service_name_error || tags.ac_system_error || tags.generic_error) {
          fail("discovery");
          return;
        }
        session_id_ = pkt.header.session_id;
        padt_owed_ = true;
        stage_ = Stage::kPpp;
        session::LinkSettings ls;
        ls.lcp.role = ppp::LinkRole::kPeer;
        ls.lcp.auth_methods = ctx_.options.auth;
        ls.echo_interval = seconds(ctx_.options.echo_interval);  // 0: the AC probes us; we answer
        if (tags.ppp_max_payload && *tags.ppp_max_payload > 1492) {
          // RFC 4638 section 4: the AC agreed; negotiate an MRU up to that value.
          ls.lcp.mru = *tags.ppp_max_payload;
          ls.lcp.max_peer_mru = *tags.ppp_max_payload;
        }
        ls.ipv6 = ctx_.options.ipv6;
        std::uint64_t iid = (std::uint64_t{0x0200'0000} << 32) | (std::uint64_t{ctx_.seed & 0xffff} << 32) | index_;
        link_ = std::make_unique<session::ClientSession>(
            *this, ls, session::Credentials{ctx_.options.user, ctx_.options.password}, iid,
            ctx_.seed ^ (index_ * 2654435761u));
        link_->start(ctx_.now);
        return;
      }
      case Code::kPadt:
        if (pkt.header.session_id != session_id_ || eth.src != ac_mac_) return;
        padt_owed_ = false;
        if (link_) link_->lower_down(EndReason::kPeerPadt, ctx_.now);
        return;
      case Code::kPadi:
      case Code::kPadr:
      case Code::kSession:
        return;
    }
  }

  void tick() {
    if (stage_ == Stage::kRetryWait) {
      if (ctx_.now < retry_at_) return;
      // RFC 2516 section 5.5: end our half of a session the AC did not end itself (a login
      // that timed out on our side while the AC still waits for RADIUS).
      if (session_id_ != 0 && padt_owed_) send_discovery(Code::kPadt);
      padt_owed_ = false;
      link_.reset();
      session_id_ = 0;
      retrying_ = true;
      start();
      return;
    }
    if (restart_pending_ && ctx_.now >= retry_at_) {
      restart_pending_ = false;
      link_.reset();
      session_id_ = 0;
      reconnecting_ = true;
      start();
      return;
    }
    if (stage_ == Stage::kPadiSent || stage_ == Stage::kPadrSent) {
      if (ctx_.now < retry_at_) return;
      if (attempts_ >= kDiscoveryAttempts) {
        fail("discovery");
        return;
      }
      ++attempts_;
      ++ctx_.discovery_retransmits;
      send_discovery(stage_ == Stage::kPadiSent ? Code::kPadi : Code::kPadr);
      retry_at_ = ctx_.now + seconds(1) * (1 << (attempts_ - 1));
      return;
    }
    if (link_ && (stage_ == Stage::kPpp || stage_ == Stage::kUp)) link_->tick(ctx_.now);
    if (link_ && ra_prefix_.empty() && rs_sent_ > 0 && rs_sent_ < 3 && ctx_.now >= next_rs_ &&
        link_->ipv6cp_state() == ppp::State::kOpened)
      send_router_solicitation();
    if (link_ && (dhcp_stage_ == DhcpStage::kSoliciting || dhcp_stage_ == DhcpStage::kRequesting) && dhcp_sent_ < 5 &&
        ctx_.now >= next_dhcp_)
      send_dhcpv6();
  }

  Context& ctx_;
  std::uint32_t index_;
  MacAddress mac_;
  MacAddress ac_mac_;
  Stage stage_ = Stage::kIdle;
  std::uint16_t session_id_ = 0;
  std::optional<std::vector<std::uint8_t>> cookie_, relay_;
  unsigned attempts_ = 0;
  TimePoint retry_at_{};
  TimePoint started_{};
  double setup_ms_ = 0;
  std::string failed_phase_;
  bool closed_by_server_ = false;
  std::uint64_t pings_sent_ = 0, pings_ok_ = 0, pings_bad_ = 0;
  std::uint64_t hold_sent_ = 0, hold_ok_ = 0, flood_sent_ = 0, flood_ok_ = 0;
  unsigned resets_ = 0, reconnects_ = 0, retries_ = 0;
  TimePoint last_hold_reply_{};
  /// The last hold pings' send times by sequence number, for their round-trip time (a reply
  /// more than 8 pings late finds its slot reused and is not timed).
  struct SentPing {
    std::uint16_t seq = 0;
    TimePoint at{};
  };
  std::array<SentPing, 8> hold_sent_at_{};
  double largest_gap_ms_ = 0;
  bool flapped_ = false, reauthenticated_ = false;
  bool restart_pending_ = false, reconnecting_ = false, retrying_ = false;
  bool padt_owed_ = false;  ///< we hold a session ID the AC has not ended with a PADT
  std::uint16_t next_seq_ = 0;
  std::uint64_t pings6_sent_ = 0, pings6_ok_ = 0, pings6_bad_ = 0;
  Ipv6Prefix ra_prefix_;          ///< the /64 of the first Router Advertisement (empty: none yet)
  double ra_ms_ = 0;              ///< from IPv6CP opened to that advertisement
  TimePoint ipv6_opened_at_{}, next_rs_{};
  bool ipv6_opened_ = false;  ///< IPv6CP reached Opened at least once
  unsigned rs_sent_ = 0;
  enum class DhcpStage : std::uint8_t { kIdle, kSoliciting, kRequesting, kBound } dhcp_stage_ = DhcpStage::kIdle;
  std::uint32_t dhcp_transaction_ = 0;
  unsigned dhcp_sent_ = 0;
  TimePoint next_dhcp_{};
  std::vector<std::uint8_t> server_id_;
  Ipv6Prefix pd_prefix_;   ///< the delegated prefix (empty: none)
  Ipv6Bytes na_address_{}; ///< the IA_NA address (zero: none)
  double dhcp_ms_ = 0;     ///< from IPv6CP opened to the Reply
  std::unique_ptr<session::ClientSession> link_;
};

volatile sig_atomic_t g_interrupted = 0;
void on_signal(int) { g_interrupted = 1; }

}  // namespace

std::optional<ether::VlanStack> parse_vlans(std::string_view text) {
  ether::VlanStack stack;
  auto parse_id = [](std::string_view s) -> std::optional<std::uint16_t> {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v < 1 || v > 4094) return std::nullopt;
    return static_cast<std::uint16_t>(v);
  };
  auto dot = text.find('.');
  if (dot == std::string_view::npos) {
    auto id = parse_id(text);
    if (!id) return std::nullopt;
    stack.tags[0] = {static_cast<std::uint16_t>(ether::EtherType::kVlan), *id};
    stack.count = 1;
    return stack;
  }
  auto outer = parse_id(text.substr(0, dot));
  auto inner = parse_id(text.substr(dot + 1));
  if (!outer || !inner) return std::nullopt;
  stack.tags[0] = {static_cast<std::uint16_t>(ether::EtherType::kQinQ), *outer};
  stack.tags[1] = {static_cast<std::uint16_t>(ether::EtherType::kVlan), *inner};
  stack.count = 2;
  return stack;
}

std::expected<LoadReport, std::string> run_load(const LoadOptions& o) {
  dataplane::PacketSocketOptions so;
  so.promiscuous = true;
  auto socket = dataplane::PacketSocket::open(o.interface, so);
  if (!socket) return std::unexpected(socket.error());
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  Context ctx{o, *socket, {}, 0, {}, 0, false, {}, {}};
  while (::getrandom(&ctx.seed, sizeof ctx.seed, 0) != sizeof ctx.seed) {
  }
  std::vector<std::unique_ptr<Client>> clients;
  std::unordered_map<std::uint64_t, Client*> by_mac;
  for (std::uint32_t i = 0; i < o.sessions; ++i) {
    // 16 random bits per run (8 were one collision in 256 between two runs on one link), then
    // the client's index in 24 bits.
    auto mac = MacAddress::local_admin(ctx.seed & 0xff, (ctx.seed >> 8 & 0xff) << 24 | (i + 1));
    clients.push_back(std::make_unique<Client>(ctx, i + 1, mac));
    by_mac[mac.as_u64()] = clients.back().get();
  }

  auto pump = [&](int timeout_ms) {
    pollfd p{socket->fd(), POLLIN, 0};
    ::poll(&p, 1, timeout_ms);
    ctx.now = Clock::now();
    for (int round = 0; round < 64; ++round) {
      std::size_t n = socket->receive_batch([&](Bytes frame) {
        auto f = ether::decode(frame);
        if (!f) return;
        auto it = by_mac.find(f->header.dst.as_u64());
        if (it == by_mac.end() || !(f->header.vlans == o.vlans)) return;
        Client& c = *it->second;
        auto pkt = pppoe_proto::decode(f->payload);
        if (!pkt) return;
        if (f->header.ether_type == static_cast<std::uint16_t>(ether::EtherType::kPppoeDiscovery)) {
          auto tags = pppoe_proto::decode_tags(pkt->payload);
          if (tags) c.on_discovery(f->header, *pkt, *tags);
          return;
        }
        if (f->header.ether_type != static_cast<std::uint16_t>(ether::EtherType::kPppoeSession)) return;
        if (!c.link_ || pkt->header.session_id != c.session_id_) return;
        ByteReader r(pkt->payload);
        auto proto = r.u16();
        if (!proto) return;
        if (*proto == static_cast<std::uint16_t>(ppp::Protocol::kIpv4)) {
          if (o.transfer.enabled) {
            if (auto udp = ip::parse_udp(r.rest());
                udp && udp->checksum_ok && udp->src == o.transfer.server && udp->src_port == o.transfer.port) {
              auto m = transfer::decode(udp->payload);
              auto& ts = ctx.transfer;
              if (m && m->run_id == ts.run_id) {
                if (m->type == transfer::Type::kWelcome) ts.welcome = true;
                if (m->type == transfer::Type::kAck && m->a < ts.ack.size() && ts.ack[m->a] == 0)
                  ts.ack[m->a] = m->b == 1 ? 1 : 2;
                if (m->type == transfer::Type::kResult) ts.result = *m;
              }
              return;
            }
          }
          if (auto reply = ip::parse_icmp_echo_reply(r.rest()); reply && reply->ident == (c.index_ & 0xffff)) {
            if (reply->seq >= kFloodSeq) {  // sequence ranges: check < flood < hold
              if (!reply->payload_ok)
                ++c.pings_bad_;
              else if (reply->seq >= kHoldSeq) {
                ++c.hold_ok_;
                if (c.last_hold_reply_ != TimePoint{})
                  c.largest_gap_ms_ = std::max(c.largest_gap_ms_, std::chrono::duration<double, std::milli>(ctx.now - c.last_hold_reply_).count());
                c.last_hold_reply_ = ctx.now;
                auto& sent = c.hold_sent_at_[reply->seq % c.hold_sent_at_.size()];
                if (sent.seq == reply->seq && sent.at != TimePoint{} && ctx.hold_rtt_ms.size() < Context::kMaxRttSamples)
                  ctx.hold_rtt_ms.push_back(std::chrono::duration<float, std::milli>(ctx.now - sent.at).count());
                sent.at = {};
              }
              else
                ++c.flood_ok_;
            } else if (reply->payload_ok) {
              ++c.pings_ok_;
            } else {
              ++c.pings_bad_;
            }
          }
          return;
        }
        if (*proto == static_cast<std::uint16_t>(ppp::Protocol::kIpv6)) {
          if (auto ra = ndp::decode_router_advertisement(r.rest())) {
            c.on_router_advertisement(*ra);
            return;
          }
          if (auto udp = ip::parse_udp6(r.rest()); udp && udp->dst_port == dhcpv6::kClientPort && udp->checksum_ok) {
            if (auto m = dhcpv6::decode(udp->payload)) c.on_dhcpv6(*m);
            return;
          }
          if (auto reply = ip::parse_icmpv6_echo_reply(r.rest()); reply && reply->ident == (c.index_ & 0xffff)) {
            if (reply->payload_ok)
              ++c.pings6_ok_;
            else
              ++c.pings6_bad_;
          }
          return;
        }
        bool was_up = c.stage_ == Stage::kUp;
        // An AC that authenticates an established session again: a CHAP Challenge, or a PAP
        // answer (sent only after a new request, which only a renegotiated LCP makes us send).
        if (was_up && (*proto == static_cast<std::uint16_t>(ppp::Protocol::kChap) ||
                       *proto == static_cast<std::uint16_t>(ppp::Protocol::kPap)))
          c.reauthenticated_ = true;
        c.link_->receive(static_cast<ppp::Protocol>(*proto), r.rest(), ctx.now);
        if (was_up && c.link_ && c.link_->lcp_state() != ppp::State::kOpened) c.flapped_ = true;
      });
      if (n < dataplane::PacketSocket::kBatch) break;
    }
    for (auto& c : clients) c->tick();
    socket->flush();
  };

  // Setup: start clients at the requested rate, until all are up or failed.
  TimePoint t0 = Clock::now();
  TimePoint deadline = t0 + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.setup_timeout));
  std::size_t next = 0;
  TimePoint last_progress = t0;
  for (;;) {
    ctx.now = Clock::now();
    double elapsed = std::chrono::duration<double>(ctx.now - t0).count();
    std::size_t allowed = o.rate > 0 ? std::min<std::size_t>(clients.size(), static_cast<std::size_t>(elapsed * o.rate) + 1)
                                     : clients.size();
    // Back-pressure of our own: at most 256 sessions in discovery at once when unpaced.
    std::size_t in_discovery = 0;
    for (std::size_t i = 0; i < next; ++i)
      if (clients[i]->stage_ == Stage::kPadiSent || clients[i]->stage_ == Stage::kPadrSent) ++in_discovery;
    while (next < allowed && (o.rate > 0 || in_discovery < 256)) {
      clients[next++]->start();
      ++in_discovery;
    }
    socket->flush();
    pump(10);
    std::size_t settled = 0, up = 0, failed = 0;
    for (auto& c : clients) {
      if (c->stage_ == Stage::kUp) ++up;
      if (c->stage_ == Stage::kFailed || c->stage_ == Stage::kClosed) ++failed;
    }
    settled = up + failed;
    if (o.progress && ctx.now - last_progress >= milliseconds(isatty(2) ? 200 : 1000)) {
      last_progress = ctx.now;
      double secs = std::chrono::duration<double>(ctx.now - t0).count();
      double rate = secs > 0 ? static_cast<double>(up) / secs : 0;
      if (isatty(2)) {
        // A live bar on a terminal, redrawn in place.
        constexpr int kWidth = 30;
        int filled = static_cast<int>(kWidth * static_cast<double>(settled) / static_cast<double>(clients.size()));
        std::fprintf(stderr, "\r[%-*s] %zu/%zu up, %zu failed, %.0f sessions/s ", kWidth,
                     std::string(static_cast<std::size_t>(filled), '#').c_str(), up, clients.size(), failed, rate);
      } else {
        std::fprintf(stderr, "progress: %zu up, %zu failed, %zu pending, %.0f sessions/s\n", up, failed,
                     clients.size() - settled, rate);
      }
    }
    if (settled == clients.size() || ctx.now >= deadline || g_interrupted) break;
  }
  if (o.progress && isatty(2)) std::fputs("\n", stderr);
  // Sessions still pending at the deadline failed in the phase they were stuck in.
  ctx.setup_over = true;
  for (auto& c : clients) {
    switch (c->stage_) {
      case Stage::kRetryWait: c->fail(c->failed_phase_); break;
      case Stage::kIdle: c->fail("not-started"); break;
      case Stage::kPadiSent:
      case Stage::kPadrSent: c->fail("discovery"); break;
      case Stage::kPpp: {
        session::Phase p = c->link_->phase();
        c->fail(p == session::Phase::kAuthenticate ? "auth" : p == session::Phase::kNetwork ? "ipcp" : "lcp");
        break;
      }
      case Stage::kUp:
      case Stage::kFailed:
      case Stage::kClosed:
        break;
    }
  }
  TimePoint setup_end = Clock::now();

  // Let IPv6CP finish where it is still negotiating; it does not gate success.
  for (int i = 0; i < 20 && !g_interrupted; ++i) pump(10);
  // With --target6 every session needs its /64: wait for the advertisements (RSs are resent
  // every 4 s, three times).
  if (o.target6 || o.pd || o.ia_na) {
    auto waiting = [&] {
      for (auto& c : clients)
        if (c->stage_ == Stage::kUp && c->link_->ipv6cp_state() == ppp::State::kOpened &&
            (c->ra_prefix_.empty() || (c->wants_dhcpv6() && c->dhcp_stage_ != Client::DhcpStage::kBound && c->dhcp_sent_ < 5)))
          return true;
      return false;
    };
    TimePoint until = Clock::now() + seconds(12);
    while (waiting() && Clock::now() < until && !g_interrupted) pump(10);
  }

  // Traffic: ICMP echo through every session to the target.
  if (o.pings > 0) {
    for (unsigned seq = 0; seq < o.pings && !g_interrupted; ++seq) {
      for (auto& c : clients) {
        if (c->stage_ != Stage::kUp) continue;
        Ipv4Address target = o.target.value_or(c->link_->server_address());
        std::array<std::uint8_t, 1600> pkt{};
        std::size_t n = ip::build_icmp_echo(pkt, c->link_->address(), target, static_cast<std::uint16_t>(c->index_ & 0xffff),
                                            static_cast<std::uint16_t>(seq), o.ping_size);
        if (n == 0) continue;
        c->send_ppp(ppp::Protocol::kIpv4, Bytes(pkt.data(), n));
        ++c->pings_sent_;
        // IPv6 where IPv6CP opened: from the SLAAC address to --target6, else link-local to
        // the AC (RFC 5072 section 5).
        bool global = o.target6 && !c->ra_prefix_.empty();
        if (c->link_->ipv6cp_state() == ppp::State::kOpened && (global || !o.target6)) {
          n = ip::build_icmpv6_echo(pkt, global ? c->wan_address() : ip::link_local(c->link_->ipv6cp().local_id()),
                                    global ? *o.target6 : ip::link_local(c->link_->ipv6cp().peer_id()),
                                    static_cast<std::uint16_t>(c->index_ & 0xffff), static_cast<std::uint16_t>(seq),
                                    o.ping_size > 20 ? o.ping_size - 20 : 0);  // same size as the IPv4 ping
          if (n > 0) {
            c->send_ppp(ppp::Protocol::kIpv6, Bytes(pkt.data(), n));
            ++c->pings6_sent_;
          }
          // ... and from the subscriber's LAN: an address in the delegated prefix.
          if (global && !c->pd_prefix_.empty()) {
            n = ip::build_icmpv6_echo(pkt, c->pd_prefix_.address(1), *o.target6, static_cast<std::uint16_t>(c->index_ & 0xffff),
                                      static_cast<std::uint16_t>(seq), o.ping_size > 20 ? o.ping_size - 20 : 0);
            if (n > 0) {
              c->send_ppp(ppp::Protocol::kIpv6, Bytes(pkt.data(), n));
              ++c->pings6_sent_;
            }
          }
        }
      }
      socket->flush();
      pump(5);
    }
    TimePoint wait_until = Clock::now() + seconds(3);
    while (Clock::now() < wait_until && !g_interrupted) {
      bool all = true;
      for (auto& c : clients)
        if (c->stage_ == Stage::kUp && (c->pings_ok_ + c->pings_bad_ < c->pings_sent_ ||
                                        c->pings6_ok_ + c->pings6_bad_ < c->pings6_sent_))
          all = false;
      if (all) break;
      pump(10);
    }
  }

  // Transfer test (30.6.11.10): numbered blocks through the sessions to the server.
  LoadReport::TransferResult transfer_result;
  if (o.transfer.enabled && !g_interrupted) {
    auto& ts = ctx.transfer;
    ts.run_id = ctx.seed | 1;
    ts.ack.assign(o.transfer.blocks, 0);
    std::vector<Client*> up;
    for (auto& c : clients)
      if (c->stage_ == Stage::kUp) up.push_back(c.get());
    auto send = [&](Client& c, const transfer::Message& m) {
      std::array<std::uint8_t, 1600> dgram{}, pkt{};
      std::size_t n = transfer::encode(dgram, m);
      std::size_t len = ip::build_udp(pkt, c.link_->address(), o.transfer.server, 40000, o.transfer.port, Bytes(dgram.data(), n));
      if (n > 0 && len > 0) c.send_ppp(ppp::Protocol::kIpv4, Bytes(pkt.data(), len));
    };
    auto wait_for = [&](auto done, Duration limit) {
      TimePoint until = Clock::now() + limit;
      while (!done() && Clock::now() < until && !g_interrupted) pump(10);
      return done();
    };
    if (!up.empty()) {
      transfer::Message hello;
      hello.type = transfer::Type::kHello;
      hello.run_id = ts.run_id;
      hello.a = o.transfer.blocks;
      for (int attempt = 0; attempt < 3 && !ts.welcome; ++attempt) {
        send(*up.front(), hello);
        socket->flush();
        wait_for([&] { return ts.welcome; }, seconds(1));
      }
    }
    transfer_result.connected = ts.welcome;
    if (ts.welcome) {
      std::vector<std::optional<transfer::Digest>> sent_digests(o.transfer.blocks);
      std::vector<std::uint8_t> payload(o.transfer.block_size);
      for (std::uint32_t seq = 0; seq < o.transfer.blocks && !g_interrupted; ++seq) {
        transfer::fill_block(payload, ts.run_id, seq);
        transfer::Message b;
        b.type = transfer::Type::kBlock;
        b.run_id = ts.run_id;
        b.a = seq;
        b.digest = transfer::digest(Bytes(payload));
        sent_digests[seq] = b.digest;
        if (seq < o.transfer.corrupt) payload[seq % payload.size()] ^= 0x5a;  // injected corruption
        b.payload = Bytes(payload);
        send(*up[seq % up.size()], b);
        ++transfer_result.sent;
        if (seq % 32 == 31) {
          socket->flush();
          pump(0);
        }
      }
      socket->flush();
      wait_for([&] { return std::count(ts.ack.begin(), ts.ack.end(), 0) == 0; }, seconds(3));
      for (auto a : ts.ack) {
        if (a == 1) ++transfer_result.acked_ok;
        if (a == 2) ++transfer_result.acked_bad;
        if (a == 0) ++transfer_result.lost;
      }
      transfer::Message done;
      done.type = transfer::Type::kDone;
      done.run_id = ts.run_id;
      done.a = transfer_result.sent;
      done.b = transfer_result.acked_ok;
      done.c = transfer_result.acked_bad;
      done.digest = transfer::aggregate(sent_digests);
      for (int attempt = 0; attempt < 3 && !ts.result; ++attempt) {
        send(*up.front(), done);
        socket->flush();
        wait_for([&] { return ts.result.has_value(); }, seconds(1));
      }
      if (ts.result) {
        transfer_result.finished = true;
        transfer_result.server_blocks = ts.result->a;
        transfer_result.server_ok = ts.result->b;
        transfer_result.server_bad = ts.result->c;
        transfer_result.match = ts.result->digest == done.digest;
      }
    }
  }

  auto send_ping = [&](Client& c, std::uint64_t& counter) {
    std::array<std::uint8_t, 1600> pkt{};
    Ipv4Address target = o.target.value_or(c.link_->server_address());
    bool hold = &counter == &c.hold_sent_;
    std::uint16_t lo = hold ? kHoldSeq : kFloodSeq, hi = hold ? 65535 : kHoldSeq - 1;
    if (c.next_seq_ < lo || c.next_seq_ >= hi) c.next_seq_ = lo;
    const std::uint16_t seq = c.next_seq_++;
    std::size_t n = ip::build_icmp_echo(pkt, c.link_->address(), target, static_cast<std::uint16_t>(c.index_ & 0xffff),
                                        seq, o.ping_size);
    if (n == 0) return;
    if (hold) c.hold_sent_at_[seq % c.hold_sent_at_.size()] = {seq, Clock::now()};
    c.send_ppp(ppp::Protocol::kIpv4, Bytes(pkt.data(), n));
    ++counter;
  };

  // Flood: back-to-back pings through every session, to load the workers.
  if (o.flood > 0) {
    TimePoint flood_until = Clock::now() + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.flood));
    while (Clock::now() < flood_until && !g_interrupted) {
      for (auto& c : clients)
        if (c->stage_ == Stage::kUp) send_ping(*c, c->flood_sent_);
      socket->flush();
      pump(0);
    }
    pump(200);
  }

  // Hold: keep sessions up (answering LCP echoes) for the requested time; with --hold-ping,
  // one ping per session per second, the last one at least a second before the end.
  TimePoint hold_until = Clock::now() + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.hold));
  TimePoint next_ping = Clock::now();
  const Duration interval = milliseconds(std::max(1u, o.traffic_interval_ms));
  while (Clock::now() < hold_until && !g_interrupted) {
    if (o.hold_ping && Clock::now() >= next_ping && Clock::now() + seconds(1) < hold_until) {
      next_ping += interval;
      if (next_ping < Clock::now()) next_ping = Clock::now() + interval;  // fell behind: no burst to catch up
      ctx.now = Clock::now();
      std::size_t n = 0;
      for (auto& c : clients) {
        if (o.traffic_sessions != 0 && n++ >= o.traffic_sessions) break;
        if (c->stage_ == Stage::kUp) send_ping(*c, c->hold_sent_);
      }
      socket->flush();
    }
    pump(o.hold_ping ? static_cast<int>(std::min<unsigned>(50, std::max(1u, o.traffic_interval_ms / 2))) : 50);
  }

  LoadReport report;
  report.transfer = transfer_result;
  report.attempted = static_cast<unsigned>(clients.size());
  std::vector<double> setup, ra_times, dhcp_times;
  for (auto& c : clients) {
    bool was_up = c->stage_ == Stage::kUp || c->stage_ == Stage::kClosed || c->resets_ > 0;
    if (was_up) {
      ++report.established;
      setup.push_back(c->setup_ms_);
      if (c->ipv6_opened_) ++report.ipv6_up;
      if (!c->ra_prefix_.empty()) {
        ++report.ipv6_slaac;
        ra_times.push_back(c->ra_ms_);
      }
      if (c->dhcpv6_complete()) {
        if (!c->pd_prefix_.empty()) ++report.ipv6_pd;
        if (c->na_address_ != Ipv6Bytes{}) ++report.ipv6_na;
        dhcp_times.push_back(c->dhcp_ms_);
      }
      // Asked for global IPv6 (or DHCPv6) and did not get all of it.
      if (c->stage_ == Stage::kUp && ((o.target6 && c->ra_prefix_.empty()) || (c->wants_dhcpv6() && !c->dhcpv6_complete())))
        ++report.ipv6_failed;
      if (c->resets_ > 0 && c->closed_by_server_) ++report.closed_by_server;
      if (c->reconnects_ > 0) ++report.reconnected;
      if (c->retries_ > 0) ++report.up_after_retry;
    } else {
      ++report.failed_by_phase[c->failed_phase_.empty() ? "unknown" : c->failed_phase_];
    }
    report.hold_sent += c->hold_sent_;
    report.hold_received += c->hold_ok_;
    if (c->resets_ == 0) report.hold_lost_stable += c->hold_sent_ - std::min(c->hold_sent_, c->hold_ok_);
    report.hold_largest_gap_ms = std::max(report.hold_largest_gap_ms, c->largest_gap_ms_);
    if (c->hold_sent_ > 0)
      report.held.push_back({c->session_id_, c->mac_.to_string(), c->largest_gap_ms_, c->hold_sent_,
                             c->hold_sent_ - std::min(c->hold_sent_, c->hold_ok_), c->flapped_ || c->resets_ > 0,
                             c->reauthenticated_});
    if (c->flapped_ || c->resets_ > 0) ++report.flapped;
    if (c->reauthenticated_) ++report.reauthenticated;
    report.flood_sent += c->flood_sent_;
    report.flood_received += c->flood_ok_;
    report.pings_sent += c->pings_sent_;
    report.pings_received += c->pings_ok_ + c->pings_bad_;
    report.pings_corrupted += c->pings_bad_;
    report.pings6_sent += c->pings6_sent_;
    report.pings6_received += c->pings6_ok_ + c->pings6_bad_;
    report.pings_corrupted += c->pings6_bad_;
    if (c->pings_sent_ > 0 && c->pings_ok_ == c->pings_sent_) ++report.sessions_with_traffic;
  }
  std::sort(setup.begin(), setup.end());
  auto pct = [&](double p) {
    if (setup.empty()) return 0.0;
    std::size_t i = static_cast<std::size_t>(p * static_cast<double>(setup.size() - 1) + 0.5);
    return setup[std::min(i, setup.size() - 1)];
  };
  report.setup_p50_ms = pct(0.50);
  report.setup_p95_ms = pct(0.95);
  report.setup_max_ms = setup.empty() ? 0 : setup.back();
  std::sort(ra_times.begin(), ra_times.end());
  if (!ra_times.empty()) {
    report.ra_p50_ms = ra_times[ra_times.size() / 2];
    report.ra_max_ms = ra_times.back();
  }
  std::sort(dhcp_times.begin(), dhcp_times.end());
  if (!dhcp_times.empty()) {
    report.dhcpv6_p50_ms = dhcp_times[dhcp_times.size() / 2];
    report.dhcpv6_max_ms = dhcp_times.back();
  }
  report.setup_wall_s = std::chrono::duration<double>(setup_end - t0).count();
  report.discovery_retransmits = ctx.discovery_retransmits;
  report.retried_by_phase = ctx.retried_by_phase;
  report.rx_dropped = socket->take_kernel_drops();
  double last_up_s = report.setup_max_ms / 1000.0;
  for (auto& c : clients)
    if (c->stage_ == Stage::kUp || c->stage_ == Stage::kClosed)
      last_up_s = std::max(last_up_s, std::chrono::duration<double>(c->started_ - t0).count() + c->setup_ms_ / 1000.0);
  report.setup_rate = last_up_s > 0 ? report.established / last_up_s : 0;

  // Teardown: PADT for every live session (RFC 2516 section 5.5), unless asked to vanish.
  if (!o.vanish) {
    ctx.now = Clock::now();
    for (auto& c : clients)
      if (c->stage_ == Stage::kUp || c->stage_ == Stage::kPpp) {
        c->send_discovery(Code::kPadt);
        c->stage_ = Stage::kClosed;
      }
    socket->flush();
  }
  if (!ctx.hold_rtt_ms.empty()) {
    auto& v = ctx.hold_rtt_ms;
    auto at = [&](double q) {
      auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
      return static_cast<double>(v[k]);
    };
    report.hold_rtt_samples = v.size();
    report.hold_rtt_p50_ms = at(0.50);
    report.hold_rtt_p99_ms = at(0.99);
  }
  return report;
}

}  // namespace pppoe::loadtest
