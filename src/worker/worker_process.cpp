#include "worker/worker_process.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/log.hpp"
#include "dataplane/packet_socket.hpp"
#include "dataplane/routed_port.hpp"
#include "dataplane/veth_pair.hpp"
#include "master/aaa_settings.hpp"
#include "worker/worker.hpp"
#include "worker/worker_reload.hpp"

namespace pppoe::worker {

namespace {
void linger_for_accounting(radius::Aaa& aaa, int ep, Duration limit) {
  TimePoint end = Clock::now() + limit;
  while (aaa.in_flight() > 0 && Clock::now() < end) {
    std::array<epoll_event, 8> events{};
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
    TimePoint now = Clock::now();
    for (int i = 0; i < n; ++i) aaa.on_readable(events[static_cast<std::size_t>(i)].data.fd, now);
    aaa.tick(now);
  }
  aaa.spool_pending();
}
}  // namespace

void run_worker_process(const WorkerProcessArgs& args) {
  log::set_program(fmt::format("pppoed-worker{}", args.slot));
  std::string name = fmt::format("pppoed-w{}", args.slot);
  ::prctl(PR_SET_NAME, name.c_str());
  // Never outlive the master. Alone, a worker whose master died ends its sessions properly; in a
  // standby pair it dies without a word, because the peer box continues them.
  ::prctl(PR_SET_PDEATHSIG, args.config.standby.enabled() ? SIGKILL : SIGTERM);
  if (::getppid() == 1) ::_exit(1);

  // The dispatch filter is attached before the socket is bound: it never sees another
  // worker's frames.
  dataplane::PacketSocketOptions options;
  options.filter = [&](int fd) {
    return args.dispatch.attach(fd, args.slot + 1u, args.config.ether_types().discovery, args.config.ether_types().session);
  };
  auto socket = dataplane::PacketSocket::open(args.config.interface, options);
  if (!socket) {
    log::error("{}", socket.error());
    ::_exit(1);
  }
  socket->mute_while(&args.shared.settings().silent);  // a standby pair's BACKUP says nothing
  auto routed = args.config.routed_veth()
                    ? dataplane::RoutedPort::open_veth_peer(args.config.tun_name, dataplane::VethPair::peer_name(args.config.tun_name))
                    : dataplane::RoutedPort::open_tun(args.config.tun_name, args.config.tun_io_uring);
  if (!routed) {
    log::error("{}", routed.error());
    ::_exit(1);
  }

  // Each worker has its own RADIUS sockets: requests and answers never cross processes.
  auto aaa = radius::Aaa::create(master::aaa_settings(args.config, socket->mac()), args.secrets);
  if (!aaa) {
    log::error("{}", aaa.error());
    ::_exit(1);
  }

  // SIGUSR2 means "hand over" to the master (a restart); a worker that got it too (systemd with
  // KillMode=control-group) must not die of it: the master's kHandover tells it what to do.
  signal(SIGUSR2, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  itimerspec its{{0, 100'000'000}, {0, 100'000'000}};
  timerfd_settime(tfd, 0, &its, nullptr);
  // The shapers' queue (worker/shaper_queue.hpp): armed for the next departure, absolute on
  // the steady clock (CLOCK_MONOTONIC), re-armed only when that time changes.
  int shaper_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  std::optional<TimePoint> shaper_armed;
  int ep = epoll_create1(EPOLL_CLOEXEC);
  auto watch = [ep](const std::vector<int>& fds) {
    for (int fd : fds) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
  };
  watch({socket->fd(), (*routed)->fd(), args.channel_fd, sfd, tfd, shaper_fd});
  watch((*aaa)->fds());

  Channel master(args.channel_fd);
  Worker worker(args.config, *socket, routed->get(), args.shared, **aaa, args.slot, master);
  worker.set_fast_path(args.fast_path);
  // L2TP endpoints: the LNS's (l2tp-listen) and the LAC's tunnel sources (config.cpp keeps them apart).
  std::vector<const dataplane::L2tpDispatch*> lac_dispatch;
  for (const auto& d : args.l2tp_dispatch) {
    bool listen = false;
    for (const auto& l : args.config.l2tp.listen) listen = listen || (l.address == d.local().address && l.port == d.local().port);
    if (!listen) lac_dispatch.push_back(&d);
  }
  if (args.config.l2tp.lns()) {
    auto lns = Lns::create(args.l2tp_dispatch, args.config.l2tp, args.slot, args.config.ac_name, worker);
    if (!lns) {
      log::error("{}", lns.error());
      ::_exit(1);
    }
    watch((*lns)->fds());
    worker.set_lns(std::move(*lns));
  }
  if (!lac_dispatch.empty()) {
    // LAC: this worker's own sockets, in the kernel's dispatch by tunnel ID (l2tp_dispatch.hpp).
    auto lac = Lac::create(lac_dispatch, args.slot, args.config.ac_name, worker);
    if (!lac) {
      log::error("{}", lac.error());
      ::_exit(1);
    }
    watch((*lac)->fds());
    worker.set_lac(std::move(*lac));
  }
  log::info("worker {} ready (pid {})", args.slot, ::getpid());
  bool running = true;
  while (running) {
    std::array<epoll_event, 8> events{};
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 1000);
    if (n < 0 && errno != EINTR) break;
    TimePoint now = Clock::now();
    auto read_routed = [&] { (*routed)->receive([&](Bytes packet) { worker.on_tun_packet(packet, now); }, 256); };
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == socket->fd()) {
        for (int round = 0; round < 16; ++round) {
          std::size_t got = socket->receive_batch([&](Bytes frame) {
            auto f = ether::decode(frame);
            if (!f) {
              worker.count_drop(dataplane::Drop::kEtherMalformed);
              return;
            }
            if (f->header.ether_type != args.config.ether_types().session ||
                f->header.dst != socket->mac())
              return;
            auto pkt = pppoe_proto::decode(f->payload);
            if (!pkt || pkt->header.code != pppoe_proto::Code::kSession) {
              worker.count_drop(dataplane::Drop::kPppoeMalformed);  // bad version/type/length
              return;
            }
            worker.on_session_frame(f->header, *pkt, now);
          });
          worker.flush_upstream();
          if (got < dataplane::PacketSocket::kBatch) break;
        }
      } else if (fd == (*routed)->fd()) {
        read_routed();
      } else if (fd == args.channel_fd) {
        while (auto m = master.receive()) {
          if (m->type != MessageType::kReload) {
            worker.on_message(*m, now);
            continue;
          }
          std::vector<int> before = (*aaa)->fds();
          Message answer;
          answer.type = MessageType::kReloaded;
          answer.generation = m->generation;
          answer.reason = apply_reload(args, **aaa, socket->mac(), m->generation) ? 0 : 1;
          std::vector<int> added;
          for (int afd : (*aaa)->fds())
            if (std::find(before.begin(), before.end(), afd) == before.end()) added.push_back(afd);
          watch(added);
          master.send(answer);
        }
        if (running && master.closed()) {
          if (args.config.standby.enabled()) {
            // The master's socket closes before the kernel sends PR_SET_PDEATHSIG (do_exit
            // closes files first), so this worker can see the end first: it must still say
            // nothing, because the standby peer continues these sessions.
            log::warn("worker {}: master gone; the standby peer continues our sessions", args.slot);
            ::_exit(0);
          }
          log::warn("worker {}: master gone; ending sessions", args.slot);
          worker.shutdown(session::EndReason::kShutdown, now);
          running = false;
        }
      } else if (fd == tfd) {
        std::uint64_t expirations = 0;
        [[maybe_unused]] auto r = ::read(tfd, &expirations, sizeof expirations);
        worker.tick(now);
        read_routed();  // also posts the TUN read again if that failed earlier (nothing else would wake us)
      } else if (fd == shaper_fd) {
        std::uint64_t expirations = 0;
        [[maybe_unused]] auto r = ::read(shaper_fd, &expirations, sizeof expirations);  // released below
      } else if (fd == sfd) {
        signalfd_siginfo si{};
        [[maybe_unused]] auto r = ::read(sfd, &si, sizeof si);
        worker.shutdown(session::EndReason::kShutdown, now);
        running = false;
      } else if (worker.lac() != nullptr && worker.lac()->on_readable(fd, now)) {
        socket->flush();  // frames for the subscribers, one batch per tunnel socket read
      } else if (worker.lns() != nullptr && worker.lns()->on_readable(fd, now)) {
        worker.flush_upstream();  // the subscribers' packets to the TUN, one batch per read
      } else {
        worker.on_aaa_readable(fd, now);
      }
    }
    worker.flush_upstream();  // early frames replayed by a start message, for one
    if (auto due = worker.release_shaped(Clock::now()); due != shaper_armed) {
      itimerspec at{};
      if (due) {
        auto ns = std::max<std::int64_t>(due->time_since_epoch().count(), 1);
        at.it_value = {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
      }
      timerfd_settime(shaper_fd, TFD_TIMER_ABSTIME, &at, nullptr);  // all zero: disarmed
      shaper_armed = due;
    }
    socket->flush();
    master.flush();
    worker.publish_counters();
    if (worker.shutdown_requested()) running = false;
  }
  socket->flush();
  master.flush();  // the sessions just ended
  // Stop records of the sessions just ended: wait a little for the accounting server, then
  // whatever is still unanswered is written to the spool.
  linger_for_accounting(**aaa, ep, seconds(2));
  worker.publish_aaa(Clock::now());
  worker.publish_counters();
  log::info("worker {} exiting", args.slot);
  ::_exit(0);  // no destructors of the master's objects inherited through fork
}

}  // namespace pppoe::worker
