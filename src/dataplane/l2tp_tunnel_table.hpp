// The L2TP tunnels of every worker, in shared memory: each worker publishes its own (a fixed
// block of records per worker slot, each under a seqlock), the master reads them for the
// ProL2TP-style status commands (`pppoectl show tunnels`, `show tunnel id N`, `show system`).
// Plain data, no pointers: it must mean the same in every process that maps it.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <optional>

#include "dataplane/shared_memory.hpp"

namespace pppoe::dataplane {

struct L2tpTunnelRecord {
  std::uint16_t local_id = 0;  ///< 0: free
  std::uint16_t peer_id = 0;
  std::uint8_t state = 0;      ///< l2tp::TunnelState
  std::uint8_t worker = 0;
  bool initiator = false;      ///< we opened it (LAC); else the peer did (LNS)
  std::uint32_t local_address = 0, peer_address = 0;  ///< host order
  std::uint16_t local_port = 0, peer_port = 0;
  std::int64_t created_unix_ms = 0;
  std::int64_t state_since_unix_ms = 0;
  std::uint32_t sessions = 0;
  std::uint16_t ns = 0, nr = 0;
  std::uint32_t cwnd = 0, ssthresh = 0, tx_window = 0;
  std::uint64_t retransmitted = 0;
  char profile[32] = {};
  char peer_host[64] = {};
  char peer_vendor[64] = {};
};

class L2tpTunnelTable {
 public:
  static constexpr std::size_t kPerWorker = 64;  ///< tunnels a worker shows (it may hold more)

  explicit L2tpTunnelTable(std::size_t workers) : slots_(workers * kPerWorker), workers_(workers) {}

  /// Writer side (worker `worker` only): record `index` of its block.
  template <typename F>
  void update(std::size_t worker, std::size_t index, F&& update) {
    Slot& s = slots_[worker * kPerWorker + index];
    s.seq.fetch_add(1, std::memory_order_acq_rel);
    std::atomic_thread_fence(std::memory_order_release);
    update(s.record);
    std::atomic_thread_fence(std::memory_order_release);
    s.seq.fetch_add(1, std::memory_order_acq_rel);
  }
  /// Reader side: a consistent copy, or nullopt if the record is free.
  [[nodiscard]] std::optional<L2tpTunnelRecord> read(std::size_t worker, std::size_t index) const {
    const Slot& s = slots_[worker * kPerWorker + index];
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::uint32_t before = s.seq.load(std::memory_order_acquire);
      if (before & 1) continue;
      L2tpTunnelRecord copy;
      std::memcpy(static_cast<void*>(&copy), &s.record, sizeof copy);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (s.seq.load(std::memory_order_relaxed) == before) {
        if (copy.local_id == 0) return std::nullopt;
        return copy;
      }
    }
    return std::nullopt;  // a writer kept it busy: shown at the next look
  }
  /// Frees every record of `worker` (it exited or crashed).
  void clear_worker(std::size_t worker) {
    for (std::size_t i = 0; i < kPerWorker; ++i) update(worker, i, [](L2tpTunnelRecord& r) { r = {}; });
  }
  [[nodiscard]] std::size_t workers() const { return workers_; }

 private:
  struct Slot {
    std::atomic<std::uint32_t> seq;
    L2tpTunnelRecord record;
  };
  SharedArray<Slot> slots_;
  std::size_t workers_;
};

}  // namespace pppoe::dataplane
