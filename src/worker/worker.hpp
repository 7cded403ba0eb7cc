// A worker: everything about its sessions. PPP negotiation and keep-alive, authentication,
// addresses, and the data plane between PPPoE session frames (0x8864) and the TUN.
//
// Upstream:   AF_PACKET frame -> session by ID (O(1) array) -> MAC and source checks -> TUN
// Downstream: TUN packet -> session by destination address (O(1) hash) -> PPPoE frame
//
// The data path allocates nothing: frames are built in the socket's TX batch buffers.
#pragma once

#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "dataplane/drop_counters.hpp"
#include "dataplane/packet_socket.hpp"
#include "dataplane/session_table.hpp"
#include "dataplane/tun_device.hpp"
#include "master/config.hpp"
#include "master/session_directory.hpp"
#include "proto/pppoe.hpp"
#include "session/address_pool.hpp"
#include "session/server_session.hpp"

namespace pppoe::worker {

struct WorkerCounters {
  std::uint64_t sessions_created = 0;
  std::uint64_t sessions_up = 0;
  std::uint64_t sessions_ended = 0;
  std::uint64_t auth_failures = 0;
  std::uint64_t pool_exhausted = 0;
  std::uint64_t padt_sent = 0;
  std::uint64_t padt_received = 0;
  std::uint64_t upstream_packets = 0, upstream_bytes = 0;
  std::uint64_t downstream_packets = 0, downstream_bytes = 0;
  std::array<std::uint64_t, 14> ended_by_reason{};
};

class Worker final : public master::SessionDirectory, public session::AddressAssigner {
 public:
  Worker(const master::Config& config, dataplane::PacketSocket& socket, dataplane::TunDevice* tun,
         dataplane::SessionTable& table, session::Authenticator& auth, std::uint8_t worker_id);
  ~Worker() override;

  // SessionDirectory
  std::optional<std::uint16_t> find_pending(const MacAddress& mac, const ether::VlanStack& vlans,
                                            Bytes host_uniq) const override;
  std::expected<std::uint16_t, master::Refusal> create(const master::NewSession& s) override;
  void start(std::uint16_t session_id) override;
  bool peer_terminated(std::uint16_t session_id, const MacAddress& mac) override;
  [[nodiscard]] std::size_t session_count() const override { return live_; }

  // AddressAssigner
  std::optional<Ipv4Address> assign(std::string_view user, std::optional<Ipv4Address> fixed) override;

  /// A session-stage frame (ethertype 0x8864) addressed to us.
  void on_session_frame(const ether::Header& eth, const pppoe_proto::Packet& pkt, TimePoint now);
  /// One IP packet read from the TUN.
  void on_tun_packet(Bytes packet, TimePoint now);
  /// Timers of every session; reaps the dead ones.
  void tick(TimePoint now);
  /// Operator disconnect; false if there is no such session.
  bool disconnect(std::uint16_t session_id, session::EndReason reason, TimePoint now);
  /// Daemon shutdown: every session gets LCP Terminate and PADT.
  void shutdown(TimePoint now);

  [[nodiscard]] const WorkerCounters& counters() const { return counters_; }
  [[nodiscard]] dataplane::DropCounters& drops() { return drops_; }
  [[nodiscard]] const dataplane::DropCounters& drops() const { return drops_; }
  [[nodiscard]] const session::AddressPool& pool() const { return pool_; }
  /// Per-session protocol detail for `pppoectl show session`.
  struct Detail {
    std::string phase, lcp, ipcp, ipv6cp, auth, end_reason;
    std::uint32_t peer_magic = 0;
    std::uint16_t peer_mru = 0;
    std::uint64_t echo_misses = 0;
  };
  [[nodiscard]] std::optional<Detail> detail(std::uint16_t session_id) const;

 private:
  class Session;
  friend class Session;

  void send_padt(const MacAddress& to, const ether::VlanStack& vlans, std::uint16_t session_id, const char* reason);
  void end_session(Session& s, session::EndReason reason);
  void reap();
  void deliver_upstream(Session& s, Bytes packet, TimePoint now);
  static std::uint64_t pending_key(const MacAddress& mac, const ether::VlanStack& vlans, Bytes host_uniq);

  const master::Config& config_;
  dataplane::PacketSocket& socket_;
  dataplane::TunDevice* tun_;
  dataplane::SessionTable& table_;
  session::Authenticator& auth_;
  std::uint8_t worker_id_;
  session::AddressPool pool_;
  std::vector<std::unique_ptr<Session>> by_id_;  ///< indexed by PPPoE session ID
  std::unordered_map<std::uint32_t, std::uint16_t> by_ipv4_;
  std::unordered_map<std::uint64_t, std::uint16_t> by_ipv6_id_;
  std::unordered_map<std::uint64_t, std::uint16_t> pending_;
  std::deque<std::uint16_t> free_ids_;
  std::vector<std::uint16_t> dead_;
  std::size_t live_ = 0;
  std::uint32_t seed_;
  WorkerCounters counters_;
  dataplane::DropCounters drops_;
  TimePoint padt_window_{};  ///< one-second window for PADTs to unknown sessions
  unsigned padt_in_window_ = 0;
  log::RateLimit auth_log_{20, 50};
};

}  // namespace pppoe::worker
