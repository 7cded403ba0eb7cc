#include "pppoec/daemon.hpp"

#include <linux/filter.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "pppoec/link_settings.hpp"
#include "pppoec/nat.hpp"
#include "proto/ip.hpp"

namespace pppoe::pppoec {

using pppoe_proto::Code;
using session::EndReason;

namespace {

constexpr std::uint16_t kNonstandardDiscovery = 0x3c12;  // 3Com HomeConnect (handbook 30.4.2)
constexpr std::uint16_t kNonstandardSession = 0x3c13;
constexpr Duration kResumeWindow = seconds(3);          // echo replies must come within this
constexpr std::size_t kPendingMax = 32;                 // -auto: packets kept while dialling

std::uint64_t unix_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

/// Only PPPoE frames (and none with a VLAN tag the driver took off) reach the socket:
/// classic BPF on the ethertype, so the kernel drops the interface's other traffic for us.
std::expected<void, std::string> attach_pppoe_filter(int fd, std::uint16_t discovery, std::uint16_t session) {
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, static_cast<std::uint32_t>(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4),
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, discovery, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, session, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
    return std::unexpected(fmt::format("attach PPPoE filter: {}", std::strerror(errno)));
  return {};
}

}  // namespace

int termination_signal_fd() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

const char* to_string(Mode m) {
  switch (m) {
    case Mode::kDdial: return "ddial";
    case Mode::kAuto: return "auto";
    case Mode::kForeground: return "foreground";
  }
  return "?";
}

const char* Daemon::to_string(Stage s) {
  switch (s) {
    case Stage::kIdle: return "idle";
    case Stage::kDiscovery: return "discovery";
    case Stage::kNegotiating: return "negotiating";
    case Stage::kResuming: return "resuming";
    case Stage::kUp: return "up";
    case Stage::kWaitRedial: return "wait-redial";
    case Stage::kClosed: return "closed";
    case Stage::kStandby: return "standby";
  }
  return "?";
}

std::expected<std::unique_ptr<Daemon>, std::string> Daemon::create(Profile profile, DaemonOptions options) {
  if (profile.device.kind != DeviceKind::kPppoe)
    return std::unexpected("this profile has no PPPoE device (set device PPPoE:INTERFACE); serial lines are not built yet");
  std::uint16_t disc = profile.nonstandard ? kNonstandardDiscovery : 0x8863;
  std::uint16_t sess = profile.nonstandard ? kNonstandardSession : 0x8864;
  dataplane::PacketSocketOptions so;
  so.rx_ring_bytes = std::size_t{4} << 20;  // as a worker's: 2 MiB lost 1400-octet bursts
  so.promiscuous = profile.mac.has_value();  // frames to the shared MAC are not to the NIC's own
  so.filter = [disc, sess](int fd) { return attach_pppoe_filter(fd, disc, sess); };
  auto socket = dataplane::PacketSocket::open(profile.device.interface, so);
  if (!socket) return std::unexpected(socket.error());
  auto tun = dataplane::TunDevice::open(profile.ifname);
  if (!tun) return std::unexpected(tun.error());
  // The interface survives a crash of ours (SIGKILL, an abort): the restarted daemon finds it
  // with its addresses and routes, and what the kernel queued meanwhile, so a resumed session
  // loses only the packets of the gap. A clean exit removes it.
  if (auto p = tun->set_persistent(true); !p) log::warn("{}", p.error());
  // Only the link-local address IPv6CP negotiates (RFC 5072 section 5): the kernel's own
  // (stable-privacy or random) would source router solicitations the AC drops as spoofed.
  if (auto r = tun->disable_ipv6_autoconf(); !r) log::warn("{}", r.error());
  auto d = std::unique_ptr<Daemon>(new Daemon(std::move(profile), std::move(options), std::move(*socket), std::move(*tun)));
  d->session_ether_type_ = sess;
  d->discovery_ether_type_ = disc;
  if (!d->profile_.server_socket.empty()) {
    mode_t old = ::umask(static_cast<mode_t>(d->profile_.server_mask));
    auto control = ctl::ControlServer::listen(d->profile_.server_socket);
    ::umask(old);
    if (!control) return std::unexpected(control.error());
    d->control_.emplace(std::move(*control));
  }
  return d;
}

namespace {
DiscoverySettings discovery_settings(const Profile& p, std::uint32_t seed, int if_mtu) {
  DiscoverySettings s;
  s.service = p.device.service;
  s.ac_name = p.ac_name;
  // RFC 4638: ask for more than 1492 only when the MTU wants it and the Ethernet carries it.
  if (p.mtu > 1492 && if_mtu >= p.mtu + 8) s.max_payload = p.mtu;
  s.host_uniq = {static_cast<std::uint8_t>(seed >> 24), static_cast<std::uint8_t>(seed >> 16),
                 static_cast<std::uint8_t>(seed >> 8), static_cast<std::uint8_t>(seed)};
  return s;
}
}  // namespace

Daemon::Daemon(Profile profile, DaemonOptions options, dataplane::PacketSocket socket, dataplane::TunDevice tun)
    : profile_(std::move(profile)),
      options_(std::move(options)),
      socket_(std::move(socket)),
      tun_(std::move(tun)),
      our_mac_(profile_.mac.value_or(socket_.mac())),
      discovery_(*this, discovery_settings(profile_, seed_ = random_seed(), socket_.mtu())) {
  iface_ = std::make_unique<LinkInterface>(profile_, options_.conf_path, options_.resolv_conf, tun_);
  tun_reader_ = std::make_unique<dataplane::TunBatchReader>(tun_.fd(), options_.use_io_uring);
  tun_writer_ = std::make_unique<dataplane::TunBatchWriter>(tun_.fd(), options_.use_io_uring);
}

Daemon::~Daemon() = default;

std::uint16_t Daemon::session_mtu() const {
  std::uint16_t want = profile_.mtu != 0 ? profile_.mtu : 1492;
  std::uint16_t limit = discovery_.max_payload() > 1492 ? discovery_.max_payload() : 1492;
  if (link_ && link_->lcp().peer_mru() != 0) limit = std::min(limit, link_->lcp().peer_mru());
  return std::min(want, limit);
}

// --- PPP and discovery output ---

void Daemon::write_session_headers(ByteWriter& w, ppp::Protocol protocol, std::size_t payload_size) const {
  ether::encode({discovery_.ac_mac(), our_mac_, {}, session_ether_type_}, w);
  // RFC 2516 section 4: LENGTH covers the PPP protocol field and the payload.
  pppoe_proto::encode_header({1, 1, Code::kSession, discovery_.session_id(), static_cast<std::uint16_t>(payload_size + 2)}, w);
  w.u16(static_cast<std::uint16_t>(protocol));
}

void Daemon::send_ppp(ppp::Protocol protocol, Bytes payload) {
  if (silent()) {  // a pair's BACKUP never speaks for the session
    ++drops_.standby_silenced;
    return;
  }
  MutableBytes buf = socket_.tx_buffer();
  ByteWriter w(buf);
  write_session_headers(w, protocol, payload.size());
  w.bytes(payload);
  if (!w.overflow()) socket_.commit(w.size());
}

void Daemon::send_discovery(Code code, const MacAddress& dst, std::uint16_t session_id, const pppoe_proto::Tags& tags) {
  if (silent()) {
    ++drops_.standby_silenced;
    return;
  }
  MutableBytes buf = socket_.tx_buffer();
  ByteWriter w(buf);
  ether::encode({dst, our_mac_, {}, discovery_ether_type_}, w);
  std::size_t n = pppoe_proto::encode_discovery(buf.subspan(w.size()), code, session_id, tags);
  if (n > 0) socket_.commit(w.size() + n);
  socket_.flush();
}

// --- dialling ---

void Daemon::dial(const char* why) {
  if (silent()) return;  // the pair's MASTER dials
  if (stage_ == Stage::kDiscovery || stage_ == Stage::kNegotiating || stage_ == Stage::kUp ||
      stage_ == Stage::kResuming)
    return;
  log::info("{}: dialling ({}): PADI on {} for service '{}'", profile_.ifname, why, profile_.device.interface,
            profile_.device.service);
  stage_ = Stage::kDiscovery;
  discovery_.start(now_);
  socket_.flush();
}

void Daemon::start_link() {
  session::LinkSettings ls = base_link_settings(profile_);
  ls.lcp.role = ppp::LinkRole::kPeer;
  ls.lcp.auth_methods = auth_methods(profile_, false);  // what we agree to when the AC asks
  std::uint16_t mru = profile_.mru != 0 ? profile_.mru : 1492;
  std::uint16_t limit = discovery_.max_payload() > 1492 ? discovery_.max_payload() : 1492;
  ls.lcp.mru = std::min(mru, limit);
  ls.lcp.max_peer_mru = limit;
  std::uint64_t iid = (std::uint64_t{our_mac_.octets[0] ^ 0x02u} << 56) | (std::uint64_t{our_mac_.octets[1]} << 48) |
                      (std::uint64_t{our_mac_.octets[2]} << 40) | (std::uint64_t{0xfffe} << 24) |
                      (std::uint64_t{our_mac_.octets[3]} << 16) | (std::uint64_t{our_mac_.octets[4]} << 8) |
                      our_mac_.octets[5];  // EUI-64 from the MAC (RFC 4291 appendix A)
  link_ = std::make_unique<session::ClientSession>(*this, ls, session::Credentials{profile_.authname, profile_.authkey},
                                                   iid, seed_ ^ static_cast<std::uint32_t>(now_.time_since_epoch().count()),
                                                   client_ipcp(profile_));
}

void Daemon::network_up() {
  bool resumed = stage_ == Stage::kResuming;
  stage_ = Stage::kUp;
  failures_in_row_ = 0;
  reconnects_left_ = profile_.reconnect_tries;
  last_traffic_ = now_;
  if (!resumed) up_unix_ms_ = unix_ms();
  ++sessions_up_;
  // The record first: a pair's BACKUP holds the session before its addresses are in use here.
  save_state();
  configure_interface_up();
  log::info("{}: session {} up with {} (AC {} '{}'): {} -> {}, MTU {}", profile_.ifname, discovery_.session_id(),
            discovery_.ac_mac().to_string(), profile_.device.interface, discovery_.ac_name(),
            link_->address().to_string(), link_->server_address().to_string(), session_mtu());
  // -auto: the packets that started the dial go out now, not lost. The kernel gave them the
  // interface's address before the session had one; where IPCP settled on another, their
  // source is rewritten (what ppp(8) leaves to its NAT), or the AC would drop them as spoofed.
  Ipv4Address local = link_->address();
  while (!pending_.empty()) {
    auto& packet = pending_.front();
    if (!packet.empty() && (packet[0] >> 4) == 4 && packet.size() >= 20) {
      Ipv4Address src{(std::uint32_t{packet[12]} << 24) | (std::uint32_t{packet[13]} << 16) |
                      (std::uint32_t{packet[14]} << 8) | packet[15]};
      if (src != local && ip::rewrite_ipv4_source(MutableBytes(packet), local)) ++data_.sources_rewritten;
    }
    on_tun_packet(Bytes(packet));
    pending_.pop_front();
  }
}

void Daemon::ipv6_up() {
  iface_->add_link_local(link_->ipv6cp().local_id());
  save_state();
}

void Daemon::link_dead(EndReason reason) {
  // Not from inside the link's own callbacks: the link is destroyed in tick().
  last_end_reason_ = session::to_string(reason);
  bool was_up = stage_ == Stage::kUp || stage_ == Stage::kResuming;
  if (reason != EndReason::kPeerPadt) discovery_.terminate(session::to_string(reason));  // RFC 2516 5.5
  discovery_.reset();
  socket_.flush();
  log::info("{}: session {} ended: {}", profile_.ifname, discovery_.session_id(), last_end_reason_);
  if (was_up) configure_interface_down();
  remove_state();
  publish_gone(last_end_reason_);
  if (takeover_pending_) {
    takeover_pending_ = false;
    ++pair_counters_.takeovers_redialled;
    log::warn("{}: takeover: the AC does not hold session {} any more: dialling anew", profile_.ifname,
              discovery_.session_id());
  }
  bool resuming = stage_ == Stage::kResuming;
  stage_ = Stage::kWaitRedial;  // tick() decides what comes next
  schedule_redial(was_up && !resuming);
  if (resuming && stage_ == Stage::kWaitRedial) redial_at_ = now_;  // the saved session is gone: dial at once
}

void Daemon::hang_up(EndReason reason) {
  if (link_ && (stage_ == Stage::kNegotiating || stage_ == Stage::kUp || stage_ == Stage::kResuming)) {
    link_->close(reason, now_);
    return;
  }
  if (stage_ == Stage::kDiscovery) discovery_.reset();
  stage_ = Stage::kClosed;
}

void Daemon::schedule_redial(bool lost_while_up) {
  if (exit_requested_) return;
  if (silent()) {
    stage_ = Stage::kStandby;
    return;
  }
  if (closed_by_operator_) {  // ppp(8)'s close: down until `dial`, in every mode
    stage_ = Stage::kClosed;
    return;
  }
  switch (options_.mode) {
    case Mode::kForeground:
      // ppp(8)'s `set reconnect TIMEOUT NTRIES`: a link lost while up is dialled again up to
      // NTRIES times (counted afresh each time it comes up), then the process ends.
      if (lost_while_up && reconnects_left_ > 0) {
        --reconnects_left_;
        stage_ = Stage::kWaitRedial;
        redial_at_ = now_ + seconds(profile_.reconnect_timeout);
        ++redials_;
        log::info("{}: link lost: reconnect in {} s ({} more tries)", profile_.ifname, profile_.reconnect_timeout,
                  reconnects_left_);
        return;
      }
      exit_requested_ = true;
      exit_code_ = lost_while_up ? 0 : 1;
      stage_ = Stage::kClosed;
      return;
    case Mode::kAuto:
      stage_ = Stage::kIdle;  // the next packet dials
      return;
    case Mode::kDdial: break;
  }
  // ppp(8): `set reconnect` paces a link lost while up; `set redial` failed attempts. Failures
  // in a row back off: linearly with `+INC`, otherwise doubling, capped at the maximum, so that
  // a dead AC is not flooded with PADIs by every subscriber at once.
  Duration delay;
  if (lost_while_up && failures_in_row_ == 0) {
    delay = seconds(profile_.reconnect_timeout);
  } else {
    ++failures_in_row_;
    std::uint64_t secs = profile_.redial_seconds;
    if (profile_.redial_increment != 0)
      secs += std::uint64_t{profile_.redial_increment} * (failures_in_row_ - 1);
    else
      secs <<= std::min(failures_in_row_ - 1, 16u);
    secs = std::min<std::uint64_t>(std::max<std::uint64_t>(secs, 1), std::max(profile_.redial_max, 1u));
    delay = seconds(secs);
  }
  stage_ = Stage::kWaitRedial;
  redial_at_ = now_ + delay;
  ++redials_;
  log::info("{}: redial in {} s", profile_.ifname, std::chrono::duration_cast<seconds>(delay).count());
}

// --- resume from the state file (spec/004) ---

bool Daemon::try_resume() {
  if (options_.state_path.empty()) return false;
  std::error_code ec;
  if (!std::filesystem::exists(options_.state_path, ec)) return false;
  auto rec = load_record(options_.state_path);
  if (!rec) {
    // Torn, tampered with or from another version: never half used (a fresh dial instead).
    log::warn("state file refused: {}", rec.error());
    remove_state();
    return false;
  }
  if (rec->interface != profile_.device.interface || rec->our_mac != our_mac_) {
    log::warn("state file {} is for {} {}, not {} {}: not resumed", options_.state_path, rec->interface,
              rec->our_mac.to_string(), profile_.device.interface, our_mac_.to_string());
    remove_state();
    return false;
  }
  resume_from(*rec, options_.state_path);
  return true;
}

void Daemon::resume_from(const SessionRecord& r, const std::string& source) {
  discovery_.adopt(r.ac_mac, r.session_id, r.max_payload);
  start_link();
  up_unix_ms_ = r.up_unix_ms;
  data_.packets_in = r.packets_in;
  data_.bytes_in = r.bytes_in;
  data_.packets_out = r.packets_out;
  data_.bytes_out = r.bytes_out;
  stage_ = Stage::kResuming;
  resume_replies_ = 0;
  resume_deadline_ = now_ + kResumeWindow;
  resume_next_probe_ = now_ + seconds(1);
  link_->resume(r.link, now_);  // sends the first Echo-Request
  socket_.flush();              // before anything slower: the AC and the switches hear us now
  configure_interface_up();
  if (r.link.ipv6_opened) ipv6_up();
  log::info("{}: resuming session {} with {} from {} ({} -> {}); confirming with LCP echo", profile_.ifname,
            r.session_id, r.ac_mac.to_string(), source, r.link.local.to_string(), r.link.peer.to_string());
  socket_.flush();
}

SessionRecord Daemon::make_record() const {
  SessionRecord r;
  r.profile = profile_.labels.empty() ? std::string() : profile_.labels.back();
  r.interface = profile_.device.interface;
  r.our_mac = our_mac_;
  r.ac_mac = discovery_.ac_mac();
  r.session_id = discovery_.session_id();
  r.max_payload = discovery_.max_payload();
  r.ac_name = discovery_.ac_name();
  r.link = link_->snapshot();
  r.saved_unix_ms = unix_ms();
  r.up_unix_ms = up_unix_ms_;
  r.packets_in = data_.packets_in;
  r.bytes_in = data_.bytes_in;
  r.packets_out = data_.packets_out;
  r.bytes_out = data_.bytes_out;
  return r;
}

void Daemon::save_state() {
  if (!link_) return;
  publish_record();
  state_dirty_ = false;
  if (options_.state_path.empty()) return;
  if (auto s = save_record(options_.state_path, make_record()); !s) log::warn("state file: {}", s.error());
}

void Daemon::remove_state() {
  if (!options_.state_path.empty()) ::unlink(options_.state_path.c_str());
}

// --- the interface ---

void Daemon::configure_interface_up() {
  LinkAddresses a{link_->address(), link_->server_address(), link_->ipcp().learned_name_servers(), session_mtu()};
  if (iface_->holds(a)) return;  // a pair's BACKUP configured it from the MASTER's record
  iface_->up(a);
}

void Daemon::configure_interface_down() { iface_->down(options_.mode == Mode::kAuto); }

// --- frames from the Ethernet ---

void Daemon::on_frame(Bytes frame) {
  if (silent()) {  // the pair's MASTER answers; we only watch
    ++drops_.standby_frames;
    return;
  }
  auto f = ether::decode(frame);
  if (!f) {
    ++drops_.ether_malformed;
    return;
  }
  if (f->header.dst != our_mac_ && !f->header.dst.is_broadcast()) return;  // another host's, seen in promiscuous mode
  if (f->header.ether_type == discovery_ether_type_)
    on_discovery_frame(f->header, f->payload);
  else if (f->header.ether_type == session_ether_type_)
    on_session_frame(f->header, f->payload);
}

void Daemon::on_discovery_frame(const ether::Header& eth, Bytes payload) {
  auto pkt = pppoe_proto::decode(payload);
  if (!pkt) {
    ++drops_.pppoe_malformed;
    log::warn_limited(bad_frame_log_, "{}: malformed discovery frame from {}: {}", profile_.ifname, eth.src.to_string(),
                      pppoe_proto::to_string(pkt.error()));
    return;
  }
  auto tags = pppoe_proto::decode_tags(pkt->payload);
  if (!tags) {
    ++drops_.tags_malformed;
    log::warn_limited(bad_frame_log_, "{}: malformed tags from {}: {}", profile_.ifname, eth.src.to_string(),
                      pppoe_proto::to_string(tags.error()));
    return;
  }
  if (pkt->header.code == Code::kPadt) {
    discovery_.receive(eth.src, *pkt, *tags, now_);
    bool ours = session_live() && eth.src == discovery_.ac_mac() && pkt->header.session_id == discovery_.session_id();
    if (!ours) {
      ++drops_.padt_not_ours;
      return;
    }
    log::info("{}: PADT from the AC{}", profile_.ifname,
              tags->generic_error ? " (" + *tags->generic_error + ")" : std::string());
    link_->lower_down(EndReason::kPeerPadt, now_);
    return;
  }
  if (stage_ != Stage::kDiscovery) {
    discovery_.receive(eth.src, *pkt, *tags, now_);  // counted, ignored
    return;
  }
  discovery_.receive(eth.src, *pkt, *tags, now_);
  if (discovery_.state() == DiscoveryClient::State::kSession) {
    log::info("{}: PADS from {} '{}': session {}{}", profile_.ifname, discovery_.ac_mac().to_string(),
              discovery_.ac_name(), discovery_.session_id(),
              discovery_.max_payload() ? fmt::format(", PPP-Max-Payload {}", discovery_.max_payload()) : "");
    stage_ = Stage::kNegotiating;
    start_link();
    link_->start(now_);
  } else if (discovery_.state() == DiscoveryClient::State::kFailed) {
    log::warn("{}: discovery failed: {}", profile_.ifname, discovery_.failure());
    stage_ = Stage::kWaitRedial;
    schedule_redial(false);
  }
}

void Daemon::on_session_frame(const ether::Header& eth, Bytes payload) {
  auto pkt = pppoe_proto::decode(payload);
  if (!pkt || pkt->header.code != Code::kSession) {
    ++drops_.pppoe_malformed;
    return;
  }
  if (!session_live() || eth.src != discovery_.ac_mac() || pkt->header.session_id != discovery_.session_id()) {
    ++drops_.not_our_session;
    // spec/002 (PPPOE_TERM_UNKNOWN_SESSIONS): an AC still sending for a session we do not hold
    // (we crashed and lost it) is told so with a PADT, rate-limited.
    std::uint64_t suppressed = 0;
    if (eth.dst == our_mac_ && pkt->header.session_id != 0 && unknown_padt_limit_.allow(suppressed)) {
      pppoe_proto::Tags tags;
      tags.generic_error = "unknown session";
      send_discovery(Code::kPadt, eth.src, pkt->header.session_id, tags);
      ++drops_.unknown_session_padt;
    }
    return;
  }
  ByteReader r(pkt->payload);
  auto proto = r.u16();
  if (!proto) {
    ++drops_.ppp_too_short;
    return;
  }
  link_->note_peer_activity(now_);
  if (*proto == static_cast<std::uint16_t>(ppp::Protocol::kIpv4) ||
      *proto == static_cast<std::uint16_t>(ppp::Protocol::kIpv6)) {
    if (stage_ != Stage::kUp && stage_ != Stage::kResuming) return;
    // The frame lives in the receive ring, which is ours until the next batch: clamp in place.
    MutableBytes ip(const_cast<std::uint8_t*>(r.rest().data()), r.rest().size());
    if (ip::clamp_tcp_mss(ip, session_mtu())) ++data_.mss_clamped;
    if (!tun_writer_->write(ip)) ++drops_.tun_write_failed;
    ++data_.packets_in;
    data_.bytes_in += ip.size();
    last_traffic_ = now_;
    return;
  }
  link_->receive(static_cast<ppp::Protocol>(*proto), r.rest(), now_);
}

// --- packets from the TUN ---

void Daemon::on_tun_packet(Bytes packet) {
  if (packet.empty()) return;
  if (silent()) {
    ++drops_.no_session;
    return;
  }
  bool ipv6 = (packet[0] >> 4) == 6;
  if (stage_ != Stage::kUp && stage_ != Stage::kResuming) {
    // ppp(8)'s dial filter, fixed: the kernel's own IPv6 chatter on the interface (router
    // solicitations, MLD reports to link-scope and multicast destinations) must not dial.
    bool chatter = ipv6 && packet.size() >= 40 && (packet[24] == 0xff || (packet[24] == 0xfe && (packet[25] & 0xc0) == 0x80));
    if (options_.mode == Mode::kAuto && stage_ != Stage::kClosed && !chatter) {
      if (pending_.size() < kPendingMax) pending_.emplace_back(packet.begin(), packet.end());
      dial("outbound packet");
      return;
    }
    ++drops_.no_session;
    return;
  }
  if (ipv6 && link_->ipv6cp_state() != ppp::State::kOpened) {
    ++drops_.no_session;
    return;
  }
  send_ip(packet, ipv6);
}

void Daemon::send_ip(Bytes packet, bool ipv6) {
  if (silent()) {
    ++drops_.standby_silenced;
    return;
  }
  if (packet.size() > session_mtu()) {
    ++drops_.ip_too_large;  // the kernel fragments to the TUN's MTU; larger means a stale MTU
    return;
  }
  MutableBytes buf = socket_.tx_buffer();
  ByteWriter w(buf);
  write_session_headers(w, ipv6 ? ppp::Protocol::kIpv6 : ppp::Protocol::kIpv4, packet.size());
  std::size_t ip_at = w.size();
  w.bytes(packet);
  if (w.overflow()) return;
  if (ip::clamp_tcp_mss(buf.subspan(ip_at, packet.size()), session_mtu())) ++data_.mss_clamped;
  socket_.commit(w.size());
  ++data_.packets_out;
  data_.bytes_out += packet.size();
  last_traffic_ = now_;
}

// --- time ---

void Daemon::tick() {
  if (link_) link_->tick(now_);
  discovery_.tick(now_);
  if (stage_ == Stage::kDiscovery && discovery_.state() == DiscoveryClient::State::kFailed) {
    log::warn("{}: discovery failed: {}", profile_.ifname, discovery_.failure());
    schedule_redial(false);
  }
  if (stage_ == Stage::kResuming && link_) {
    if (link_->lcp().echo_replies() > 0) {
      // The AC answered: it still holds the session. Nothing was renegotiated.
      stage_ = Stage::kUp;
      ++sessions_resumed_;
      last_traffic_ = now_;
      reconnects_left_ = profile_.reconnect_tries;
      log::info("{}: session {} resumed: the AC answered the LCP echo", profile_.ifname, discovery_.session_id());
      if (takeover_pending_) {
        takeover_pending_ = false;
        ++pair_counters_.takeovers_resumed;
      }
      save_state();
    } else if (now_ >= resume_deadline_) {
      log::warn("{}: session {} not confirmed within {} s: PADT, dialling anew", profile_.ifname,
                discovery_.session_id(), std::chrono::duration_cast<seconds>(kResumeWindow).count());
      link_->lower_down(EndReason::kEchoTimeout, now_);  // link_dead sends the PADT and dials at once
      return;
    } else if (now_ >= resume_next_probe_) {
      resume_next_probe_ = now_ + seconds(1);
      link_->probe();
    }
  }
  if (stage_ == Stage::kUp && options_.mode == Mode::kAuto && profile_.idle_timeout != 0 &&
      now_ - last_traffic_ >= seconds(profile_.idle_timeout)) {
    log::info("{}: idle for {} s: closing", profile_.ifname, profile_.idle_timeout);
    link_->close(EndReason::kIdleTimeout, now_);
  }
  if ((stage_ == Stage::kWaitRedial || stage_ == Stage::kIdle || stage_ == Stage::kClosed) && link_ &&
      link_->phase() == session::Phase::kDead)
    link_.reset();
  if (stage_ == Stage::kWaitRedial && now_ >= redial_at_) {
    stage_ = Stage::kIdle;
    dial("redial");
  }
  pair_tick();
  tun_reader_->receive([this](Bytes p) { on_tun_packet(p); }, 4096);
}

Duration Daemon::next_timeout() const {
  Duration t = milliseconds(100);
  auto consider = [&](std::optional<TimePoint> d) {
    if (d) t = std::min(t, std::max(Duration::zero(), *d - now_));
  };
  if (link_) consider(link_->next_deadline());
  consider(discovery_.next_deadline());
  if (reannounce_at_ != TimePoint{}) consider(reannounce_at_);
  return t;
}

int Daemon::run() {
  int sfd = termination_signal_fd();
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  auto watch = [ep](int fd, std::uint64_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  };
  now_ = Clock::now();
  enum : std::uint64_t { kSocket, kTun, kControl, kSignal, kPair, kVrrp };
  watch(socket_.fd(), kSocket);
  watch(tun_reader_->fd(), kTun);
  watch(sfd, kSignal);
  if (control_) watch(control_->fd(), kControl);
  if (profile_.pair.enabled()) {
    if (auto r = pair_open(); !r) {
      log::error("{}: pair: {}", profile_.ifname, r.error());
      return 3;
    }
    watch(pair_->fd(), kPair);
    watch(vrrp_->fd(), kVrrp);
  }

  if (profile_.nat) {
    if (auto r = nat_install(profile_, profile_.ifname); !r) {
      log::error("{}: nat: {}", profile_.ifname, r.error());
      return 3;
    }
    log::info("{}: nat: masquerading through nftables table ip {}{}", profile_.ifname, nat_table(profile_.ifname),
              profile_.nat_deny_incoming ? ", unsolicited inbound dropped" : "");
  }
  now_ = Clock::now();
  log::info("{}: pppoec {} on {} (profile {}), our MAC {}", profile_.ifname, pppoec::to_string(options_.mode),
            profile_.device.interface, profile_.labels.empty() ? "-" : profile_.labels.back(), our_mac_.to_string());
  if (role_ == PairRole::kBackup) {
    vrrp_->read([this](sync::VrrpState st, const std::string& text) { on_vrrp_state(st, text); });  // what keepalived said already
  } else if (!try_resume()) {
    if (options_.mode == Mode::kAuto) {
      // The interface exists with the configured addresses; the first packet dials.
      iface_->configure_for_demand(profile_.mtu != 0 ? profile_.mtu : 1492);
    } else {
      dial("start");
    }
  }

  std::array<epoll_event, 8> events{};
  while (!exit_requested_) {
    int timeout_ms = static_cast<int>(std::chrono::duration_cast<milliseconds>(next_timeout()).count());
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), std::max(timeout_ms, 0));
    now_ = Clock::now();
    for (int i = 0; i < n; ++i) {
      switch (events[static_cast<std::size_t>(i)].data.u64) {
        case kSocket:
          while (socket_.receive_batch([this](Bytes f) { on_frame(f); }) == dataplane::PacketSocket::kBatch) {
          }
          break;
        case kTun: tun_reader_->receive([this](Bytes p) { on_tun_packet(p); }, 4096); break;
        case kPair: pair_->poll(now_, [this](const sync::Message& m) { on_pair_message(m); }); break;
        case kVrrp:
          vrrp_->read([this](sync::VrrpState st, const std::string& text) { on_vrrp_state(st, text); });
          break;
        case kControl:
          control_->serve([this](const ctl::Json& req) { return handle_control(req); }, now_);
          break;
        case kSignal: {
          signalfd_siginfo si{};
          while (::read(sfd, &si, sizeof si) == sizeof si) {
            log::info("{}: signal {}: closing the session", profile_.ifname, si.ssi_signo);
            exit_requested_ = true;
          }
          break;
        }
      }
    }
    tun_writer_->flush();
    tick();
    socket_.flush();
    if (control_) control_->expire(now_);
  }

  // Leaving: close the session properly (LCP Terminate, then PADT), give it a moment. A pair's
  // BACKUP leaves without a word, and keeps the MASTER's record for its next start.
  if (!silent() && link_ && (stage_ == Stage::kUp || stage_ == Stage::kNegotiating || stage_ == Stage::kResuming)) {
    stage_ = Stage::kClosed;
    link_->close(EndReason::kShutdown, now_);
    TimePoint until = now_ + seconds(1);
    while (link_->phase() != session::Phase::kDead && Clock::now() < until) {
      now_ = Clock::now();
      socket_.receive_batch([this](Bytes f) { on_frame(f); });
      link_->tick(now_);
      socket_.flush();
      ::usleep(5000);
    }
    if (link_->phase() != session::Phase::kDead) link_->lower_down(EndReason::kShutdown, now_);
  }
  socket_.flush();
  configure_interface_down();
  if (!silent()) remove_state();
  if (auto p = tun_.set_persistent(false); !p) log::warn("{}", p.error());
  if (profile_.nat)
    if (auto r = nat_remove(profile_.ifname); !r) log::warn("{}: nat: {}", profile_.ifname, r.error());
  ::close(ep);
  ::close(sfd);
  return exit_code_;
}

}  // namespace pppoe::pppoec
