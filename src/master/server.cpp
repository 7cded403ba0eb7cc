#include "master/server.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/log.hpp"
#include "proto/ip.hpp"

namespace pppoe::master {

std::expected<std::unique_ptr<Server>, std::string> Server::create(Config config, session::LocalSecrets secrets) {
  auto socket = dataplane::PacketSocket::open(config.interface, {});
  if (!socket) return std::unexpected(socket.error());
  auto tun = dataplane::TunDevice::open(config.tun_name);
  if (!tun) return std::unexpected(tun.error());
  if (config.tun_configure) {
    int mtu = config.max_payload > 1492 ? config.max_payload : config.mru;
    if (auto r = tun->configure(config.local_ip, mtu); !r) return std::unexpected(r.error());
    for (const auto& range : config.pool)
      for (const auto& [prefix, bits] : session::covering_prefixes(range))
        if (auto r = tun->add_route(prefix, bits); !r) return std::unexpected(r.error());
    if (config.ipv6)
      if (auto r = tun->add_ipv6_address(ip::link_local(session::kAcInterfaceId), 64); !r)
        return std::unexpected(r.error());
  }
  auto control = ctl::ControlServer::listen(config.control_socket);
  if (!control) return std::unexpected(control.error());
  return std::unique_ptr<Server>(
      new Server(std::move(config), std::move(secrets), std::move(*socket), std::move(*tun), std::move(*control)));
}

Server::Server(Config config, session::LocalSecrets secrets, dataplane::PacketSocket socket, dataplane::TunDevice tun,
               ctl::ControlServer control)
    : config_(std::move(config)),
      secrets_(std::move(secrets)),
      socket_(std::move(socket)),
      tun_(std::move(tun)),
      control_(std::move(control)),
      worker_(config_, socket_, &tun_, table_, secrets_, 0),
      discovery_(config_, socket_, worker_, worker_.drops()),
      started_unix_(std::time(nullptr)) {}

Server::~Server() = default;

void Server::on_packets(TimePoint now) {
  std::int64_t unix_now = std::time(nullptr);
  // Bounded work per turn so the TUN, timers and control socket are served under a flood.
  for (int round = 0; round < 16; ++round) {
    std::size_t n = socket_.receive_batch([&](Bytes frame) {
      auto f = ether::decode(frame);
      if (!f) {
        worker_.drops().count(dataplane::Drop::kEtherMalformed);
        return;
      }
      switch (static_cast<ether::EtherType>(f->header.ether_type)) {
        case ether::EtherType::kPppoeDiscovery:
          discovery_.on_frame(f->header, f->payload, unix_now);
          return;
        case ether::EtherType::kPppoeSession: {
          if (f->header.dst != socket_.mac()) return;  // someone else's session
          auto pkt = pppoe_proto::decode(f->payload);
          if (!pkt || pkt->header.code != pppoe_proto::Code::kSession) {
            worker_.drops().count(dataplane::Drop::kPppoeMalformed);
            return;
          }
          worker_.on_session_frame(f->header, *pkt, now);
          return;
        }
        case ether::EtherType::kIpv4:
        case ether::EtherType::kIpv6:
        case ether::EtherType::kVlan:
        case ether::EtherType::kQinQ:
          return;  // not ours
      }
    });
    if (n < dataplane::PacketSocket::kBatch) break;
  }
  socket_.flush();
}

void Server::on_tun(TimePoint now) {
  std::array<std::uint8_t, 65536> buf{};
  for (int i = 0; i < 256; ++i) {
    std::size_t n = tun_.read(buf);
    ++tun_read_syscalls_;
    if (n == 0) break;
    worker_.on_tun_packet(Bytes(buf.data(), n), now);
  }
  socket_.flush();
}

int Server::run() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  itimerspec its{{0, 100'000'000}, {0, 100'000'000}};  // 100 ms tick
  timerfd_settime(tfd, 0, &its, nullptr);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  auto watch = [&](int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  };
  for (int fd : {socket_.fd(), tun_.fd(), control_.fd(), sfd, tfd}) watch(fd);

  log::info("serving PPPoE on {} (ac-name '{}', tun {}, local {}, {} pool addresses, {} local users)",
            config_.interface, config_.ac_name, tun_.name(), config_.local_ip.to_string(),
            worker_.pool().capacity(), secrets_.size());
  bool running = true;
  while (running) {
    std::array<epoll_event, 8> events{};
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 1000);
    if (n < 0 && errno != EINTR) break;
    TimePoint now = Clock::now();
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == socket_.fd()) {
        on_packets(now);
      } else if (fd == tun_.fd()) {
        on_tun(now);
      } else if (fd == control_.fd()) {
        control_.serve([&](const ctl::Json& req) { return handle(req); });
        socket_.flush();
      } else if (fd == tfd) {
        std::uint64_t expirations = 0;
        [[maybe_unused]] auto r = ::read(tfd, &expirations, sizeof expirations);
        worker_.tick(now);
        socket_.flush();
      } else if (fd == sfd) {
        signalfd_siginfo si{};
        [[maybe_unused]] auto r = ::read(sfd, &si, sizeof si);
        log::info("signal {}: shutting down, terminating {} sessions", si.ssi_signo, worker_.session_count());
        running = false;
      }
    }
  }
  worker_.shutdown(Clock::now());
  socket_.flush();
  ::close(ep);
  ::close(tfd);
  ::close(sfd);
  return 0;
}

}  // namespace pppoe::master
