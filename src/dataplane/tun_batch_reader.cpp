#include "dataplane/tun_batch_reader.hpp"

#include <fmt/format.h>
#include <liburing.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.hpp"

namespace pppoe::dataplane {

namespace {
// liburing 2.3 (Debian 12) predates IORING_OP_READ_MULTISHOT; the kernel's number for it is
// the one after IORING_OP_SENDMSG_ZC (include/uapi/linux/io_uring.h, Linux 6.7).
constexpr std::uint8_t kOpReadMultishot = IORING_OP_SENDMSG_ZC + 1;
constexpr std::uint16_t kBufferGroup = 1;
constexpr std::size_t kRingBytes = TunBatchReader::kBuffers * sizeof(io_uring_buf);
}  // namespace

TunBatchReader::TunBatchReader(int fd, bool use_io_uring) : fd_(fd) {
  if (!use_io_uring) return;
  ring_ = std::make_unique<io_uring>();
  io_uring_params params{};
  params.flags = IORING_SETUP_CQSIZE;
  params.cq_entries = kBuffers * 2;  // every buffer full, plus the end-of-read completions
  if (int rc = io_uring_queue_init_params(8, ring_.get(), &params); rc < 0) {
    ring_.reset();  // nothing to undo
    fall_back(fmt::format("io_uring unavailable ({})", std::strerror(-rc)));
    return;
  }
  // The buffer ring is shared with the kernel: page-aligned, its own mapping.
  void* mem = ::mmap(nullptr, kRingBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    fall_back(fmt::format("buffer ring: {}", std::strerror(errno)));
    return;
  }
  buffer_ring_ = static_cast<io_uring_buf_ring*>(mem);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uintptr_t>(mem);
  reg.ring_entries = kBuffers;
  reg.bgid = kBufferGroup;
  if (int rc = io_uring_register_buf_ring(ring_.get(), &reg, 0); rc < 0) {
    fall_back(fmt::format("io_uring buffer ring unavailable ({})", std::strerror(-rc)));
    return;
  }
  io_uring_buf_ring_init(buffer_ring_);
  buffers_.resize(std::size_t{kBuffers} * kBufferSize);
  for (unsigned id = 0; id < kBuffers; ++id)
    io_uring_buf_ring_add(buffer_ring_, &buffers_[std::size_t{id} * kBufferSize], kBufferSize,
                          static_cast<unsigned short>(id), io_uring_buf_ring_mask(kBuffers), static_cast<int>(id));
  io_uring_buf_ring_advance(buffer_ring_, kBuffers);

  // A kernel without multishot reads refuses the request at once (EINVAL), during the submit;
  // a TUN that cannot be polled says EBADFD. Either way: the fallback.
  if (!arm()) return;
  io_uring_cqe* cqe = nullptr;
  if (io_uring_peek_cqe(ring_.get(), &cqe) == 0 && cqe->res < 0 && (cqe->flags & IORING_CQE_F_MORE) == 0 &&
      cqe->res != -ENOBUFS)
    fall_back(fmt::format("multishot read unavailable ({})", std::strerror(-cqe->res)));
}

TunBatchReader::~TunBatchReader() { release(); }

void TunBatchReader::release() {
  if (ring_) io_uring_queue_exit(ring_.get());  // cancels the posted read before the buffers go
  ring_.reset();
  if (buffer_ring_ != nullptr) ::munmap(buffer_ring_, kRingBytes);
  buffer_ring_ = nullptr;
  buffers_ = {};
}

void TunBatchReader::fall_back(const std::string& why) {
  release();
  log::warn("tun: {}; one read() per packet", why);
}

int TunBatchReader::fd() const { return ring_ ? ring_->ring_fd : fd_; }

bool TunBatchReader::arm() {
  io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
  if (sqe == nullptr) return false;
  io_uring_prep_rw(IORING_OP_READ, sqe, fd_, nullptr, 0, 0);
  sqe->opcode = kOpReadMultishot;
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufferGroup;
  int rc = io_uring_submit(ring_.get());
  if (rc < 0) {
    log::warn("tun: io_uring_submit: {}", std::strerror(-rc));
    return false;
  }
  armed_ = true;
  return true;
}

void TunBatchReader::give_back(unsigned buffer_id) {
  io_uring_buf_ring_add(buffer_ring_, &buffers_[std::size_t{buffer_id} * kBufferSize], kBufferSize,
                        static_cast<unsigned short>(buffer_id), io_uring_buf_ring_mask(kBuffers),
                        static_cast<int>(returned_));
  ++returned_;
}

std::size_t TunBatchReader::receive(const std::function<void(Bytes)>& on_packet, std::size_t limit) {
  std::size_t delivered = 0;
  if (!ring_) {
    while (delivered < limit) {
      static thread_local std::array<std::uint8_t, kBufferSize> buf;
      ssize_t n = ::read(fd_, buf.data(), buf.size());
      if (n <= 0) break;
      on_packet(Bytes(buf.data(), static_cast<std::size_t>(n)));
      ++delivered;
    }
    packets += delivered;
    return delivered;
  }
  unsigned seen = 0;
  io_uring_cqe* cqe = nullptr;
  unsigned head = 0;
  io_uring_for_each_cqe(ring_.get(), head, cqe) {
    if (delivered == limit) break;
    ++seen;
    if ((cqe->flags & IORING_CQE_F_MORE) == 0) {
      armed_ = false;
      if (cqe->res == -ENOBUFS) ++overruns;
    }
    if ((cqe->flags & IORING_CQE_F_BUFFER) != 0) {
      unsigned id = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
      if (cqe->res > 0 && id < kBuffers) {
        on_packet(Bytes(&buffers_[std::size_t{id} * kBufferSize], static_cast<std::size_t>(cqe->res)));
        ++delivered;
      }
      if (id < kBuffers) give_back(id);
    } else if (cqe->res < 0 && cqe->res != -ENOBUFS && cqe->res != -EAGAIN) {
      ++errors;
      log::warn_limited(error_log_, "tun: read: {}", std::strerror(-cqe->res));
    }
  }
  io_uring_cq_advance(ring_.get(), seen);
  if (returned_ > 0) {
    io_uring_buf_ring_advance(buffer_ring_, static_cast<int>(returned_));
    returned_ = 0;
  }
  if (!armed_ && io_uring_cq_ready(ring_.get()) == 0) {
    ++rearms;
    (void)arm();
  }
  packets += delivered;
  return delivered;
}

}  // namespace pppoe::dataplane
