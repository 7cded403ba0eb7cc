// One L2TPv2 incoming call (RFC 2661 section 7.4.1), either end, on an established tunnel:
// the LAC sends ICRQ, the LNS answers ICRP, the LAC confirms with ICCN (carrying the Proxy LCP
// and Proxy Authentication AVPs of section 4.4.5, so that the LNS can skip what the LAC
// already negotiated with the subscriber); CDN ends it from either side (section 6.11).
//
// Pure: messages go out through the tunnel (Tunnel::send_session), time is not needed (the
// tunnel's reliable delivery retransmits). An unknown mandatory AVP in a session message ends
// the session with CDN, not the tunnel (section 4.1).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proto/l2tp/l2tp.hpp"

namespace pppoe::l2tp {

/// RFC 5515: the access line AVPs are the Broadband Forum's (IANA enterprise 3561).
inline constexpr std::uint16_t kVendorBroadbandForum = 3561;
inline constexpr std::uint16_t kAgentCircuitId = 1, kAgentRemoteId = 2;

enum class SessionState : std::uint8_t { kIdle, kWaitReply, kWaitConnect, kEstablished, kClosed };
const char* to_string(SessionState s);

/// What the LAC knows of the subscriber when it places the call: the line (Calling/Called
/// Number, RFC 5515's Agent-Circuit-Id and Agent-Remote-Id), the speed, and what PPP already
/// did on the PPPoE side.
struct CallInfo {
  std::uint32_t serial = 0;
  std::string calling_number;  ///< e.g. the subscriber's MAC or Agent-Circuit-Id
  std::string called_number;   ///< e.g. the PPPoE Service-Name
  std::uint32_t tx_connect_speed = 0;  ///< bits/s
  std::uint32_t rx_connect_speed = 0;
  std::uint32_t physical_channel = 0;
  // RFC 5515 access line identification: the TR-101 Agent-Circuit-Id and Agent-Remote-Id the
  // access node put into PPPoE discovery (Broadband Forum vendor AVPs, never mandatory).
  std::string circuit_id;
  std::string remote_id;
  // Proxy LCP (section 4.4.5): the options of the LCP Configure-Requests, as on the wire.
  std::vector<std::uint8_t> initial_received_confreq;
  std::vector<std::uint8_t> last_sent_confreq;
  std::vector<std::uint8_t> last_received_confreq;
  // Proxy Authentication: type 2 CHAP, 3 PAP, 5 MS-CHAPv1 (section 4.4.5); 0 = none sent.
  std::uint16_t proxy_auth_type = 0;
  std::string proxy_auth_name;
  std::vector<std::uint8_t> proxy_auth_challenge;
  std::uint16_t proxy_auth_id = 0;
  std::vector<std::uint8_t> proxy_auth_response;  ///< a secret for PAP: sent hidden when the tunnel has a secret
};

class SessionOutput {
 public:
  virtual ~SessionOutput() = default;
  /// A control message for the peer's session `peer_session_id` (0 before it is known).
  virtual void send_session(std::uint16_t peer_session_id, Bytes avps) = 0;
  /// Random octets (the Random Vector of hidden AVPs).
  virtual void random(MutableBytes out) = 0;
  virtual void session_up() = 0;
  /// The call ended: result code (section 4.4.2, CDN), and why in words.
  virtual void session_down(std::uint16_t result, const std::string& why) = 0;
};

class Session {
 public:
  /// `local_id` is our Assigned Session ID; `secret` the tunnel's (for hidden AVPs).
  Session(SessionOutput& out, std::uint16_t local_id, std::string secret);

  /// LAC: places the call (ICRQ).
  void place(const CallInfo& call);
  /// A session message from the peer (the tunnel decoded it).
  void receive(const ControlMessage& m);
  /// Ends the call with CDN.
  void disconnect(std::uint16_t result, std::uint16_t error, const std::string& why);

  [[nodiscard]] SessionState state() const { return state_; }
  [[nodiscard]] std::uint16_t local_id() const { return local_id_; }
  [[nodiscard]] std::uint16_t peer_id() const { return peer_id_; }
  [[nodiscard]] bool sequencing_required() const { return sequencing_required_; }
  /// LNS: what the LAC told in ICRQ and ICCN.
  [[nodiscard]] const CallInfo& call() const { return call_; }
  [[nodiscard]] std::uint32_t framing_type() const { return framing_type_; }

 private:
  void on_icrq(const ControlMessage& m);
  void on_icrp(const ControlMessage& m);
  void on_iccn(const ControlMessage& m);
  void close(std::uint16_t result, const std::string& why);

  SessionOutput& out_;
  std::uint16_t local_id_;
  std::uint16_t peer_id_ = 0;
  std::string secret_;
  SessionState state_ = SessionState::kIdle;
  CallInfo call_;
  std::uint32_t framing_type_ = 0;
  bool sequencing_required_ = false;
  std::vector<std::uint8_t> buf_;
};

}  // namespace pppoe::l2tp
