// The subscriber's half of PPPoE discovery (RFC 2516 section 5):
//
//   Idle --start--> PadiSent --PADO (ours, acceptable)--> PadrSent --PADS--> Session
//                     ^  | no PADO: PADI again, timeout doubled        | no PADS: PADR again,
//                     |  v                                             | doubled; then PADI anew
//                     +-- (attempts used up) --> Failed <--------------+
//
// A PADO is ours when it echoes our Host-Uniq (section 5.2) and acceptable when it offers the
// Service-Name we asked for (any, when we asked for "") and, if set, carries the AC-Name we
// want; AC-Cookie and Relay-Session-Id are echoed in the PADR (5.3, 5.4). PPP-Max-Payload
// (RFC 4638) is asked for when the MTU wants more than 1492 and used only when the PADS agrees.
// Frames out through DiscoveryOutput; time is passed in; no sockets here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/mac.hpp"
#include "proto/pppoe.hpp"

namespace pppoe::pppoec {

struct DiscoverySettings {
  std::string service;                ///< Service-Name to ask for ("" = any service)
  std::string ac_name;                ///< accept only this AC ("" = the first acceptable PADO)
  std::uint16_t max_payload = 0;      ///< RFC 4638 PPP-Max-Payload to ask for (0 = none)
  std::vector<std::uint8_t> host_uniq;
  Duration first_timeout = seconds(1);
  Duration max_timeout = seconds(16);
  unsigned padi_attempts = 5;  ///< PADIs per start before Failed
  unsigned padr_attempts = 3;  ///< PADRs before going back to PADI
};

class DiscoveryOutput {
 public:
  virtual ~DiscoveryOutput() = default;
  virtual void send_discovery(pppoe_proto::Code code, const MacAddress& dst, std::uint16_t session_id,
                              const pppoe_proto::Tags& tags) = 0;
};

struct DiscoveryCounters {
  std::uint64_t padi_sent = 0, pado_received = 0, padr_sent = 0, pads_received = 0;
  std::uint64_t padt_sent = 0, padt_received = 0;
  std::uint64_t pado_not_ours = 0;     ///< wrong Host-Uniq, or not waiting for one
  std::uint64_t pado_unwanted = 0;     ///< service or AC name not what we asked for
  std::uint64_t error_tags = 0;        ///< Service-Name-Error, AC-System-Error, Generic-Error
  std::uint64_t pads_rejected = 0;     ///< PADS with an error or session ID 0
  std::uint64_t retransmits = 0;
};

class DiscoveryClient {
 public:
  enum class State : std::uint8_t { kIdle, kPadiSent, kPadrSent, kSession, kFailed };

  DiscoveryClient(DiscoveryOutput& out, DiscoverySettings settings) : out_(out), settings_(std::move(settings)) {}

  void start(TimePoint now);
  /// A discovery frame (0x8863) from `src`.
  void receive(const MacAddress& src, const pppoe_proto::Packet& packet, const pppoe_proto::Tags& tags,
               TimePoint now);
  void tick(TimePoint now);
  [[nodiscard]] std::optional<TimePoint> next_deadline() const;
  /// Sends PADT for the session (section 5.5) and returns to Idle.
  void terminate(const std::string& reason);
  /// The session ended by the AC's PADT or otherwise: back to Idle without sending anything.
  void reset() { state_ = State::kIdle; }
  /// A session taken over from a state file: Session without discovery.
  void adopt(const MacAddress& ac, std::uint16_t session_id, std::uint16_t max_payload);

  [[nodiscard]] State state() const { return state_; }
  [[nodiscard]] const MacAddress& ac_mac() const { return ac_mac_; }
  [[nodiscard]] std::uint16_t session_id() const { return session_id_; }
  [[nodiscard]] const std::string& ac_name() const { return ac_name_seen_; }
  [[nodiscard]] const std::string& service() const { return service_seen_; }
  /// RFC 4638: the PPP-Max-Payload the AC confirmed in the PADS (0: none, 1492 applies).
  [[nodiscard]] std::uint16_t max_payload() const { return max_payload_; }
  /// Why the last attempt failed (for logs and `show link`).
  [[nodiscard]] const std::string& failure() const { return failure_; }
  [[nodiscard]] const DiscoveryCounters& counters() const { return counters_; }

 private:
  /// Enters PadiSent or PadrSent with a fresh retransmission schedule and sends its frame.
  void enter(State s, TimePoint now);
  void send_padi();
  void send_padr();
  bool ours(const pppoe_proto::Tags& tags) const;
  void fail(std::string why);

  DiscoveryOutput& out_;
  DiscoverySettings settings_;
  State state_ = State::kIdle;
  MacAddress ac_mac_;
  std::uint16_t session_id_ = 0;
  std::uint16_t max_payload_ = 0;
  std::optional<std::vector<std::uint8_t>> cookie_, relay_;
  std::string ac_name_seen_, service_seen_, failure_;
  unsigned attempts_ = 0;
  Duration timeout_{};
  TimePoint deadline_{};
  DiscoveryCounters counters_;
};

const char* to_string(DiscoveryClient::State s);

}  // namespace pppoe::pppoec
