// The pppoed master process (design.md "Processes"): discovery on the subscriber interface,
// session-ID allocation and the choice of worker, the governor, the control socket, and the
// shared state. It never touches data packets: the kernel's BPF dispatch sends session frames
// straight to the workers, and the workers read the TUN's queues.
#pragma once

#include <expected>
#include <map>
#include <memory>
#include <string>

#include "ctl/control_socket.hpp"
#include "ctl/remote_control.hpp"
#include "dataplane/bpf_dispatch.hpp"
#include "dataplane/fast_path.hpp"
#include "dataplane/l2tp_dispatch.hpp"
#include "dataplane/packet_socket.hpp"
#include "dataplane/shared_state.hpp"
#include "master/routed_interface.hpp"
#include "master/config.hpp"
#include "master/config_source.hpp"
#include "master/cpu_sampler.hpp"
#include "master/dae_server.hpp"
#include "master/discovery.hpp"
#include "master/failure_log.hpp"
#include "master/governor.hpp"
#include "master/service_notify.hpp"
#include "master/standby.hpp"
#include "master/sysctl.hpp"
#include "master/worker_pool.hpp"
#include "metrics/exposition.hpp"
#include "metrics/http_endpoint.hpp"
#include "radius/aaa.hpp"
#include "session/secrets.hpp"

namespace pppoe::master {

struct StartOptions {
  ConfigSource source;           ///< what a reload reads again
  unsigned workers = 1;          ///< -w N (with -L), else 1
  bool governor = false;         ///< -G given
  unsigned max_workers = 0;      ///< -G N; 0 = number of CPUs
  std::vector<std::pair<std::string, std::string>> sysctls;  ///< applied before workers start
};

class Server {
 public:
  static std::expected<std::unique_ptr<Server>, std::string> create(LoadedConfig loaded, StartOptions options);
  ~Server();

  /// Runs until SIGINT/SIGTERM; returns the process exit code.
  int run();

 private:
  Server(LoadedConfig loaded, dataplane::PacketSocket socket, RoutedInterface routed,
         ctl::ControlServer control, std::optional<ctl::RemoteControlServer> remote,
         dataplane::SessionDispatchMap dispatch, std::vector<dataplane::L2tpDispatch> l2tp_dispatch, StartOptions options, std::unique_ptr<radius::Aaa> aaa,
         std::optional<DaeServer> dae);
  // Reload (reload.cpp): SIGHUP, `pppoectl reload`, `systemctl reload`.
  /// Reads the files again; applies what may change live, in the master and (through the
  /// snapshot) in every worker; a file with an error changes nothing. Answers for pppoectl.
  ctl::Json reload(std::string_view why);
  /// Routes to the TUN for pool addresses a reload added (those not in `before`).
  void add_pool_routes(const std::vector<std::pair<Ipv4Address, int>>& before, std::string_view why);
  void on_worker_reloaded(unsigned slot, std::uint32_t generation, bool ok);
  /// The snapshot goes once every worker has read it (or after 10 s, if one died meanwhile).
  void finish_reload(TimePoint now);
  void watch_fd(int fd);
  // Metrics (metrics_report.cpp): the text a scrape gets.
  std::string render_metrics(metrics::Format format);
  void render_radius_servers(metrics::Exposition& m) const;
  void on_packets(TimePoint now);
  void on_second(TimePoint now);
  ctl::Json handle(const ctl::Json& request);
  ctl::Json summary();
  SysctlTree sysctl_tree();
  std::expected<void, std::string> set_worker_count(unsigned n, std::string_view why);
  std::string show_workers() const;
  std::string show_governor() const;
  std::string show_stats() const;
  unsigned resolved_max_workers() const;
  /// Marks a worker DRAINING; with governor.drain_migrate its sessions move live at once.
  bool drain_worker(unsigned slot);
  std::uint64_t drop_total(dataplane::Drop d) const;
  std::uint64_t slot_total(std::atomic<std::uint64_t> dataplane::WorkerSlot::*field) const;
  unsigned load_imbalance_pct() const;
  void retire(unsigned slot);
  /// RFC 5176: a verified Disconnect- or CoA-Request.
  DaeAnswer on_dae_request(const radius::PacketView& request);
  /// Accounting Stop for a session whose worker died (the master has its shared record).
  void stop_lost_session(const dataplane::SessionRecord& r);
  // Restart and upgrade (handover.cpp).
  /// SIGUSR2: the sessions go to the state file instead of ending; false if the file could not
  /// be written (the sessions were then ended properly).
  bool hand_over_sessions();
  /// At start: continues the sessions a previous pppoed handed over (or ends them properly
  /// when they cannot be continued). Returns how many were continued.
  std::size_t resume_sessions();
  // The standby pair (standby_host.cpp).
  /// Opens the standby side when configured; the role keepalived last gave (role file) applies
  /// at once, so that a restarted MASTER goes on speaking.
  std::expected<void, std::string> open_standby(TimePoint now);
  /// Continues the peer's sessions (a takeover); returns how many were continued.
  std::size_t take_over(const std::vector<sync::SyncedSession>& sessions);
  void set_silent(bool silent);
  ctl::Json show_radius() const;
  std::uint64_t aaa_total(radius::AaaCounter c) const;
  // L2TP status, ProL2TP style (l2tp_status.cpp).
  std::vector<dataplane::L2tpTunnelRecord> l2tp_tunnels() const;
  ctl::Json show_tunnels() const;
  ctl::Json show_tunnel(std::uint16_t id) const;
  ctl::Json show_system() const;
  ctl::Json show_l2tp_session(std::uint16_t tunnel, std::uint16_t session) const;
  /// `tunnels`: l2tp_tunnels(), read once per request (not once per session).
  ctl::Json l2tp_session_json(const dataplane::SessionRecord& r,
                              const std::vector<dataplane::L2tpTunnelRecord>& tunnels) const;
  std::uint64_t lac_total(l2tp::LacCounter c) const;
  ctl::Json lac_counters() const;
  std::uint64_t lns_total(l2tp::LnsCounter c) const;
  ctl::Json lns_counters() const;
  /// `proac_info -s`: routing (PPPoE session -> L2TP call), PPPoE discovery, L2TP, RADIUS.
  ctl::Json show_ac() const;

  Config config_;
  SettingLines lines_;  ///< what the running configuration's settings were given (reload compares)
  session::LocalSecrets secrets_;
  dataplane::PacketSocket socket_;
  RoutedInterface routed_;
  ctl::ControlServer control_;
  std::optional<ctl::RemoteControlServer> remote_;
  dataplane::SessionDispatchMap dispatch_;
  /// LAC: one per distinct tunnel source address and port; each worker adds its socket.
  std::vector<dataplane::L2tpDispatch> l2tp_dispatch_;
  StartOptions options_;
  dataplane::SharedState shared_;
  dataplane::DropCounters drops_;  ///< the master's own (discovery, unknown sessions)
  WorkerPool pool_;
  Discovery discovery_;
  GovernorSettings governor_settings_;
  Governor governor_;
  CpuSampler cpu_;
  unsigned desired_workers_ = 1;
  std::int64_t started_unix_ = 0;
  TimePoint padt_window_{};
  unsigned padt_in_window_ = 0;
  /// Totals of workers that are gone, so counters never go backwards.
  /// The filter lists with the packets each rule decided (show stats).
  ctl::Json filters_json() const;
  struct Retired {
    std::uint64_t started = 0, up = 0, ended = 0, auth_failures = 0, pool_exhausted = 0, padt_sent = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0;
    std::uint64_t mss_clamped = 0, shaped_packets = 0;
    std::array<std::uint64_t, 16> ended_by_reason{};
    std::array<std::uint64_t, static_cast<std::size_t>(dataplane::Drop::kCount)> drops{};
    std::array<std::uint64_t, l2tp::kLacCounters> lac{};
    std::array<std::uint64_t, l2tp::kLnsCounters> lns{};
    std::array<std::array<std::uint64_t, static_cast<std::size_t>(dataplane::AuthOutcome::kCount)>, dataplane::kAuthMethods>
        auth{};
  } retired_;
  int epoll_fd_ = -1;
  std::unique_ptr<radius::Aaa> aaa_;  ///< the master's accounting: On/Off, spool, crashed workers' Stops
  std::optional<DaeServer> dae_;
  radius::Aaa::Counters retired_aaa_{};
  /// RADIUS servers' figures of workers that are gone, by (0 auth / 1 acct, "ADDRESS:PORT").
  std::map<std::pair<int, std::string>, radius::ServerStats> retired_radius_;
  void retire_radius_servers(unsigned slot);
  std::int64_t next_spool_replay_ = 0;
  std::unique_ptr<Standby> standby_;
  /// The kernel fast path (fast-path yes and loaded): before the workers, who use its maps.
  std::unique_ptr<dataplane::FastPath> fast_path_;
  void open_fast_path();
  /// `show session`: fast or slow path and why; the kernel's live counters when fast.
  ctl::Json fast_path_json(std::uint16_t sid, const dataplane::SessionRecord& r) const;
  std::unique_ptr<metrics::HttpEndpoint> metrics_;
  ServiceNotifier notify_;  ///< systemd (Type=notify): readiness, status, watchdog
  FailureLog failures_;     ///< `pppoectl show failures`
  // `pppoectl debug` (subscriber_debug.cpp): who is being debugged, by slot of LiveSettings::debug.
  std::array<std::string, dataplane::kDebugTargets> debug_names_;
  ctl::Json set_debug(const ctl::Json& request);
  void expire_debug(std::int64_t now_unix);
  /// systemd's STATUS= line: sessions and workers.
  std::string status_line() const;
  struct GovernorCounts {
    std::uint64_t scale_up = 0, scale_down = 0, cancel_drain = 0;
  } governor_counts_;
  struct Reload {
    std::uint32_t generation = 0;  ///< reloads so far
    unsigned waiting = 0;          ///< workers that have not answered the last one
    unsigned failed = 0;           ///< workers that could not apply it
    TimePoint started{};
    std::int64_t last_unix = 0;
  } reload_;
};

}  // namespace pppoe::master
