#include "dataplane/tun_batch_writer.hpp"

#include <liburing.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.hpp"

namespace pppoe::dataplane {

TunBatchWriter::TunBatchWriter(int fd, bool use_io_uring) : fd_(fd) {
  if (!use_io_uring) return;
  auto ring = std::make_unique<io_uring>();
  if (int rc = io_uring_queue_init(kBatch, ring.get(), 0); rc < 0) {
    log::warn("tun: io_uring unavailable ({}); one write() per packet", std::strerror(-rc));
    return;
  }
  ring_ = std::move(ring);
  slots_.resize(kBatch);
}

TunBatchWriter::~TunBatchWriter() {
  if (ring_) {
    flush();
    io_uring_queue_exit(ring_.get());
  }
}

bool TunBatchWriter::write(Bytes packet) {
  if (!ring_) {
    ++submits;
    if (::write(fd_, packet.data(), packet.size()) != static_cast<ssize_t>(packet.size())) {
      ++failures;
      return false;
    }
    ++packets;
    return true;
  }
  if (packet.size() > kSlotSize) {
    ++failures;
    return false;
  }
  if (queued_ == kBatch) flush();
  auto& slot = slots_[queued_];
  std::memcpy(slot.data(), packet.data(), packet.size());
  io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
  if (sqe == nullptr) {  // cannot happen with queued_ < kBatch entries; be safe anyway
    flush();
    sqe = io_uring_get_sqe(ring_.get());
    if (sqe == nullptr) {
      ++failures;
      return false;
    }
  }
  io_uring_prep_write(sqe, fd_, slot.data(), static_cast<unsigned>(packet.size()), 0);
  ++queued_;
  return true;
}

std::size_t TunBatchWriter::flush() {
  if (!ring_ || queued_ == 0) return 0;
  // One system call submits the batch and waits for it: TUN writes complete inline, and the
  // slots may be reused only once the kernel has copied them.
  const unsigned want = static_cast<unsigned>(queued_);
  int rc = io_uring_submit_and_wait(ring_.get(), want);
  ++submits;
  std::size_t refused = 0, done = 0;
  while (done < want) {
    io_uring_cqe* cqe = nullptr;
    if (io_uring_peek_cqe(ring_.get(), &cqe) == 0) {
      if (cqe->res < 0) ++refused;
      io_uring_cqe_seen(ring_.get(), cqe);
      ++done;
      continue;
    }
    if (rc < 0 && rc != -EINTR) {
      log::warn("tun: io_uring_submit_and_wait: {}", std::strerror(-rc));
      break;
    }
    rc = io_uring_submit_and_wait(ring_.get(), 1);  // interrupted: submit what is left, wait again
  }
  refused += want - done;
  packets += done - std::min(done, refused);
  failures += refused;
  queued_ = 0;
  return refused;
}

}  // namespace pppoe::dataplane
