#include "master/server.hpp"

#include <linux/capability.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <thread>

#include "common/log.hpp"
#include "common/privileges.hpp"
#include "dataplane/frames.hpp"
#include "master/aaa_settings.hpp"
#include "master/dae_matcher.hpp"
#include "master/pool_reload.hpp"
#include "proto/ip.hpp"
#include "session/server_session.hpp"

namespace pppoe::master {

namespace {
/// The kernel forwards IPv6 (net.ipv6.conf.all.forwarding): without it no subscriber's global
/// IPv6 goes anywhere.
bool ipv6_forwarding() {
  std::ifstream in("/proc/sys/net/ipv6/conf/all/forwarding");
  int v = 0;
  return in >> v && v != 0;
}
}  // namespace


std::expected<std::unique_ptr<Server>, std::string> Server::create(LoadedConfig loaded, StartOptions options) {
  Config& config = loaded.config;
  auto dispatch = dataplane::SessionDispatchMap::create();
  if (!dispatch) return std::unexpected(dispatch.error());
  std::vector<dataplane::L2tpDispatch> l2tp_dispatch;
  std::vector<std::pair<SocketEndpoint, std::string>> sources;  // and who asked for it
  for (const auto& t : config.l2tp.tunnels) sources.emplace_back(t.source, "l2tp-tunnel '" + t.name + "' source");
  if (config.l2tp.radius_tunnels) sources.emplace_back(L2tpConfig::kDefaultSource, "l2tp-radius (any address, port 1701)");
  // LNS endpoints: the same kernel dispatch (a LAC's SCCRQ, for tunnel 0, goes to a worker by
  // the hash of its addresses; everything after it to the worker whose tunnel ID it names).
  for (const auto& l : config.l2tp.listen) sources.emplace_back(l, "l2tp-listen " + l.to_string());
  for (const auto& [source, what] : sources) {
    bool seen = false;
    for (const auto& d : l2tp_dispatch) seen = seen || (d.local().address == source.address && d.local().port == source.port);
    if (seen) continue;
    auto d = dataplane::L2tpDispatch::create(source);
    if (!d) return std::unexpected(d.error());
    // A worker binds its socket at start: try it here so that a bad source fails at once.
    auto probe = d->open_socket(0);
    if (!probe) return std::unexpected(fmt::format("{}: {}", what, probe.error()));
    ::close(*probe);
    l2tp_dispatch.push_back(std::move(*d));
  }
  dataplane::PacketSocketOptions socket_options;
  // Discovery comes in storms (every CPE of a DSLAM after its reboot, a mass PADT): a deeper
  // ring than a worker's. 16 MiB holds ~130,000 small frames.
  socket_options.rx_ring_bytes = std::size_t{16} << 20;
  socket_options.filter = [&](int fd) {
    return dispatch->attach(fd, dataplane::SessionDispatchMap::kMasterOwner, config.ether_types().discovery,
                            config.ether_types().session);
  };
  auto socket = dataplane::PacketSocket::open(config.interface, socket_options);
  if (!socket) return std::unexpected(socket.error());
  const int mtu = config.max_payload > 1492 ? config.max_payload : config.mru;
  auto routed = RoutedInterface::open(config, mtu);
  if (!routed) return std::unexpected(routed.error());
  if (config.tun_configure) {
    auto* tun = &routed->net();
    if (auto r = tun->configure(config.local_ip, mtu); !r) return std::unexpected(r.error());
    for (const auto& [prefix, bits] : pool_routes(config))
      if (auto r = tun->add_route(prefix, bits); !r) return std::unexpected(r.error());
    if (config.ipv6) {
      // A host without IPv6 still gets IPv4 service: IPv6CP is then rejected (ipv6 no).
      if (auto why = tun->ipv6_unavailable()) {
        log::warn("IPv6 is not available here: {}; serving IPv4 only, subscribers' IPv6CP is rejected "
                  "(set 'ipv6 no' to say so in the configuration)", *why);
        config.ipv6 = false;
      } else if (auto r = tun->add_ipv6_address(ip::link_local(session::kAcInterfaceId), 64); !r) {
        return std::unexpected(r.error());
      } else {
        // The sessions' /64s reach the TUN as one route per pool (no route per session).
        for (const auto* list : {&config.ipv6_service.pools, &config.ipv6_service.delegate_pools})
          for (const auto& p : *list)
            if (auto rr = tun->add_ipv6_route(p.aggregate.address(), p.aggregate.length); !rr) return std::unexpected(rr.error());
        if (config.ipv6_service.enabled() && !ipv6_forwarding())
          log::warn("net.ipv6.conf.all.forwarding is 0: subscribers get their /64s but the kernel routes none of "
                    "their IPv6 traffic (sysctl -w net.ipv6.conf.all.forwarding=1)");
      }
    }
  }
  auto control = ctl::ControlServer::listen(config.control_socket);
  if (!control) return std::unexpected(control.error());
  std::optional<ctl::RemoteControlServer> remote;
  if (config.remote_control_port != 0) {
    auto r = ctl::RemoteControlServer::listen(static_cast<std::uint16_t>(config.remote_control_port), config.remote_secret);
    if (!r) return std::unexpected(r.error());
    remote.emplace(std::move(*r));
  }
  // The master's own RADIUS client: accounting only (authentication happens in the workers).
  std::unique_ptr<radius::Aaa> aaa;
  std::optional<DaeServer> dae;
  if (config.radius.enabled()) {
    radius::AaaSettings as = aaa_settings(config, socket->mac());
    as.auth_servers.clear();
    static const session::LocalSecrets kNoLocalUsers;  // the master never authenticates
    auto a = radius::Aaa::create(std::move(as), kNoLocalUsers);
    if (!a) return std::unexpected(a.error());
    aaa = std::move(*a);
    const auto& nas = aaa->nas();
    if (nas.ip)
      log::info("radius: NAS-Identifier '{}', NAS-IP-Address {}{}", nas.identifier, nas.ip->to_string(),
                config.radius.nas_ip ? "" : " (the address that reaches the first RADIUS server)");
    else
      log::warn("radius: NAS-Identifier '{}', no NAS-IP-Address: no route to the first RADIUS server "
                "(set radius-nas-ip-address)", nas.identifier);
    if (config.radius.dae_port != 0) {
      auto d = DaeServer::listen(config.radius.dae_address, static_cast<std::uint16_t>(config.radius.dae_port),
                                 config.radius.dae_clients);
      if (!d) return std::unexpected(d.error());
      dae.emplace(std::move(*d));
    }
  }
  std::unique_ptr<metrics::HttpEndpoint> metrics;
  if (config.metrics_listen.port != 0) {
    auto e = metrics::HttpEndpoint::start(config.metrics_listen);
    if (!e) return std::unexpected(e.error());
    metrics = std::move(*e);
  }
  std::unique_ptr<Server> server(new Server(std::move(loaded), std::move(*socket), std::move(*routed),
                                            std::move(*control), std::move(remote), std::move(*dispatch),
                                            std::move(l2tp_dispatch), std::move(options), std::move(aaa), std::move(dae)));
  server->open_fast_path();  // before the first worker is forked: they inherit its maps
  if (metrics) {
    server->metrics_ = std::move(metrics);
    server->pool_.also_in_child([s = server.get()] { s->metrics_->close_in_child(); });
  }
  return server;
}

Server::Server(LoadedConfig loaded, dataplane::PacketSocket socket, RoutedInterface routed,
               ctl::ControlServer control, std::optional<ctl::RemoteControlServer> remote,
               dataplane::SessionDispatchMap dispatch, std::vector<dataplane::L2tpDispatch> l2tp_dispatch,
               StartOptions options, std::unique_ptr<radius::Aaa> aaa,
               std::optional<DaeServer> dae)
    : config_(std::move(loaded.config)),
      lines_(std::move(loaded.lines)),
      secrets_(std::move(loaded.secrets)),
      socket_(std::move(socket)),
      routed_(std::move(routed)),
      control_(std::move(control)),
      remote_(std::move(remote)),
      dispatch_(std::move(dispatch)),
      l2tp_dispatch_(std::move(l2tp_dispatch)),
      options_(std::move(options)),
      shared_(config_.pool, config_.local_ip, named_ranges(config_), config_.ipv6_service.pools,
              config_.ipv6_service.delegate_pools),
      pool_(config_, shared_, dispatch_, l2tp_dispatch_, secrets_, lines_, options_.source, socket_, routed_.net(),
            {socket_.fd(), routed_.fd()}),
      discovery_(config_, socket_, pool_, drops_, cpu_),
      governor_(static_cast<std::int64_t>(std::time(nullptr))),
      started_unix_(std::time(nullptr)),
      aaa_(std::move(aaa)),
      dae_(std::move(dae)),
      failures_(config_.failures_kept) {
  pool_.on_worker_gone = [this](unsigned slot) { retire(slot); };
  pool_.on_session_lost = [this](const dataplane::SessionRecord& r) { stop_lost_session(r); };
  // The master's RADIUS sockets change on a reload: a worker closes the ones of the moment.
  if (aaa_)
    pool_.also_in_child([this] {
      for (int fd : aaa_->fds()) ::close(fd);
    });
  pool_.on_reloaded = [this](unsigned slot, std::uint32_t generation, bool ok) { on_worker_reloaded(slot, generation, ok); };
  // `pppoectl show failures`: every ended session, and discovery's refusals.
  pool_.on_session_ended = [this](const worker::Message& m) {
    auto text = [](const char* p, std::size_t cap) { return std::string(p, ::strnlen(p, cap)); };
    failures_.add({unix_ms(), m.mac, m.vlans, text(m.user, sizeof m.user), describe_phase(m.phase, m.was_up, m.reason),
                   describe_end(m.reason, text(m.detail, sizeof m.detail)), m.session_id, 1});
  };
  discovery_.debugged = [this](const MacAddress& mac) {
    return shared_.settings().debugged(mac.as_u64(), 0, std::time(nullptr));
  };
  discovery_.on_refused = [this](const ether::Header& eth, std::string why) {
    failures_.add({unix_ms(), eth.src, eth.vlans, "", "discovery", std::move(why), 0, 1});
  };
  if (dae_) pool_.also_close_in_child(dae_->fd());
  pool_.also_in_child([this] { control_.close_in_child(); });
  if (remote_) pool_.also_in_child([this] { remote_->close_in_child(); });
  shared_.settings().ppp_control_rate.store(config_.ppp_control_rate, std::memory_order_relaxed);
  // A standby pair's box starts silent (BACKUP) until keepalived makes it MASTER.
  socket_.mute_while(&shared_.settings().silent);
  set_silent(config_.standby.enabled());
  governor_settings_.enabled = options_.governor;
  pool_.replace_crashed = governor_settings_.enabled;
  governor_settings_.max_workers = options_.max_workers;
  desired_workers_ = std::max(1u, options_.workers);
}

Server::~Server() {
  socket_.mute_while(nullptr);  // the flag lives in shared_, which goes first
  pool_.set_fast_path(nullptr);  // fast_path_ goes before pool_, which may still end sessions
}

void Server::retire(unsigned slot) {
  shared_.tunnels.clear_worker(slot);  // its tunnels went with it
  const auto& w = shared_.workers[slot];
  auto& r = retired_;
  r.started += w.sessions_started;
  r.up += w.sessions_up;
  r.ended += w.sessions_ended;
  r.auth_failures += w.auth_failures;
  r.pool_exhausted += w.pool_exhausted;
  r.padt_sent += w.padt_sent;
  r.bytes_in += w.bytes_in;
  r.bytes_out += w.bytes_out;
  r.packets_in += w.packets_in;
  r.packets_out += w.packets_out;
  r.mss_clamped += w.mss_clamped;
  r.shaped_packets += w.shaped_packets;
  for (std::size_t k = 0; k < r.ended_by_reason.size(); ++k) r.ended_by_reason[k] += w.ended_by_reason[k];
  for (std::size_t m = 0; m < r.auth.size(); ++m)
    for (std::size_t o = 0; o < r.auth[m].size(); ++o) r.auth[m][o] += w.auth[m][o];
  for (std::size_t k = 0; k < r.drops.size(); ++k) r.drops[k] += w.drops[k];
  for (std::size_t k = 0; k < retired_aaa_.size(); ++k) retired_aaa_[k] += w.aaa[k];
  for (std::size_t k = 0; k < r.lac.size(); ++k) r.lac[k] += w.lac[k];
  for (std::size_t k = 0; k < r.lns.size(); ++k) r.lns[k] += w.lns[k];
  retire_radius_servers(slot);
}

void Server::stop_lost_session(const dataplane::SessionRecord& r) {
  if (!aaa_ || !aaa_->accounting() || !r.acct_started) return;
  radius::AcctRecord rec;
  rec.status = radius::AcctStatus::kStop;
  rec.user = std::string(r.user, strnlen(r.user, sizeof r.user));
  rec.class_attr.assign(r.class_attr, r.class_attr + r.class_len);
  rec.framed_ip = Ipv4Address{r.ipv4};
  rec.framed_ipv6_prefix = Ipv6Prefix{r.ipv6_prefix, r.ipv6_prefix_len};
  rec.delegated_prefix = Ipv6Prefix{r.delegated_prefix, r.delegated_prefix_len};
  rec.radius_authenticated = r.radius_auth;
  rec.input_octets = r.rx_bytes;  // as last published by the worker (each second)
  rec.input_packets = r.rx_packets;
  rec.output_octets = shared_.downstream[r.session_id].bytes.load(std::memory_order_relaxed);
  rec.output_packets = shared_.downstream[r.session_id].packets.load(std::memory_order_relaxed);
  rec.event_unix = std::time(nullptr);
  rec.session_time = static_cast<std::uint32_t>(std::max<std::int64_t>(0, rec.event_unix - r.up_unix_ms / 1000));
  rec.cause = radius::TerminateCause::kNasError;
  radius::SessionIdentity who;
  who.session_id = r.session_id;
  who.nas_port_id = radius::nas_port_id(config_.interface, r.vlans);
  who.mac = r.client_mac;
  who.acct_session_id = std::string(r.acct_session_id, strnlen(r.acct_session_id, sizeof r.acct_session_id));
  aaa_->account(rec, who, Clock::now());
}

DaeAnswer Server::on_dae_request(const radius::PacketView& request) {
  DaeMatch m = match_dae_request(request, shared_.table, aaa_->nas());
  if (!m.problem.empty()) log::warn("radius dae: {}", m.problem);
  if (m.refusal) return {false, *m.refusal};
  // A new rate limit: every name known and every value valid, or nothing changes (NAK 407).
  std::optional<worker::Message> rate;
  if (!m.policy.empty()) {
    const policy::FilterList* filter = nullptr;
    if (!m.policy.filter.empty() && (filter = config_.policy.filter(m.policy.filter)) == nullptr) {
      log::warn("radius dae: Filter-Id '{}' is neither a rate nor a configured filter list", m.policy.filter);
      return {false, radius::ErrorCause::kInvalidAttributeValue};
    }
    policy::RateLimit r = m.policy.rate;
    for (auto [name, dir] : {std::pair{&m.policy.qos_down, &r.down}, std::pair{&m.policy.qos_up, &r.up}}) {
      if (name->empty()) continue;
      auto it = config_.policy.qos_policies.find(*name);
      if (it == config_.policy.qos_policies.end()) {
        log::warn("radius dae: qos-policy '{}' is not configured", *name);
        return {false, radius::ErrorCause::kInvalidAttributeValue};
      }
      *dir = it->second;
    }
    r = config_.policy.with_bursts(r);
    worker::Message msg;
    msg.type = worker::MessageType::kChangeRate;
    msg.reason = static_cast<std::uint8_t>((r.down ? 1 : 0) | (r.up ? 2 : 0) | (filter ? 4 : 0));
    if (filter) msg.filter_id = filter->id;
    if (r.down) std::tie(msg.rate_down_kbps, msg.rate_down_burst) = std::pair{r.down->kbps, r.down->burst};
    if (r.up) std::tie(msg.rate_up_kbps, msg.rate_up_burst) = std::pair{r.up->kbps, r.up->burst};
    rate = msg;
  }
  for (std::uint16_t sid : m.sessions) {
    if (request.code == radius::Code::kDisconnectRequest) {
      pool_.disconnect(sid, static_cast<std::uint8_t>(session::EndReason::kAdminReset));
      continue;
    }
    if (rate) {
      rate->session_id = sid;
      pool_.send_to_owner(sid, *rate);
    }
    if (m.session_timeout || m.idle_timeout) {
      worker::Message msg;
      msg.type = worker::MessageType::kChangeTimeouts;
      msg.session_id = sid;
      msg.reason = static_cast<std::uint8_t>((m.session_timeout ? 1 : 0) | (m.idle_timeout ? 2 : 0));
      msg.session_timeout = m.session_timeout.value_or(0);
      msg.idle_timeout = m.idle_timeout.value_or(0);
      pool_.send_to_owner(sid, msg);
    }
  }
  return {true, {}};
}

bool Server::drain_worker(unsigned slot) {
  if (!pool_.drain(slot)) return false;
  if (governor_settings_.drain_migrate != 0) (void)pool_.migrate(slot);
  return true;
}

unsigned Server::resolved_max_workers() const {
  unsigned cpus = static_cast<unsigned>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  unsigned m = governor_settings_.max_workers == 0 ? cpus : governor_settings_.max_workers;
  return std::min<unsigned>(m, dataplane::kMaxWorkers);
}

std::expected<void, std::string> Server::set_worker_count(unsigned n, std::string_view why) {
  if (n < 1 || n > dataplane::kMaxWorkers)
    return std::unexpected(fmt::format("expected 1 to {} workers", dataplane::kMaxWorkers));
  desired_workers_ = n;
  // First take back workers that are on their way out, then start new ones.
  while (pool_.count_in(dataplane::WorkerState::kActive) < n) {
    if (auto d = pool_.any_draining()) {
      pool_.cancel_drain(*d);
      continue;
    }
    if (auto r = pool_.add_worker(why); !r) return std::unexpected(r.error());
  }
  while (pool_.count_in(dataplane::WorkerState::kActive) > n) {
    auto c = pool_.drain_candidate();
    if (!c) break;
    drain_worker(*c);
  }
  return {};
}

void Server::on_packets(TimePoint now) {
  std::int64_t unix_now = std::time(nullptr);
  for (int round = 0; round < 16; ++round) {
    std::size_t n = socket_.receive_batch([&](Bytes frame) {
      auto f = ether::decode(frame);
      if (!f) {
        drops_.count(dataplane::Drop::kEtherMalformed);
        return;
      }
      // A standby pair's BACKUP hears everything the MASTER does and answers nothing.
      if (shared_.settings().silent.load(std::memory_order_relaxed) != 0) {
        if (f->header.ether_type == config_.ether_types().discovery || f->header.dst == socket_.mac())
          drops_.count(dataplane::Drop::kStandbySilent);
        return;
      }
      if (f->header.ether_type == config_.ether_types().discovery) {
        discovery_.on_frame(f->header, f->payload, unix_now);
        return;
      }
      if (f->header.ether_type != config_.ether_types().session ||
          f->header.dst != socket_.mac())
        return;
      // The dispatch filter hands the master only session frames nobody owns.
      auto pkt = pppoe_proto::decode(f->payload);
      if (!pkt || pkt->header.code != pppoe_proto::Code::kSession) {
        drops_.count(dataplane::Drop::kPppoeMalformed);
        return;
      }
      // A session this process holds after all: its frame was queued before the dispatch map
      // pointed at its worker (sessions continued from a state file at start). No PADT for it.
      if (pool_.has_session(pkt->header.session_id)) return;
      drops_.count(dataplane::Drop::kUnknownSession);
      // A standby pair's MASTER whose peer may still run sessions: the frame may be of one of
      // them, about to be handed over to us. No PADT for it.
      if (standby_ && !standby_->may_end_unknown(pkt->header.session_id, now)) return;
      // spec/002 PPPOE_TERM_UNKNOWN_SESSIONS: a client with a stale session gets a PADT at once,
      // but never more than padt_unknown_rate per second, so spoofed floods find no reflector.
      if (now - padt_window_ >= seconds(1)) {
        padt_window_ = now;
        padt_in_window_ = 0;
      }
      if (pkt->header.session_id != 0 && padt_in_window_ < config_.padt_unknown_rate) {
        ++padt_in_window_;
        if (dataplane::send_padt(socket_, f->header.src, f->header.vlans, pkt->header.session_id, "unknown session",
                                 config_.ether_types().discovery))
          ++pool_.padt_unknown_sent;
      } else {
        drops_.count(dataplane::Drop::kPadtRateLimited);
      }
    });
    if (n < dataplane::PacketSocket::kBatch) break;
  }
  pool_.flush_channels();  // start messages before the PADSs that announce those sessions
  socket_.flush();
}

void Server::on_second(TimePoint now) {
  std::int64_t unix_now = std::time(nullptr);
  std::vector<pid_t> pids;
  for (unsigned i = 0; i < dataplane::kMaxWorkers; ++i)
    if (pool_.alive(i)) pids.push_back(pool_.pid(i));
  cpu_.sample(std::chrono::duration<double>(now.time_since_epoch()).count(), pids);
  pool_.tick(unix_now, governor_settings_.drain_timeout);
  GovernorInput in;
  in.now = unix_now;
  in.cpu_usage = cpu_.usage();
  in.current = pool_.current_workers();
  in.active = pool_.count_in(dataplane::WorkerState::kActive);
  in.draining = pool_.count_in(dataplane::WorkerState::kDraining);
  in.max_workers = resolved_max_workers();
  GovernorDecision d = governor_.evaluate(governor_settings_, in);
  if (d.cancel_drain)
    if (auto slot = pool_.any_draining(); slot && pool_.cancel_drain(*slot)) ++governor_counts_.cancel_drain;
  if (d.add_worker && pool_.add_worker("")) ++governor_counts_.scale_up;
  if (d.drain_worker)
    if (auto slot = pool_.drain_candidate(); slot && drain_worker(*slot)) ++governor_counts_.scale_down;
  socket_.flush();
  finish_reload(now);
  expire_debug(unix_now);
  // The loop is alive: systemd's watchdog (WatchdogSec=) restarts a master stuck anywhere.
  notify_.watchdog();
  if (unix_now % 5 == 0) notify_.status(status_line());
  if (aaa_) {
    aaa_->tick(now);
    if (unix_now >= next_spool_replay_) {  // records no server took before: try again
      next_spool_replay_ = unix_now + 10;
      aaa_->replay_spool(32, unix_now, now);
    }
  }
}

int Server::run() {
  // Everything privileged at start-up is done (interface, TUN, routes, BPF map, control socket).
  if (config_.drop_capabilities) {
    std::vector<int> keep{CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF};
    // New workers bind their L2TP socket, on port 1701 by default.
    bool low_port = false;
    for (const auto& d : l2tp_dispatch_) low_port = low_port || d.local().port < 1024;
    if (low_port) keep.push_back(CAP_NET_BIND_SERVICE);
    if (auto r = keep_only_capabilities(keep); !r)
      log::warn("capabilities not dropped: {}", r.error());
    else
      log::info("capabilities: kept CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF{} (effective {:#x}); all others dropped",
                low_port ? ", CAP_NET_BIND_SERVICE" : "", effective_capabilities());
  }
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR2}) sigaddset(&mask, s);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  itimerspec its{{1, 0}, {1, 0}};
  timerfd_settime(tfd, 0, &its, nullptr);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  auto watch = [&](int fd, bool add) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, add ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev);
  };
  for (int fd : {socket_.fd(), control_.fd(), sfd, tfd}) watch(fd, true);
  if (aaa_)
    for (int fd : aaa_->fds()) watch(fd, true);
  if (dae_) {
    watch(dae_->fd(), true);
    log::info("radius dynamic authorization (RFC 5176) on {}:{}", config_.radius.dae_address.to_string(), config_.radius.dae_port);
  }
  if (remote_) {
    watch(remote_->fd(), true);
    log::info("remote read-only control on TCP port {} (challenge-response)", config_.remote_control_port);
  }
  if (metrics_) {
    watch(metrics_->fd(), true);
    log::info("metrics on http://{}/metrics (Prometheus text, OpenMetrics when asked)", config_.metrics_listen.to_string());
  }
  for (int fd : {sfd, tfd, epoll_fd_}) pool_.also_close_in_child(fd);
  pool_.on_channel_change = watch;

  // Operator sysctls (pppoed -S FILE) before the first worker starts.
  SysctlTree tree = sysctl_tree();
  for (const auto& [name, value] : options_.sysctls) {
    if (auto r = tree.write(name, value); !r) {
      log::error("{}", r.error());
      return 2;
    }
  }
  if (auto r = set_worker_count(desired_workers_, "start"); !r) {
    log::error("cannot start workers: {}", r.error());
    return 1;
  }
  int sbfd = -1;
  if (auto r = open_standby(Clock::now()); !r) {
    log::error("standby: {}", r.error());
    return 1;
  } else if (standby_) {
    standby_->start(Clock::now());
    for (int fd : standby_->fds()) watch(fd, true);
    pool_.also_in_child([this] { standby_->close_in_child(); });
    sbfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    itimerspec every{{0, 100'000'000}, {0, 100'000'000}};
    timerfd_settime(sbfd, 0, &every, nullptr);
    watch(sbfd, true);
    pool_.also_close_in_child(sbfd);
  }
  // Sessions a previous pppoed handed over (restart, upgrade) go on here; the RADIUS server
  // must then not hear Accounting-On (RFC 2866 section 5.1: it would close them all), nor in a
  // standby pair, whose boxes continue each other's sessions.
  std::size_t continued = resume_sessions();
  if (aaa_ && aaa_->accounting()) {
    if (standby_)
      log::info("radius: no Accounting-On: a standby pair's sessions outlive each box");
    else if (continued == 0)
      aaa_->account_on_off(true, fmt::format("{:08X}", started_unix_), started_unix_, [](bool ok) {
        if (ok) log::info("radius: Accounting-On acknowledged");
        else log::warn("radius: no accounting server acknowledged Accounting-On");
      }, Clock::now());
    else
      log::info("radius: no Accounting-On: {} sessions continue from before the restart", continued);
  }
  log::info("serving PPPoE on {} (ac-name '{}', tun {}, local {}, {} pool addresses, {} local users, {} workers{})",
            config_.interface, config_.ac_name, routed_.name(), config_.local_ip.to_string(), shared_.pool.capacity(),
            secrets_.size(), pool_.current_workers(), governor_settings_.enabled ? ", governor on" : "");
  if (config_.radius.enabled())
    log::info("radius: {} authentication and {} accounting server(s){}", config_.radius.auth_servers.size(),
              config_.radius.acct_servers.size(), config_.radius.fallback_local ? ", ppp.secret as fallback" : "");
  notify_.ready(status_line());  // discovery answers from here on
  if (notify_.watchdog_enabled()) log::info("systemd watchdog on: keep-alive from the master's loop every second");
  bool running = true;
  bool handover = false;
  while (running) {
    std::array<epoll_event, 16> events{};
    int wait_ms = 1000;
    auto held = discovery_.next_due();  // a held PADO (pado-delay, max-starting) sets the wake-up
    if (held)
      wait_ms = static_cast<int>(std::clamp<std::int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(*held - Clock::now()).count() + 1, 0, 1000));
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), wait_ms);
    if (n < 0 && errno != EINTR) break;
    TimePoint now = Clock::now();
    if (held) {
      discovery_.flush_delayed(now);
      socket_.flush();
    }
    for (int i = 0; i < n && running; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == socket_.fd()) {
        on_packets(now);
      } else if (fd == control_.fd()) {
        control_.serve([&](const ctl::Json& req) { return handle(req); }, now);
        socket_.flush();
      } else if (remote_ && fd == remote_->fd()) {
        std::uint64_t before = remote_->auth_failures;
        remote_->serve([&](const ctl::Json& req) { return handle(req); }, now);
        if (remote_->auth_failures != before) log::warn("remote control: authentication failed ({} so far)", remote_->auth_failures);
      } else if (standby_ && fd == sbfd) {
        std::uint64_t expirations = 0;
        [[maybe_unused]] auto r = ::read(sbfd, &expirations, sizeof expirations);
        standby_->tick(now);
        socket_.flush();
      } else if (standby_ && (fd == standby_->fds()[0] || fd == standby_->fds()[1])) {
        standby_->on_readable(fd, now);
        socket_.flush();
      } else if (metrics_ && fd == metrics_->fd()) {
        metrics_->serve([this](metrics::Format f) { return render_metrics(f); });
      } else if (dae_ && fd == dae_->fd()) {
        dae_->serve([&](const radius::PacketView& req) { return on_dae_request(req); }, std::time(nullptr));
      } else if (aaa_ && aaa_->on_readable(fd, now)) {
        // an accounting answer
      } else if (fd == tfd) {
        std::uint64_t expirations = 0;
        [[maybe_unused]] auto r = ::read(tfd, &expirations, sizeof expirations);
        control_.expire(now);  // silent connections make no event
        if (remote_) remote_->expire(now);
        drops_.count(dataplane::Drop::kRxQueueFull, socket_.take_kernel_drops());
        on_second(now);
      } else if (fd == sfd) {
        signalfd_siginfo si{};
        while (::read(sfd, &si, sizeof si) == sizeof si) {
          if (si.ssi_signo == SIGCHLD) {
            pool_.reap_children();
          } else if (si.ssi_signo == SIGHUP) {
            (void)reload("SIGHUP");
          } else if (si.ssi_signo == SIGUSR2) {
            log::info("signal {}: handing {} sessions over to the next pppoed (restart or upgrade)", si.ssi_signo,
                      pool_.session_count());
            handover = true;
            running = false;
          } else {
            log::info("signal {}: shutting down, terminating {} sessions", si.ssi_signo, pool_.session_count());
            running = false;
          }
        }
      } else {
        pool_.on_channel_readable(fd);
        socket_.flush();
      }
    }
    pool_.flush_channels();
  }
  notify_.stopping();
  bool handed_over = handover && hand_over_sessions();
  if (!handed_over) {
    pool_.stop_all(seconds(5));
    routed_.remove();  // the next pppoed continues nothing: pppoe0 goes, as a TUN would
  }
  socket_.flush();
  if (handed_over && aaa_) {
    // No Accounting-Off: the sessions go on. Stops of the sessions that could not be handed
    // over: a short wait for their answers, the rest to the spool.
    TimePoint end = Clock::now() + seconds(2);
    while (aaa_->in_flight() > 0 && Clock::now() < end) {
      std::array<epoll_event, 8> events{};
      int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) aaa_->on_readable(events[static_cast<std::size_t>(i)].data.fd, Clock::now());
      aaa_->tick(Clock::now());
    }
    aaa_->spool_pending();
  } else if (aaa_ && aaa_->accounting() && !standby_) {
    // RFC 2866 section 5.1: Accounting-Off, after the workers' Stops; wait up to 3 s for it.
    bool done = false;
    aaa_->account_on_off(false, fmt::format("{:08X}", started_unix_), std::time(nullptr), [&](bool ok) {
      done = true;
      if (ok) log::info("radius: Accounting-Off acknowledged");
    }, Clock::now());
    TimePoint end = Clock::now() + seconds(3);
    while (!done && Clock::now() < end) {
      std::array<epoll_event, 8> events{};
      int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) aaa_->on_readable(events[static_cast<std::size_t>(i)].data.fd, Clock::now());
      aaa_->tick(Clock::now());
    }
    aaa_->spool_pending();
  }
  ::close(epoll_fd_);
  ::close(tfd);
  ::close(sfd);
  if (sbfd >= 0) ::close(sbfd);
  return 0;
}

}  // namespace pppoe::master
