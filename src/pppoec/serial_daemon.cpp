#include "pppoec/serial_daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/log.hpp"
#include "pppoec/chat.hpp"
#include "pppoec/link_settings.hpp"
#include "session/client_session.hpp"
#include "session/server_session.hpp"

namespace pppoe::pppoec {

using session::EndReason;

namespace {

constexpr std::size_t kMaxPendingOutput = 256 * 1024;  // a line slower than the TUN drops, never grows

speed_t baud(unsigned speed) {
  switch (speed) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return B0;
  }
}

/// Raw 8-bit line (termios(3) cfmakeraw), with the profile's speed.
std::expected<void, std::string> make_raw(int fd, unsigned speed) {
  if (!::isatty(fd)) return {};
  termios t{};
  if (::tcgetattr(fd, &t) != 0) return std::unexpected(fmt::format("tcgetattr: {}", std::strerror(errno)));
  ::cfmakeraw(&t);
  t.c_cflag |= CLOCAL | CREAD;
  if (speed != 0) {
    speed_t b = baud(speed);
    if (b == B0) return std::unexpected(fmt::format("set speed {}: not a rate this line takes", speed));
    ::cfsetispeed(&t, b);
    ::cfsetospeed(&t, b);
  }
  if (::tcsetattr(fd, TCSANOW, &t) != 0) return std::unexpected(fmt::format("tcsetattr: {}", std::strerror(errno)));
  return {};
}


}  // namespace

std::expected<std::unique_ptr<SerialDaemon>, std::string> SerialDaemon::create(Profile profile, DaemonOptions options,
                                                                               bool direct) {
  if (profile.sync) return std::unexpected("set speed sync: synchronous HDLC lines are not supported (async only)");
  if (!direct && profile.device.kind != DeviceKind::kSerial)
    return std::unexpected("this profile has no serial device (set device /dev/...)");
  std::optional<session::LocalSecrets> secrets;
  if (direct) {
    if (!profile.pap.enabled && !profile.chap.enabled && !profile.mschapv2.enabled)
      return std::unexpected("-direct: a dial-in server authenticates: expected enable pap, chap or mschapv2");
    if (profile.local.base.is_zero() || profile.remote.base.is_zero())
      return std::unexpected("-direct: expected set ifaddr LOCAL FIRST-LAST (our address and the range to hand out)");
    auto path = std::filesystem::path(options.conf_path).parent_path() / "ppp.secret";
    auto s = session::LocalSecrets::load(path.string());
    if (!s) return std::unexpected(s.error());
    secrets = std::move(*s);
  }
  auto tun = dataplane::TunDevice::open(profile.ifname);
  if (!tun) return std::unexpected(tun.error());
  // Only the link-local address IPv6CP negotiates (RFC 5072 section 5): the kernel's own
  // (stable-privacy or random) would source router solicitations the AC drops as spoofed.
  if (auto r = tun->disable_ipv6_autoconf(); !r) log::warn("{}", r.error());
  auto d = std::unique_ptr<SerialDaemon>(new SerialDaemon(std::move(profile), std::move(options), direct, std::move(*tun)));
  d->secrets_ = std::move(secrets);
  return d;
}

SerialDaemon::SerialDaemon(Profile profile, DaemonOptions options, bool direct, dataplane::TunDevice tun)
    : profile_(std::move(profile)), options_(std::move(options)), direct_(direct), tun_(std::move(tun)) {
  iface_ = std::make_unique<LinkInterface>(profile_, options_.conf_path, options_.resolv_conf, tun_);
  tun_reader_ = std::make_unique<dataplane::TunBatchReader>(tun_.fd(), options_.use_io_uring);
  tun_writer_ = std::make_unique<dataplane::TunBatchWriter>(tun_.fd(), options_.use_io_uring);
}

SerialDaemon::~SerialDaemon() { close_line(); }

std::expected<void, std::string> SerialDaemon::open_line() {
  if (direct_) {
    in_fd_ = STDIN_FILENO;
    out_fd_ = STDOUT_FILENO;
  } else {
    in_fd_ = out_fd_ = ::open(profile_.device.tty.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (in_fd_ < 0) return std::unexpected(fmt::format("{}: {}", profile_.device.tty, std::strerror(errno)));
  }
  for (int fd : {in_fd_, out_fd_}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (auto r = make_raw(in_fd_, profile_.speed); !r) return std::unexpected(fmt::format("{}: {}", direct_ ? "stdin" : profile_.device.tty, r.error()));
  if (out_fd_ != in_fd_)
    if (auto r = make_raw(out_fd_, profile_.speed); !r) return std::unexpected(fmt::format("stdout: {}", r.error()));
  // Nothing stale from an earlier call on our own device; never on -direct, where the caller's
  // first LCP frames may already be waiting.
  if (!direct_ && ::isatty(in_fd_)) ::tcflush(in_fd_, TCIOFLUSH);
  if (!direct_) {
    // Dial and login as one script: what the line sent after the dial's last expect (the
    // login prompt, often in the same read as CONNECT) must still be there for the login.
    std::vector<ChatStep> steps;
    for (const auto* script : {&profile_.dial, &profile_.login}) {
      if (script->empty()) continue;
      auto part = parse_chat(*script);
      if (!part) return std::unexpected(part.error());
      // What the login script sends is a name and a password: never in the log.
      if (script == &profile_.login)
        for (ChatStep& step : *part) step.secret = true;
      steps.insert(steps.end(), part->begin(), part->end());
    }
    if (!steps.empty())
      if (auto r = run_chat(in_fd_, steps, {profile_.phone, profile_.authname, profile_.authkey}); !r)
        return std::unexpected(r.error());
  }
  deframer_ = ppp::hdlc::Deframer();
  out_.clear();
  return {};
}

void SerialDaemon::close_line() {
  if (!direct_ && in_fd_ >= 0) ::close(in_fd_);
  in_fd_ = out_fd_ = -1;
}

std::uint16_t SerialDaemon::mtu() const {
  std::uint16_t want = profile_.mtu != 0 ? profile_.mtu : 1500;
  if (link_ && link_->lcp().peer_mru() != 0) want = std::min(want, link_->lcp().peer_mru());
  return want;
}

void SerialDaemon::start_link() {
  session::LinkSettings ls = base_link_settings(profile_);
  ls.lcp.async_link = true;
  ls.lcp.mru = profile_.mru != 0 ? profile_.mru : 1500;
  ls.lcp.max_peer_mru = 1500;
  ls.lcp.request_acfc = profile_.acfcomp.enabled;
  ls.lcp.request_pfc = profile_.protocomp.enabled;
  ls.lcp.allow_acfc = profile_.acfcomp.accepted;
  ls.lcp.allow_pfc = profile_.protocomp.accepted;
  ls.lcp.request_fcs32 = profile_.fcs32.enabled;
  ls.lcp.allow_fcs32 = profile_.fcs32.accepted;
  std::uint32_t seed = random_seed();
  std::uint64_t iid = (std::uint64_t{0x0200'0000u | (seed & 0xffffff)} << 32) | random_seed();
  up_ = false;
  link_ended_ = false;
  if (direct_) {
    // The dial-in server (handbook 30.2.5): what we require, in ppp(8)'s enable order.
    ls.lcp.role = ppp::LinkRole::kAuthenticator;
    ls.lcp.auth_methods = auth_methods(profile_, true);
    ppp::IpcpSettings ipcp;
    ipcp.role = ppp::LinkRole::kAuthenticator;
    ipcp.local = profile_.local.base;
    ipcp.name_servers.dns1 = profile_.dns_primary;
    ipcp.name_servers.dns2 = profile_.dns_secondary;
    link_ = std::make_unique<session::ServerSession>(*this, *this, *this, ls, ipcp, "pppoec", seed);
  } else {
    ls.lcp.role = ppp::LinkRole::kPeer;
    ls.lcp.auth_methods = auth_methods(profile_, false);
    link_ = std::make_unique<session::ClientSession>(*this, ls, session::Credentials{profile_.authname, profile_.authkey},
                                                     iid, seed, client_ipcp(profile_));
  }
  link_->start(now_);
}

// --- the line ---

void SerialDaemon::send_ppp(ppp::Protocol protocol, Bytes payload) {
  if (out_fd_ < 0) return;
  if (out_.size() > kMaxPendingOutput) {
    ++dropped_output_;
    return;
  }
  ppp::hdlc::FramingOptions o;
  if (link_ && link_->lcp_state() == ppp::State::kOpened) {
    const auto& s = link_->lcp().async_send();
    o.accm = s.accm;
    o.acfc = s.acfc;
    o.pfc = s.pfc;
    o.fcs32 = s.fcs32;
  }
  ppp::hdlc::encode(out_, static_cast<std::uint16_t>(protocol), payload, o);
}

void SerialDaemon::flush_line() {
  while (!out_.empty() && out_fd_ >= 0) {
    ssize_t n = ::write(out_fd_, out_.data(), out_.size());
    if (n > 0) {
      out_.erase(out_.begin(), out_.begin() + n);
    } else {
      if (n < 0 && errno != EAGAIN && errno != EINTR) out_.clear();  // the line is gone; the read side notices
      return;
    }
  }
}

void SerialDaemon::feed_line(Bytes data) {
  // RFC 1570: the FCS we asked for applies once LCP is Opened, as the ACCM does.
  deframer_.set_fcs32(link_ && link_->lcp_state() == ppp::State::kOpened && link_->lcp().receive_fcs32());
  deframer_.feed(data, [this](std::uint16_t p, Bytes info) { on_frame(p, info); });
}

void SerialDaemon::on_frame(std::uint16_t protocol, Bytes information) {
  if (!link_) return;
  if (protocol == static_cast<std::uint16_t>(ppp::Protocol::kIpv4) ||
      protocol == static_cast<std::uint16_t>(ppp::Protocol::kIpv6)) {
    link_->note_peer_activity(now_);
    if (up_) tun_writer_->write(information);
    return;
  }
  link_->receive(static_cast<ppp::Protocol>(protocol), information, now_);
}

void SerialDaemon::on_tun_packet(Bytes packet) {
  if (!up_ || packet.empty() || packet.size() > mtu()) return;
  bool ipv6 = (packet[0] >> 4) == 6;
  if (ipv6 && link_->ipv6cp_state() != ppp::State::kOpened) return;
  send_ppp(ipv6 ? ppp::Protocol::kIpv6 : ppp::Protocol::kIpv4, packet);
}

// --- link events ---

void SerialDaemon::network_up() {
  up_ = true;
  Ipv4Address local = link_->ipcp().local_address(), peer = link_->ipcp().peer_address();
  iface_->up({local, peer, link_->ipcp().learned_name_servers(), mtu()});
  const auto& lcp = link_->lcp();
  log::info("{}: {} up on {}: {} -> {}, MTU {}, FCS-{} out, FCS-{} in", profile_.ifname, direct_ ? "dial-in" : "link",
            direct_ ? "stdin/stdout" : profile_.device.tty, local.to_string(), peer.to_string(), mtu(),
            lcp.async_send().fcs32 ? 32 : 16, lcp.receive_fcs32() ? 32 : 16);
}

void SerialDaemon::ipv6_up() { iface_->add_link_local(link_->ipv6cp().local_id()); }

void SerialDaemon::link_dead(EndReason reason) {
  const auto& c = deframer_.counters();
  log::info("{}: link ended: {} (line: {} frames; dropped {} bad FCS, {} too long, {} too short, {} aborted, {} bad "
            "header; {} frames not sent, the line was backed up)",
            profile_.ifname, session::to_string(reason), c.frames, c.bad_fcs, c.too_long, c.too_short, c.aborted,
            c.bad_header, dropped_output_);
  if (up_) iface_->down(false);
  up_ = false;
  link_ended_ = true;
}

void SerialDaemon::authenticate(const session::AuthRequest& request, TimePoint now) {
  auto result = secrets_->check(request);
  if (!result.ok) log::warn("{}: authentication failed for user '{}'", profile_.ifname, request.user);
  static_cast<session::ServerSession&>(*link_).auth_complete(result, now);
}

std::optional<Ipv4Address> SerialDaemon::assign(std::optional<Ipv4Address> fixed, std::string_view) {
  if (fixed) return fixed;  // ppp.secret's third field
  return profile_.remote.base;  // one line, one peer: the first of the range
}

// --- the loop ---

int SerialDaemon::run() {
  int sfd = termination_signal_fd();
  now_ = Clock::now();
  TimePoint reopen_at = now_;
  bool line_open = false;
  std::array<std::uint8_t, 4096> buf{};
  while (!exit_requested_) {
    now_ = Clock::now();
    if (!line_open && now_ >= reopen_at) {
      if (auto r = open_line(); !r) {
        log::error("{}: {}", profile_.ifname, r.error());
        if (direct_ || options_.mode != Mode::kDdial) {
          exit_code_ = 1;
          break;
        }
        close_line();
        reopen_at = now_ + seconds(std::max(profile_.redial_seconds, 1u));
        continue;
      }
      line_open = true;
      start_link();
    }
    std::array<pollfd, 4> fds{};
    nfds_t n = 0;
    fds[n++] = {sfd, POLLIN, 0};
    fds[n++] = {tun_reader_->fd(), POLLIN, 0};
    if (line_open) {
      fds[n++] = {in_fd_, POLLIN, 0};
      if (!out_.empty()) fds[n++] = {out_fd_, POLLOUT, 0};
    }
    int timeout = 100;
    if (link_)
      if (auto d = link_->next_deadline())
        timeout = static_cast<int>(std::clamp<long long>(std::chrono::duration_cast<milliseconds>(*d - now_).count(), 0, 100));
    ::poll(fds.data(), n, timeout);
    now_ = Clock::now();
    signalfd_siginfo si{};
    while (::read(sfd, &si, sizeof si) == sizeof si) exit_requested_ = true;
    if (line_open && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      for (;;) {
        ssize_t r = ::read(in_fd_, buf.data(), buf.size());
        if (r > 0) {
          feed_line(Bytes(buf.data(), static_cast<std::size_t>(r)));
          continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
          // Hang-up: the carrier is gone (RFC 1661 Down event).
          log::info("{}: the line hung up", profile_.ifname);
          if (link_) link_->lower_down(EndReason::kPeerTerminate, now_);
          close_line();
          line_open = false;
        }
        break;
      }
    }
    tun_reader_->receive([this](Bytes p) { on_tun_packet(p); }, 1024);
    tun_writer_->flush();
    if (link_) link_->tick(now_);
    flush_line();
    if (link_ended_) {
      link_ended_ = false;
      if (direct_ || options_.mode != Mode::kDdial) {
        exit_requested_ = true;
        exit_code_ = 0;
        break;
      }
      // -ddial: hang up the line and dial again after `set reconnect`.
      close_line();
      line_open = false;
      reopen_at = now_ + seconds(profile_.reconnect_timeout);
    }
  }
  if (link_ && link_->phase() != session::Phase::kDead && line_open) {
    link_->close(EndReason::kShutdown, now_);
    TimePoint until = Clock::now() + seconds(1);
    while (link_->phase() != session::Phase::kDead && Clock::now() < until) {
      now_ = Clock::now();
      flush_line();
      ssize_t r = ::read(in_fd_, buf.data(), buf.size());
      if (r > 0)
        feed_line(Bytes(buf.data(), static_cast<std::size_t>(r)));
      link_->tick(now_);
      ::usleep(5000);
    }
    flush_line();
  }
  if (up_) iface_->down(false);
  close_line();
  ::close(sfd);
  return exit_code_;
}

}  // namespace pppoe::pppoec
