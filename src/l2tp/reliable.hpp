// Reliable delivery of L2TP control messages (RFC 2661 section 5.8 and appendix A): one per
// tunnel, shared by the tunnel's own messages and its sessions' (ICRQ, CDN, ...).
//
// - Sending: each new message takes the next Ns; at most min(cwnd, the peer's Receive Window
//   Size) are unacknowledged at once, the rest wait in order. Slow start (cwnd + 1 per ack up to
//   ssthresh), then congestion avoidance (+1 per cwnd acks); a retransmission halves ssthresh
//   and sets cwnd to 1 (appendix A). The oldest unacknowledged message is retransmitted with
//   a doubling timeout (1 s, capped at 8 s) carrying the current Nr; after the configured number
//   of retransmissions the channel has failed and the tunnel must go (section 5.8).
// - Receiving: the message with Ns == Nr is delivered and Nr advances (buffered later messages
//   within our window follow in order); a duplicate (Ns < Nr) is dropped and acknowledged at
//   once, since our earlier acknowledgement was evidently lost; a message beyond our window is
//   dropped. Acknowledgements ride on the next message we send, or go as a ZLB (a message
//   without AVPs) after a short delay.
//
// Pure: time is passed in, datagrams go out through ReliableOutput.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "proto/l2tp/l2tp.hpp"

namespace pppoe::l2tp {

struct ReliableSettings {
  std::uint16_t receive_window = 16;  ///< ours: how many out-of-order messages we hold (advertised in SCCRQ/SCCRP)
  Duration first_timeout = seconds(1);
  Duration max_timeout = seconds(8);
  unsigned max_retransmissions = 5;
  Duration ack_delay = milliseconds(100);  ///< a ZLB goes out when nothing carried the ack by then
};

struct ReliableCounters {
  std::uint64_t sent = 0;           ///< messages sent the first time
  std::uint64_t retransmitted = 0;
  std::uint64_t acked = 0;          ///< of ours, acknowledged
  std::uint64_t delivered = 0;      ///< of the peer's, delivered in order
  std::uint64_t duplicates = 0;     ///< of the peer's, already delivered (acknowledged again)
  std::uint64_t out_of_window = 0;  ///< of the peer's, beyond our window (dropped)
  std::uint64_t reordered = 0;      ///< of the peer's, held until the gap before them was filled
  std::uint64_t zlb_sent = 0;
  std::uint64_t zlb_received = 0;
};

class ReliableOutput {
 public:
  virtual ~ReliableOutput() = default;
  /// One control message, header included, to the peer.
  virtual void transmit(Bytes datagram) = 0;
};

class ReliableChannel {
 public:
  using Deliver = std::function<void(std::uint16_t session_id, Bytes avps)>;

  ReliableChannel(ReliableOutput& out, ReliableSettings settings);

  /// The peer's tunnel ID (its Assigned Tunnel ID); 0 until known (SCCRQ goes to tunnel 0).
  void set_peer_tunnel_id(std::uint16_t id) { peer_tunnel_id_ = id; }
  /// The peer's Receive Window Size (section 4.4.3; 4 when it sends none); also the first ssthresh.
  void set_peer_window(std::uint16_t window);
  /// Queues a control message (its AVPs, Message Type first) for `session_id` (0: the tunnel).
  void send(std::uint16_t session_id, Bytes avps, TimePoint now);
  /// A control message of this tunnel arrived; `deliver` gets it (and any buffered ones it
  /// unblocks) in sequence.
  void receive(const Header& h, Bytes avps, TimePoint now, const Deliver& deliver);
  /// Retransmissions and delayed acknowledgements.
  void tick(TimePoint now);
  /// Acknowledges now what arrived, unless a message of ours already carried the Nr: called
  /// after a receive batch, so that one ZLB answers a burst and the peer's window reopens at
  /// once (waiting for ack_delay caps a tunnel at a window per ack_delay: ~160 messages/s).
  void flush_ack() {
    if (ack_due_) send_zlb();
  }
  [[nodiscard]] std::optional<TimePoint> next_deadline() const;

  /// The peer did not acknowledge a message after max_retransmissions: the tunnel is dead.
  [[nodiscard]] bool failed() const { return failed_; }
  /// Nothing waits for an acknowledgement and nothing is queued.
  [[nodiscard]] bool idle() const { return unacked_.empty() && waiting_.empty(); }
  [[nodiscard]] std::uint16_t ns() const { return next_ns_; }
  [[nodiscard]] std::uint16_t nr() const { return nr_; }
  [[nodiscard]] unsigned cwnd() const { return cwnd_; }
  [[nodiscard]] unsigned ssthresh() const { return ssthresh_; }
  [[nodiscard]] std::uint16_t peer_window() const { return peer_window_; }
  [[nodiscard]] std::size_t in_flight() const { return unacked_.size(); }
  [[nodiscard]] const ReliableCounters& counters() const { return counters_; }

 private:
  struct Outgoing {
    std::uint16_t ns = 0;
    std::uint16_t session_id = 0;
    std::vector<std::uint8_t> avps;
    TimePoint deadline{};
    Duration timeout{};
    unsigned retransmissions = 0;
  };
  void transmit(const Outgoing& m);
  void fill_window(TimePoint now);
  void acknowledge_up_to(std::uint16_t nr, TimePoint now);
  void send_zlb();

  ReliableOutput& out_;
  ReliableSettings settings_;
  std::uint16_t peer_tunnel_id_ = 0;
  std::uint16_t peer_window_ = 4;
  std::uint16_t next_ns_ = 0;
  std::uint16_t nr_ = 0;
  unsigned cwnd_ = 1;
  unsigned ssthresh_ = 4;
  unsigned acks_in_round_ = 0;  ///< congestion avoidance: acks counted toward the next cwnd step
  std::deque<Outgoing> unacked_;
  std::deque<Outgoing> waiting_;  ///< Ns not yet assigned: beyond the window
  std::map<std::uint16_t, std::pair<std::uint16_t, std::vector<std::uint8_t>>> held_;  ///< out of order, by Ns
  std::optional<TimePoint> ack_due_;
  bool failed_ = false;
  ReliableCounters counters_;
  std::vector<std::uint8_t> frame_;
};

/// Sequence numbers compare modulo 2^16 (section 5.8).
inline bool seq_before(std::uint16_t a, std::uint16_t b) { return static_cast<std::int16_t>(a - b) < 0; }

}  // namespace pppoe::l2tp
