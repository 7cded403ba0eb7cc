// PPPoE discovery as the access concentrator (RFC 2516 section 5): PADI -> PADO,
// PADR -> PADS, PADT. Stateless until PADR: the AC-Cookie carries the proof.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "dataplane/drop_counters.hpp"
#include "dataplane/packet_socket.hpp"
#include "master/ac_cookie.hpp"
#include "master/config.hpp"
#include "master/cpu_sampler.hpp"
#include "master/discovery_guard.hpp"
#include "master/session_directory.hpp"
#include "proto/pppoe.hpp"

namespace pppoe::master {

struct DiscoveryCounters {
  std::uint64_t padi_rx = 0, pado_tx = 0, padr_rx = 0, pads_tx = 0, padt_rx = 0;
  std::uint64_t pads_repeated = 0;      ///< repeated PADR answered with the same PADS
  std::uint64_t service_name_errors = 0, ac_system_errors = 0, generic_errors = 0;
  std::uint64_t invalid = 0;
};

class Discovery {
 public:
  /// `cpu`: the workers' load, for the PADO delay (pado-delay-cpu, pado-stop-cpu).
  Discovery(const Config& config, dataplane::PacketSocket& socket, SessionDirectory& sessions,
            dataplane::DropCounters& drops, const CpuSampler& cpu);

  /// A discovery frame (ethertype 0x8863).
  void on_frame(const ether::Header& eth, Bytes pppoe_payload, std::int64_t unix_seconds);

  [[nodiscard]] const DiscoveryCounters& counters() const { return counters_; }
  /// A client's PADI or PADR refused (a limit, a Service-Name we do not offer), in words: for
  /// `pppoectl show failures`.
  std::function<void(const ether::Header& eth, std::string why)> on_refused;
  /// `pppoectl debug mac MAC on`: whether this client's discovery frames are logged.
  std::function<bool(const MacAddress& mac)> debugged;
  /// Sends the delayed PADOs that are due (pado-delay), and the ones waiting for fewer
  /// sessions in negotiation (max-starting).
  void flush_delayed(TimePoint now);
  /// When the next held PADO may go, if any (waiting ones are polled every 10 ms).
  [[nodiscard]] std::optional<TimePoint> next_due() const;

 private:
  void on_padi(const ether::Header& eth, const pppoe_proto::Packet& pkt, const pppoe_proto::Tags& tags,
               std::int64_t now);
  void on_padr(const ether::Header& eth, const pppoe_proto::Packet& pkt, const pppoe_proto::Tags& tags,
               std::int64_t now);
  void on_padt(const ether::Header& eth, const pppoe_proto::Packet& pkt);
  /// Whether we offer `requested` (RFC 2516 section 5.2: an empty name means any service).
  bool serves(const std::string& requested) const;
  /// RFC 4638 section 4: echo the client's PPP-Max-Payload when we can carry it.
  std::optional<std::uint16_t> agreed_max_payload(const pppoe_proto::Tags& request) const;
  /// Ethernet + discovery packet answering `to`, into `buf`; its size, or 0 if it does not fit.
  std::size_t encode_reply(MutableBytes buf, const ether::Header& to, pppoe_proto::Code code, std::uint16_t session_id,
                           const pppoe_proto::Tags& tags) const;
  void reply(const ether::Header& to, pppoe_proto::Code code, std::uint16_t session_id,
             const pppoe_proto::Tags& tags);
  void drop(dataplane::Drop reason, const ether::Header& eth);
  /// Negotiation slots taken (max-starting): sessions negotiating and PADOs just released.
  std::size_t starting_slots_used(TimePoint now);

  const Config& config_;
  dataplane::PacketSocket& socket_;
  SessionDirectory& sessions_;
  const CpuSampler& cpu_;
  dataplane::DropCounters& drops_;
  AcCookie cookie_;
  DiscoveryGuard guard_;
  struct DelayedPado {
    TimePoint due;
    std::vector<std::uint8_t> frame;
  };
  std::deque<DelayedPado> delayed_;  ///< in due order: one delay for all at a given load
  /// PADOs held while max-starting sessions negotiate: discovery waits instead of failing.
  /// `due` is when they expire (the client has retransmitted its PADI by then).
  std::deque<DelayedPado> waiting_;
  std::deque<TimePoint> released_;  ///< when waiting PADOs were sent
  static constexpr std::size_t kMaxDelayed = 4096;
  log::RateLimit refusal_log_{1, 5};  ///< PADIs/PADRs a limit refused
  void refused(const ether::Header& eth, std::string why) const;
  DiscoveryCounters counters_;
  log::RateLimit drop_log_{2, 10};    ///< malformed or unexpected frames
};

}  // namespace pppoe::master
