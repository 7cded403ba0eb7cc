// Upstream packets into the TUN in batches. A TUN takes one packet per write(), which costs a
// system call per packet (bench/dataplane.sh measured 1.0 syscalls per packet at 320,000
// packets/s, the whole budget). With io_uring the writes of a receive batch go to the kernel
// in one io_uring_enter: the packets are copied into the writer's own slots (so the caller's
// buffers may be reused at once), queued as write requests, and submitted together when the
// batch is full or the caller flushes at the end of its receive batch. TUN writes never
// block, so the kernel completes them inside that same call.
//
// Without io_uring (an old kernel, kernel.io_uring_disabled, a seccomp filter) it falls back
// to one write() per packet, and says so once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/bytes.hpp"

struct io_uring;

namespace pppoe::dataplane {

class TunBatchWriter {
 public:
  static constexpr std::size_t kBatch = 64;
  static constexpr std::size_t kSlotSize = 2048;  ///< larger than any PPP payload we accept

  /// `fd`: the TUN queue. `use_io_uring` false forces the fallback (tests, the baseline).
  TunBatchWriter(int fd, bool use_io_uring);
  ~TunBatchWriter();
  TunBatchWriter(const TunBatchWriter&) = delete;
  TunBatchWriter& operator=(const TunBatchWriter&) = delete;

  /// Queues one packet; false if it cannot be written (too large, or the fallback write failed).
  bool write(Bytes packet);
  /// Writes everything queued. Returns the number of packets the kernel refused.
  std::size_t flush();

  [[nodiscard]] bool batched() const { return ring_ != nullptr; }
  std::uint64_t submits = 0;   ///< io_uring_enter calls (or write() calls in the fallback)
  std::uint64_t packets = 0;   ///< packets written
  std::uint64_t failures = 0;  ///< packets the kernel refused

 private:
  int fd_;
  std::unique_ptr<io_uring> ring_;
  std::vector<std::array<std::uint8_t, kSlotSize>> slots_;
  std::size_t queued_ = 0;
};

}  // namespace pppoe::dataplane
