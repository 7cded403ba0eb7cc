// One L2TPv2 control connection (RFC 2661 section 7.2), either end: the LAC opens it
// (SCCRQ -> SCCRP -> SCCCN), the LNS answers; tunnel authentication by Challenge and Challenge
// Response (section 5.1.1) when a secret is configured; HELLO keep-alive on an idle tunnel
// (section 6.5); StopCCN to close (section 6.4), with the reliable delivery of reliable.hpp
// underneath. Sessions (ICRQ/ICRP/ICCN/CDN) ride on it: their messages are handed to the
// owner through TunnelEvents.
//
// Pure: time is passed in, random octets are injected, datagrams go out through
// ReliableOutput. A tunnel that fails (no acknowledgement after the retransmissions, a bad
// challenge response, an unknown mandatory AVP, a message out of place) ends with a StopCCN
// carrying the RFC's result and error codes, and says why.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "proto/l2tp/l2tp.hpp"
#include "l2tp/reliable.hpp"

namespace pppoe::l2tp {

enum class TunnelState : std::uint8_t { kIdle, kWaitCtlReply, kWaitCtlConn, kEstablished, kClosing, kClosed };
const char* to_string(TunnelState s);

struct TunnelSettings {
  std::string host_name = "pppoed";
  std::string vendor_name = "pppoed";
  std::string secret;  ///< tunnel authentication; empty = none (never logged)
  std::uint16_t local_tunnel_id = 0;
  std::uint32_t framing_capabilities = 0x3;  ///< sync and async (section 4.4.3)
  std::uint32_t bearer_capabilities = 0x0;
  Duration hello_interval = seconds(60);
  Duration closing_hold = seconds(31);  ///< after StopCCN, state kept for retransmissions (section 5.7)
  /// LNS: answer the SCCRQ with StopCCN and this result (e.g. 4, not authorized) instead of SCCRP.
  std::uint16_t refuse_result = 0;
  std::string refuse_why;
  ReliableSettings reliable;
};

/// What the peer told about itself in SCCRQ/SCCRP.
struct PeerInfo {
  std::uint16_t tunnel_id = 0;
  std::string host_name;
  std::string vendor_name;
  std::uint16_t receive_window = 4;
  std::uint32_t framing_capabilities = 0;
  std::uint16_t protocol_version = 0;
};

struct TunnelCounters {
  std::uint64_t hello_sent = 0, hello_received = 0;
  std::uint64_t bad_messages = 0;         ///< out of place, missing AVPs, undecodable
  std::uint64_t auth_failures = 0;        ///< a wrong or missing Challenge Response
  std::uint64_t unknown_mandatory = 0;    ///< unknown mandatory AVPs (the tunnel or session ends)
};

class TunnelEvents {
 public:
  virtual ~TunnelEvents() = default;
  virtual void tunnel_up() = 0;
  /// The tunnel is over: result code and a reason in words (for the log and `show tunnel`).
  virtual void tunnel_down(std::uint16_t result, const std::string& why) = 0;
  /// A session's control message (ICRQ, ICRP, ICCN, CDN, WEN, SLI) on an established tunnel.
  virtual void session_message(std::uint16_t session_id, const ControlMessage& m) = 0;
};

class Tunnel {
 public:
  /// `random` fills challenges and random vectors (a CSPRNG in the daemon, a counter in tests).
  Tunnel(ReliableOutput& out, TunnelEvents& events, TunnelSettings settings,
         std::function<void(MutableBytes)> random);

  /// LAC: sends SCCRQ.
  void open(TimePoint now);
  /// A control message for this tunnel (header decoded, AVPs raw).
  void receive(const Header& h, Bytes avps, TimePoint now);
  void tick(TimePoint now);
  /// The acknowledgement of what arrived in this receive batch (ReliableChannel::flush_ack).
  void flush_ack() { channel_.flush_ack(); }
  [[nodiscard]] std::optional<TimePoint> next_deadline() const;
  /// StopCCN with `result` (section 4.4.2), then closing.
  void close(std::uint16_t result, std::uint16_t error, const std::string& why, TimePoint now);
  /// Sends a session's control message (AVPs, Message Type first) on this tunnel (0: a
  /// message of the tunnel itself).
  void send_session(std::uint16_t peer_session_id, Bytes avps, TimePoint now);

  [[nodiscard]] TunnelState state() const { return state_; }
  [[nodiscard]] const PeerInfo& peer() const { return peer_; }
  [[nodiscard]] const TunnelSettings& settings() const { return settings_; }
  [[nodiscard]] const ReliableChannel& channel() const { return channel_; }
  [[nodiscard]] const TunnelCounters& counters() const { return counters_; }
  [[nodiscard]] bool initiator() const { return initiator_; }
  [[nodiscard]] TimePoint state_since() const { return state_since_; }

 private:
  void deliver(std::uint16_t session_id, Bytes avps, TimePoint now);
  void on_sccrq(const ControlMessage& m, TimePoint now);
  void on_sccrp(const ControlMessage& m, TimePoint now);
  void on_scccn(const ControlMessage& m, TimePoint now);
  bool read_peer(const ControlMessage& m);
  /// Checks the peer's Challenge Response to our challenge, as it must be in `in`.
  bool response_ok(const ControlMessage& m, MessageType in);
  void send_tunnel(Bytes avps, TimePoint now);
  void set_state(TunnelState s, TimePoint now);
  /// False (and StopCCN, not authorized) when the peer challenged us and we have no secret.
  bool can_answer_challenge(TimePoint now);
  void begin_control(AvpWriter& w, MessageType type);

  TunnelEvents& events_;
  TunnelSettings settings_;
  std::function<void(MutableBytes)> random_;
  ReliableChannel channel_;
  TunnelState state_ = TunnelState::kIdle;
  TimePoint state_since_{};
  TimePoint closed_at_{};
  TimePoint last_activity_{};
  PeerInfo peer_;
  bool initiator_ = false;
  std::array<std::uint8_t, 16> our_challenge_{};
  std::optional<std::vector<std::uint8_t>> peer_challenge_;
  TunnelCounters counters_;
  std::vector<std::uint8_t> buf_;
};

}  // namespace pppoe::l2tp
