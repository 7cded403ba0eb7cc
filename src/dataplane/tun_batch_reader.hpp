// Downstream packets out of the TUN in batches. A TUN gives one packet per read(), a system
// call per packet (bench/dataplane.sh measured 1.01 syscalls per packet downstream, the whole
// budget). Instead one multishot read (IORING_OP_READ_MULTISHOT, Linux 6.7) stays posted on the
// TUN queue: whenever packets are queued the kernel copies each into a buffer from a ring we
// provide and posts a completion, all without a system call of ours. The caller watches the
// io_uring descriptor with epoll; one wake-up then hands it every packet that arrived since the
// last, and the buffers go back to the kernel by a memory write.
//
// The multishot read ends when the kernel found no free buffer (more packets arrived than the
// ring holds between two drains) or on an error; it is posted again after the drain, one
// io_uring_enter. Without io_uring or without multishot reads (older kernels, a seccomp filter)
// it falls back to one read() per packet on the TUN descriptor, and says so once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "common/bytes.hpp"
#include "dataplane/multishot_ring.hpp"

namespace pppoe::dataplane {

class TunBatchReader {
 public:
  static constexpr unsigned kBuffers = 512;       ///< packets the kernel may queue between drains
  static constexpr unsigned kBufferSize = 2048;  ///< larger than any MTU we configure on the TUN

  /// `fd`: the TUN queue. `use_io_uring` false forces the fallback (tests, comparisons).
  TunBatchReader(int fd, bool use_io_uring);
  TunBatchReader(const TunBatchReader&) = delete;
  TunBatchReader& operator=(const TunBatchReader&) = delete;

  /// The descriptor to watch for readability: the io_uring's, or the TUN's in the fallback.
  [[nodiscard]] int fd() const { return ring_ ? ring_->fd() : fd_; }
  /// Calls `on_packet` for up to `limit` waiting packets; returns how many it delivered. The
  /// packet's memory is valid only during the call. Posts the multishot read again when it
  /// ended and every completion is consumed; call it from a timer as well, so that a failed
  /// re-post (no completion will ever wake the caller) is retried.
  std::size_t receive(const std::function<void(Bytes)>& on_packet, std::size_t limit);

  [[nodiscard]] bool batched() const { return ring_ != nullptr; }
  std::uint64_t packets = 0;   ///< packets delivered
  std::uint64_t rearms = 0;    ///< times the multishot read was posted again (one syscall each)
  std::uint64_t overruns = 0;  ///< of those, because every buffer was in use
  std::uint64_t errors = 0;    ///< failed reads (a packet larger than a buffer, for one)

 private:
  int fd_;
  std::unique_ptr<MultishotRing> ring_;  ///< null: one read() per packet
};

}  // namespace pppoe::dataplane
