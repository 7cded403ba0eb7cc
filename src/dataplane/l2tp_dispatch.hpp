// Kernel dispatch of L2TP datagrams to their worker: the counterpart, for the tunnels of a LAC,
// of the PPPoE session dispatch (bpf_dispatch.hpp), so that a session's frames on both sides
// stay with its worker (issue 20) without a userland hop.
//
// Every worker has its own UDP socket on the same local address and port (1701 by default:
// LNSs and firewalls expect it, RFC 2661 section 8.1), all in one SO_REUSEPORT group. The
// LNS answers every tunnel of ours from the same address and port, so the 4-tuple cannot tell
// the workers apart; the tunnel ID in the L2TP header can, because we choose it: a worker's
// tunnel IDs carry its slot in their top 6 bits (tunnel_id_base). An SK_REUSEPORT program reads
// that ID and selects the slot's socket from a REUSEPORT_SOCKARRAY map. Datagrams for tunnel 0
// (an SCCRQ to an LNS) or too short to hold an ID are left to the kernel's hash; those for a
// slot without a socket (its worker is gone) are dropped.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "common/endpoint.hpp"

namespace pppoe::dataplane {

class L2tpDispatch {
 public:
  static constexpr unsigned kSlotShift = 10;       ///< tunnel ID = slot << 10 | n
  static constexpr unsigned kSlots = 64;            ///< 6 bits: dataplane::kMaxWorkers
  static constexpr std::uint16_t kIdsPerSlot = 1 << kSlotShift;

  /// The map and the program for one local address and port.
  static std::expected<L2tpDispatch, std::string> create(SocketEndpoint local);
  L2tpDispatch(L2tpDispatch&& o) noexcept : local_(o.local_), map_fd_(o.map_fd_), prog_fd_(o.prog_fd_) {
    o.map_fd_ = o.prog_fd_ = -1;
  }
  L2tpDispatch& operator=(L2tpDispatch&&) = delete;
  ~L2tpDispatch();

  /// A new non-blocking UDP socket for worker `slot`, bound to the local endpoint in the
  /// group and registered for the slot's tunnel IDs. The caller owns it; closing it takes it
  /// out of the map.
  [[nodiscard]] std::expected<int, std::string> open_socket(unsigned slot) const;
  [[nodiscard]] const SocketEndpoint& local() const { return local_; }

  /// The first tunnel ID of `slot`'s range (slot 0 must skip ID 0 itself).
  static constexpr std::uint16_t tunnel_id_base(unsigned slot) {
    return static_cast<std::uint16_t>(slot << kSlotShift);
  }

 private:
  explicit L2tpDispatch(SocketEndpoint local) : local_(local) {}
  SocketEndpoint local_;
  int map_fd_ = -1;
  int prog_fd_ = -1;
};

}  // namespace pppoe::dataplane
