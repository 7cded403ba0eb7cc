// One multishot receive kept posted on a descriptor through io_uring, with a ring of provided
// buffers: whenever data arrives the kernel copies it into a free buffer and posts a
// completion, without a system call of ours; the owner watches fd() with epoll and drains every
// completion at once, and the buffers go back to the kernel by a memory write.
//
//   kRead     IORING_OP_READ_MULTISHOT (Linux 6.7): one packet per completion (a TUN queue)
//   kRecvmsg  IORING_OP_RECVMSG with IORING_RECV_MULTISHOT (Linux 6.0): one datagram per
//             completion with its source address (a UDP socket; parse with recvmsg_parts())
//
// The receive ends when no buffer was free (more arrived than the ring holds between two
// drains) or on an error; it is posted again after the drain, one io_uring_enter. When the
// kernel refuses any of it, ok() is false and the owner reads the plain way.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/log.hpp"

struct io_uring;
struct io_uring_buf_ring;

namespace pppoe::dataplane {

class MultishotRing {
 public:
  enum class Op { kRead, kRecvmsg };

  MultishotRing(int fd, Op op, unsigned buffers, unsigned buffer_size);
  ~MultishotRing();
  MultishotRing(const MultishotRing&) = delete;
  MultishotRing& operator=(const MultishotRing&) = delete;

  /// False: io_uring, the buffer ring or the multishot operation is not available here
  /// (failure() says why); nothing is posted then.
  [[nodiscard]] bool ok() const { return ring_ != nullptr; }
  [[nodiscard]] const std::string& failure() const { return failure_; }
  /// The io_uring's descriptor, to watch for readability.
  [[nodiscard]] int fd() const;

  /// Calls `on_data` with each completion's data (kRecvmsg: the whole buffer, see
  /// recvmsg_parts) for up to `limit` completions; returns how many. The memory is valid only
  /// during the call. Posts the receive again when it ended and every completion is consumed;
  /// call it from a timer as well, so that a failed re-post is retried.
  std::size_t drain(const std::function<void(Bytes)>& on_data, std::size_t limit);

  /// kRecvmsg: a completion's buffer split into the source address and the payload; nullopt
  /// if it does not hold a whole datagram (truncated: larger than a buffer).
  struct Datagram {
    Bytes payload;
    const sockaddr* from = nullptr;
    socklen_t from_len = 0;
  };
  [[nodiscard]] std::optional<Datagram> recvmsg_parts(Bytes buffer);

  std::uint64_t completions = 0;  ///< data delivered
  std::uint64_t rearms = 0;       ///< times the receive was posted again (one syscall each)
  std::uint64_t overruns = 0;     ///< of those, because every buffer was in use
  std::uint64_t errors = 0;       ///< failed receives

 private:
  bool arm();
  void give_back(unsigned buffer_id);
  void release(const std::string& why);
  int fd_;
  Op op_;
  unsigned buffers_count_, buffer_size_;
  std::unique_ptr<io_uring> ring_;
  io_uring_buf_ring* buffer_ring_ = nullptr;
  std::size_t ring_bytes_ = 0;
  std::vector<std::uint8_t> buffers_;
  msghdr msg_{};  ///< kRecvmsg: how much name and control space each buffer starts with
  unsigned returned_ = 0;
  bool armed_ = false;
  std::string failure_;
  log::RateLimit error_log_{1, 5};
};

}  // namespace pppoe::dataplane
