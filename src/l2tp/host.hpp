// The UDP side of L2TP: one socket (port 1701 by default, RFC 2661 section 8.1), the tunnels
// this end opened, and their calls. Datagrams are dispatched by the tunnel ID and session ID
// of their header (ours: we assign them); control messages go to the tunnel's state machine
// (tunnel.hpp), session messages to the call (session.hpp), data messages to HostEvents.
//
// Both sides: tunnels we open and calls we place (LAC), and, with accept_tunnels(), SCCRQs for
// tunnel 0 answered per a policy, and the calls placed on them (LNS).
// Every datagram is untrusted: a malformed one is counted by reason and logged rate-limited.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/endpoint.hpp"
#include "common/log.hpp"
#include "dataplane/multishot_ring.hpp"
#include "l2tp/session.hpp"
#include "l2tp/tunnel.hpp"

namespace pppoe::l2tp {

using Endpoint = SocketEndpoint;

class HostEvents {
 public:
  virtual ~HostEvents() = default;
  virtual void tunnel_up(std::uint16_t tunnel) = 0;
  virtual void tunnel_down(std::uint16_t tunnel, std::uint16_t result, const std::string& why) = 0;
  virtual void session_up(std::uint16_t tunnel, std::uint16_t session) = 0;
  virtual void session_down(std::uint16_t tunnel, std::uint16_t session, std::uint16_t result, const std::string& why) = 0;
  /// A PPP frame of an established call (the FF 03 octets as the peer sent them).
  virtual void data(std::uint16_t tunnel, std::uint16_t session, Bytes ppp) = 0;
  /// The peer started numbering the call's data messages (section 5.4): ours must be too.
  virtual void data_sequenced(std::uint16_t /*tunnel*/, std::uint16_t /*session*/) {}
};

struct HostCounters {
  std::uint64_t datagrams_in = 0, datagrams_out = 0;
  std::uint64_t send_failed = 0;
  std::array<std::uint64_t, 5> malformed{};  ///< by HeaderError
  std::uint64_t unknown_tunnel = 0;   ///< no tunnel of ours has that ID (or it came from another address)
  std::uint64_t unknown_session = 0;  ///< a data or session message for a call we do not hold
  std::uint64_t tunnel_zero = 0;      ///< datagrams for tunnel 0 that are not an SCCRQ we take
  std::uint64_t tunnels_refused = 0;  ///< SCCRQs the policy refused (StopCCN sent)
  std::uint64_t data_in = 0, data_out = 0;
  std::uint64_t data_out_of_order = 0;  ///< sequenced data older than the last one (section 5.4: dropped)
  std::uint64_t rx_batches = 0, tx_batches = 0;  ///< recvmmsg/sendmmsg calls that moved datagrams
};

class Host {
 public:
  static std::expected<std::unique_ptr<Host>, std::string> open(Endpoint local, HostEvents& events);
  /// Takes an already bound non-blocking UDP socket (a worker's, from dataplane::L2tpDispatch).
  static std::unique_ptr<Host> adopt(int fd, HostEvents& events);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  /// The descriptor to watch for readability: the receive ring's, or the socket's.
  [[nodiscard]] int fd() const { return rx_ring_ ? rx_ring_->fd() : fd_; }
  /// Our tunnel IDs are taken from [first, first + count) (never 0): the range the kernel's
  /// dispatch sends to this process. Default: any.
  void set_tunnel_ids(std::uint16_t first, std::uint16_t count) {
    first_tunnel_id_ = first;
    tunnel_id_count_ = count;
  }
  /// Opens a tunnel to `peer` (SCCRQ); returns our tunnel ID.
  std::uint16_t open_tunnel(Endpoint peer, TunnelSettings settings, TimePoint now);
  /// Places a call on an established tunnel; returns our session ID (0: the tunnel is not up).
  std::uint16_t place_call(std::uint16_t tunnel, const CallInfo& call, TimePoint now);
  void disconnect(std::uint16_t tunnel, std::uint16_t session, std::uint16_t result, const std::string& why, TimePoint now);
  void close_tunnel(std::uint16_t tunnel, std::uint16_t result, const std::string& why, TimePoint now);
  /// LNS: a LAC's SCCRQ (for tunnel 0) is answered with the settings the policy returns for
  /// its address and host name, or refused (StopCCN, not authorized) when it returns nullopt.
  using TunnelPolicy = std::function<std::optional<TunnelSettings>(const Endpoint& from, const std::string& host_name)>;
  void accept_tunnels(TunnelPolicy policy) { policy_ = std::move(policy); }
  /// Queues a PPP frame on an established call (data message, section 5.3), with the FF 03
  /// address and control octets first when `address_control` (deployed LNSs expect them).
  /// Sent by flush() in one system call per batch (also when the batch is full, and at the
  /// end of poll() and tick()). With sequence numbers once the peer sends them (section 5.4).
  bool send_data(std::uint16_t tunnel, std::uint16_t session, Bytes ppp, bool address_control = false);
  /// Queues a data message for a call known only by its peer's IDs and address (an LNS
  /// session's downstream, sent by whichever worker read the packet): `prefix` (e.g. FF 03 and
  /// the PPP protocol) then `payload`, with Ns = `ns` when the call is sequenced.
  bool queue_data(const sockaddr_in& peer, std::uint16_t peer_tunnel, std::uint16_t peer_session,
                  std::optional<std::uint16_t> ns, Bytes prefix, Bytes payload);
  /// Sends the queued data messages.
  void flush();

  /// Reads what arrived (non-blocking).
  void poll(TimePoint now);
  void tick(TimePoint now);
  [[nodiscard]] std::optional<TimePoint> next_deadline() const;

  [[nodiscard]] const Tunnel* tunnel(std::uint16_t id) const;
  /// The address and port a tunnel's peer sends from.
  [[nodiscard]] std::optional<Endpoint> peer(std::uint16_t tunnel) const;
  [[nodiscard]] const Session* session(std::uint16_t tunnel, std::uint16_t session) const;
  [[nodiscard]] const HostCounters& counters() const { return counters_; }
  /// Every tunnel: its ID, state machine, peer address, number of calls, when it was made.
  void for_each_tunnel(const std::function<void(std::uint16_t id, const Tunnel&, const Endpoint& peer,
                                                std::size_t calls, TimePoint created)>& f) const;
  [[nodiscard]] Endpoint local() const;
  [[nodiscard]] std::size_t tunnel_count() const { return tunnels_.size(); }

 private:
  struct TunnelEntry;
  struct SessionEntry;
  Host(int fd, HostEvents& events);
  void on_datagram(Bytes d, const sockaddr_in& from, TimePoint now);
  /// ZLBs for the tunnels that got control messages in this batch and sent nothing back.
  void flush_acks();
  void on_sccrq(const Message& m, const sockaddr_in& from, TimePoint now);
  void transmit(const sockaddr_in& to, Bytes datagram);
  std::uint16_t new_id(const auto& taken, std::uint16_t first = 0, std::uint32_t count = 0x10000);
  std::uint16_t new_tunnel_id() { return new_id(tunnels_, first_tunnel_id_, tunnel_id_count_); }

  static constexpr std::size_t kBatch = 32, kDatagram = 4096;
  /// recvmmsg/sendmmsg buffers, allocated once.
  struct Batch {
    std::vector<std::uint8_t> buffers = std::vector<std::uint8_t>(kBatch * kDatagram);
    std::array<sockaddr_in, kBatch> peers{};
    std::array<iovec, kBatch> iov{};
    std::array<mmsghdr, kBatch> msgs{};
    std::size_t used = 0;
    MutableBytes buffer(std::size_t i) { return {buffers.data() + i * kDatagram, kDatagram}; }
  };

  int fd_ = -1;
  HostEvents& events_;
  std::map<std::uint16_t, std::unique_ptr<TunnelEntry>> tunnels_;
  std::vector<std::uint16_t> ack_pending_;  ///< tunnels with control messages in this batch
  TunnelPolicy policy_;
  HostCounters counters_;
  TimePoint now_{};
  std::mt19937 ids_;
  std::uint16_t first_tunnel_id_ = 0;
  std::uint32_t tunnel_id_count_ = 0x10000;
  std::unique_ptr<Batch> rx_ = std::make_unique<Batch>();
  /// Datagrams arrive through a multishot recvmsg kept posted by io_uring (no system call per
  /// batch, bench/l2tp_lac.sh); without it (an old kernel, io_uring disabled) recvmmsg batches.
  std::unique_ptr<dataplane::MultishotRing> rx_ring_;
  std::unique_ptr<Batch> tx_ = std::make_unique<Batch>();
  log::RateLimit log_limit_{1, 5};
};

}  // namespace pppoe::l2tp
