// pppoec's process: one PPPoE session for one profile, from discovery to a configured TUN,
// kept up according to the mode, and its data plane.
//
//   Ethernet (AF_PACKET ring) --PPPoE 0x8864--> decapsulate, clamp MSS --> TUN (io_uring batch writes)
//   TUN (multishot io_uring read) --> clamp MSS, encapsulate --> Ethernet (sendmmsg batches)
//
// The same parts as pppoed's workers, so that a packet costs a small fraction of a system call
// (spec/001's userland client collapsed at 40-70 Mbit/s paying several per packet).
//
// Modes (ppp(8)): -ddial dials at start and again after any loss (reconnect/redial pacing
// with a capped exponential back-off); -auto dials on the first packet routed into the TUN and
// hangs up after `set timeout` seconds without traffic; -foreground dials once and exits when
// the session ends.
//
// The session's state is kept in a state file (session_record.hpp); started again after a crash,
// the daemon resumes the session from it without discovery or authentication when the AC still
// answers an LCP Echo-Request, and otherwise sends PADT and dials anew.
//
// In a router pair (`set pair`, daemon_pair.cpp) the daemon speaks only while keepalived has
// made its router MASTER; as BACKUP it is silent and holds the MASTER's streamed record, and
// taking over resumes that record exactly as a restart resumes the state file.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "ctl/control_socket.hpp"
#include "dataplane/packet_socket.hpp"
#include "dataplane/tun_batch_reader.hpp"
#include "dataplane/tun_batch_writer.hpp"
#include "dataplane/tun_device.hpp"
#include "pppoec/discovery_client.hpp"
#include "proto/ether.hpp"
#include "pppoec/profile.hpp"
#include "pppoec/link_interface.hpp"
#include "sync/channel.hpp"
#include "pppoec/session_record.hpp"
#include "sync/vrrp_notify.hpp"
#include "session/client_session.hpp"

namespace pppoe::pppoec {

enum class Mode : std::uint8_t { kDdial, kAuto, kForeground };
const char* to_string(Mode m);

/// SIGINT, SIGTERM and SIGHUP blocked and delivered through the returned signalfd (the
/// daemons' loops read it: each ends the session properly), SIGPIPE ignored.
int termination_signal_fd();

struct DaemonOptions {
  Mode mode = Mode::kDdial;
  std::string conf_path;        ///< ppp.conf; ppp.linkup and ppp.linkdown are read beside it
  std::string state_path;       ///< the state file ("" = none)
  std::string resolv_conf = "/etc/resolv.conf";  ///< written only with `enable dns`
  bool use_io_uring = true;
};

/// Bad input seen on the wire, one counter per kind (shown by `show link`).
struct ClientDropCounters {
  std::uint64_t ether_malformed = 0;
  std::uint64_t pppoe_malformed = 0;
  std::uint64_t tags_malformed = 0;
  std::uint64_t not_our_session = 0;      ///< session frames for another session or from another MAC
  std::uint64_t unknown_session_padt = 0; ///< of those, answered with PADT (rate-limited)
  std::uint64_t padt_not_ours = 0;        ///< PADTs for a session we do not hold
  std::uint64_t ppp_too_short = 0;
  std::uint64_t ip_too_large = 0;         ///< a TUN packet larger than the session's MTU
  std::uint64_t no_session = 0;           ///< TUN packets while the session was not up
  std::uint64_t tun_write_failed = 0;
  std::uint64_t standby_frames = 0;     ///< pair BACKUP: frames seen and left unanswered
  std::uint64_t standby_silenced = 0;   ///< pair BACKUP: frames we would have sent (must stay 0)
};

/// The router pair's side of the daemon (daemon_pair.cpp).
enum class PairRole : std::uint8_t { kNone, kBackup, kMaster };
const char* to_string(PairRole r);

struct PairCounters {
  std::uint64_t takeovers = 0;           ///< became MASTER
  std::uint64_t takeovers_resumed = 0;   ///< ... and the AC confirmed the peer's session
  std::uint64_t takeovers_redialled = 0; ///< ... the record was stale or missing: PADT and dial
  std::uint64_t demotions = 0;           ///< became BACKUP (went silent)
  std::uint64_t records_applied = 0;     ///< the peer's records held (BACKUP)
  std::uint64_t records_ignored = 0;     ///< the peer's records while we speak for the session (split brain)
  std::uint64_t records_refused = 0;     ///< authenticated but not a valid record for our MAC
  std::uint64_t gone_received = 0;
};

struct DataCounters {
  std::uint64_t packets_in = 0, bytes_in = 0, packets_out = 0, bytes_out = 0;
  std::uint64_t mss_clamped = 0;
  std::uint64_t sources_rewritten = 0;  ///< -auto: held packets given the negotiated source
};

class Daemon final : public session::LinkOutput, public DiscoveryOutput {
 public:
  static std::expected<std::unique_ptr<Daemon>, std::string> create(Profile profile, DaemonOptions options);
  ~Daemon() override;

  /// Runs until a signal or a control command ends it; returns the process exit code.
  int run();

 private:
  enum class Stage : std::uint8_t { kIdle, kDiscovery, kNegotiating, kResuming, kUp, kWaitRedial, kClosed, kStandby };
  static const char* to_string(Stage s);

  Daemon(Profile profile, DaemonOptions options, dataplane::PacketSocket socket, dataplane::TunDevice tun);

  // session::LinkOutput
  void send_ppp(ppp::Protocol protocol, Bytes payload) override;
  void network_up() override;
  void ipv6_up() override;
  void link_dead(session::EndReason reason) override;
  // DiscoveryOutput
  void send_discovery(pppoe_proto::Code code, const MacAddress& dst, std::uint16_t session_id,
                      const pppoe_proto::Tags& tags) override;

  /// Ethernet, PPPoE session header and PPP protocol field of a frame to the AC.
  void write_session_headers(ByteWriter& w, ppp::Protocol protocol, std::size_t payload_size) const;
  void dial(const char* why);
  void hang_up(session::EndReason reason);
  void schedule_redial(bool lost_while_up);
  bool try_resume();
  /// Continues the session of `r` (the state file, or the pair's record) if the AC confirms it
  /// with an LCP echo reply within the resume window; otherwise PADT and a fresh dial.
  void resume_from(const SessionRecord& r, const std::string& source);
  [[nodiscard]] SessionRecord make_record() const;
  [[nodiscard]] LinkAddresses record_addresses(const SessionRecord& r) const;
  void start_link();
  void on_frame(Bytes frame);
  void on_discovery_frame(const ether::Header& eth, Bytes payload);
  void on_session_frame(const ether::Header& eth, Bytes payload);
  void on_tun_packet(Bytes packet);
  /// A PPP link exists and is not dead (also while it terminates at exit).
  [[nodiscard]] bool session_live() const { return link_ && link_->phase() != session::Phase::kDead; }
  void send_ip(Bytes packet, bool ipv6);
  void tick();
  void configure_interface_up();
  void configure_interface_down();
  void save_state();
  void remove_state();
  std::uint16_t session_mtu() const;
  Duration next_timeout() const;

  // router pair (daemon_pair.cpp)
  [[nodiscard]] bool silent() const { return role_ == PairRole::kBackup; }
  std::expected<void, std::string> pair_open();
  void on_vrrp_state(sync::VrrpState state, const std::string& text);
  void become_master(const std::string& why);
  void become_backup(const std::string& why);
  void on_pair_message(const sync::Message& m);
  void pair_tick();
  void publish_record();
  void publish_gone(const std::string& reason);
  std::string show_pair() const;
  ctl::Json pair_json() const;

  // control (control_commands.cpp)
  ctl::Json handle_control(const ctl::Json& request);
  std::string show_iface() const;
  std::string show_lcp() const;
  std::string show_ipcp() const;
  std::string show_link() const;
  ctl::Json status_json() const;

  Profile profile_;
  DaemonOptions options_;
  dataplane::PacketSocket socket_;
  dataplane::TunDevice tun_;
  std::unique_ptr<dataplane::TunBatchReader> tun_reader_;
  std::unique_ptr<dataplane::TunBatchWriter> tun_writer_;
  std::optional<ctl::ControlServer> control_;
  std::unique_ptr<LinkInterface> iface_;
  MacAddress our_mac_;
  std::uint16_t session_ether_type_ = 0x8864;
  std::uint16_t discovery_ether_type_ = 0x8863;
  DiscoveryClient discovery_;
  std::unique_ptr<session::ClientSession> link_;
  Stage stage_ = Stage::kIdle;
  TimePoint now_{};
  TimePoint redial_at_{};
  TimePoint resume_deadline_{};
  TimePoint last_traffic_{};
  TimePoint resume_next_probe_{};
  std::uint64_t resume_replies_ = 0;
  unsigned failures_in_row_ = 0;
  unsigned reconnects_left_ = 0;
  std::uint32_t seed_ = 0;
  bool exit_requested_ = false;
  bool closed_by_operator_ = false;  ///< `close` on the control socket; `dial` clears it
  int exit_code_ = 0;
  bool state_dirty_ = false;
  std::uint64_t up_unix_ms_ = 0;
  std::uint64_t sessions_up_ = 0, sessions_resumed_ = 0, redials_ = 0;
  std::string last_end_reason_ = "none";
  std::deque<std::vector<std::uint8_t>> pending_;  ///< -auto: packets that started the dial
  ClientDropCounters drops_;
  DataCounters data_;
  PairRole role_ = PairRole::kNone;
  std::unique_ptr<sync::Channel> pair_;
  std::optional<sync::VrrpFifo> vrrp_;
  std::optional<SessionRecord> held_;  ///< BACKUP: the MASTER's latest record
  TimePoint held_at_{};
  TimePoint role_since_{};
  TimePoint next_publish_{};
  bool takeover_pending_ = false;  ///< resuming the peer's record: counted when confirmed
  TimePoint reannounce_at_{};      ///< after a takeover: one more Echo-Request (see become_master)
  std::string vrrp_state_ = "unknown";
  PairCounters pair_counters_;
  log::RateLimit pair_log_{1, 5};
  log::RateLimit bad_frame_log_{1, 5};
  log::RateLimit unknown_padt_limit_{2, 4};  ///< PADTs for unknown sessions per second
};

}  // namespace pppoe::pppoec
