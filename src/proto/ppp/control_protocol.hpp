// One negotiating control protocol (LCP, IPCP or IPv6CP): the RFC 1661 automaton of fsm.hpp
// plus the packet handling around it. Protocol specifics (which options, what to accept)
// live behind CpHandler; time is injected through tick(now) and output through CpOutput,
// so every transition runs in unit tests without sockets or sleeps (style.md habit 5).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "proto/ppp/cp_packet.hpp"
#include "proto/ppp/fsm.hpp"

namespace pppoe::ppp {

/// RFC 1661 section 4.6 counters and timer, with the RFC's suggested defaults.
struct CpConfig {
  Duration restart_timer = seconds(3);
  unsigned max_configure = 10;
  unsigned max_terminate = 2;
  unsigned max_failure = 5;
};

enum class OptionVerdict : std::uint8_t { kAck, kNak, kReject };

class CpHandler {
 public:
  virtual ~CpHandler() = default;
  /// Writes our Configure-Request options.
  virtual void write_request(ByteWriter& w) = 0;
  /// Judges one option of the peer's Configure-Request. For kNak, writes the whole
  /// suggested option (type, length, value) into `nak`.
  virtual OptionVerdict check_option(const Option& opt, ByteWriter& nak) = 0;
  /// After every option was judged: Nak options we need that the peer left out.
  virtual void check_missing(std::span<const Option> opts, ByteWriter& nak) {
    (void)opts;
    (void)nak;
  }
  /// The peer's request is being acknowledged: adopt its values.
  virtual void peer_request_acked(std::span<const Option> opts) = 0;
  virtual void on_nak(std::span<const Option> opts) = 0;
  virtual void on_reject(std::span<const Option> opts) = 0;
  virtual void this_layer_up() = 0;
  virtual void this_layer_down() = 0;
  virtual void this_layer_started() = 0;
  virtual void this_layer_finished() = 0;
  /// LCP only: our Magic-Number for Echo-Reply (RFC 1661 section 5.8).
  virtual std::uint32_t local_magic() const { return 0; }
  /// LCP only: an Echo-Reply arrived.
  virtual void on_echo_reply(std::uint32_t peer_magic) { (void)peer_magic; }
  /// LCP only: the peer rejected `protocol`. Returns true when that is catastrophic (RXJ-).
  virtual bool on_protocol_reject(std::uint16_t protocol) {
    (void)protocol;
    return false;
  }
};

class CpOutput {
 public:
  virtual ~CpOutput() = default;
  virtual void send_control(Protocol protocol, Bytes packet) = 0;
};

/// Per-protocol counters of one session (the link reports malformed and unknown-code frames
/// to the worker's drop counters).
struct CpCounters {  // 32 bits: one session's frames, and the control budget caps their rate
  std::uint32_t rx_malformed = 0;
  std::uint32_t rx_unknown_code = 0;  ///< answered with Code-Reject (RFC 1661 section 5.6)
  std::uint32_t rx_bad_id = 0;
  std::uint32_t illegal_events = 0;
  std::uint32_t loops_detected = 0;
};

class ControlProtocol {
 public:
  ControlProtocol(Protocol protocol, CpHandler& handler, CpOutput& output, CpConfig config = {});

  // Administrative and lower-layer events (RFC 1661 section 4.3).
  void up(TimePoint now) { dispatch(Event::kUp, now); }
  void down(TimePoint now) { dispatch(Event::kDown, now); }
  void open(TimePoint now) { dispatch(Event::kOpen, now); }
  void close(TimePoint now) { dispatch(Event::kClose, now); }

  /// A packet of this protocol arrived (the PPP protocol field already removed).
  void receive(Bytes packet, TimePoint now);
  /// Drives the restart timer; call at least every few hundred milliseconds.
  void tick(TimePoint now);
  /// Feeds a raw event; public for the table-driven tests.
  void dispatch(Event event, TimePoint now);

  [[nodiscard]] State state() const { return state_; }
  [[nodiscard]] unsigned restart_counter() const { return restart_counter_; }
  [[nodiscard]] std::optional<TimePoint> timer_deadline() const { return deadline_; }
  [[nodiscard]] const CpCounters& counters() const { return counters_; }
  [[nodiscard]] Protocol protocol() const { return protocol_; }

  /// A link resumed from saved state (pppoec after a restart): Opened without negotiating,
  /// the next identifier where the saved one left off.
  void restore_opened(std::uint8_t next_id) {
    state_ = State::kOpened;
    next_id_ = next_id;
    deadline_.reset();
  }
  [[nodiscard]] std::uint8_t next_id() const { return next_id_; }

  /// Sends an LCP Protocol-Reject for `rejected_protocol` (RFC 1661 section 5.7).
  void send_protocol_reject(std::uint16_t rejected_protocol, Bytes information);
  /// Sends an LCP Echo-Request carrying our magic number.
  void send_echo_request();

 private:
  void run(Action action, const Transition& t);
  void judge_request(std::span<const Option> opts);
  void send(std::uint8_t code, std::uint8_t id, Bytes data);
  void restart_timer(TimePoint now) { deadline_ = now + config_.restart_timer; }

  // Ordered to leave no padding: one of these per control protocol per session.
  CpHandler& handler_;
  CpOutput& output_;
  CpConfig config_;
  State state_ = State::kInitial;
  Protocol protocol_;
  unsigned restart_counter_ = 0;
  unsigned naks_sent_ = 0;
  std::optional<TimePoint> deadline_;
  TimePoint now_{};
  std::uint8_t next_id_ = 1;
  std::uint8_t request_id_ = 0;
  std::uint8_t echo_id_ = 0;
  std::uint8_t request_size_ = 0;
  /// Our last Configure-Request data, to match Acks. Our requests carry at most 18 octets of
  /// options (LCP: MRU 4 + auth 4-5 + magic 6 = 15; IPCP client with two DNS: 18; IPv6CP: 10);
  /// 48 leaves room and costs 48 octets per protocol, three per session.
  std::array<std::uint8_t, 48> request_{};

  /// The packet being processed (for the sca/scn/sta/scj/ser actions) and the Configure-Nak or
  /// -Reject being built for it. Needed only within one receive(), and receive() never nests,
  /// so one per thread serves every session: 1.5 KiB less per protocol, three protocols per
  /// session, 64,000 sessions.
  struct Received {
    CpPacket packet{};
    Bytes raw{};
    std::array<std::uint8_t, 1500> reply{};
    std::size_t reply_size = 0;
    std::uint8_t reply_code = 0;
  };
  static thread_local Received received_;
  CpCounters counters_;
};

}  // namespace pppoe::ppp
