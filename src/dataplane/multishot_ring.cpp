#include "dataplane/multishot_ring.hpp"

#include <fmt/format.h>
#include <liburing.h>
#include <netinet/in.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

namespace pppoe::dataplane {

namespace {
// liburing 2.3 (Debian 12) predates IORING_OP_READ_MULTISHOT; the kernel's number for it is
// the one after IORING_OP_SENDMSG_ZC (include/uapi/linux/io_uring.h, Linux 6.7).
constexpr std::uint8_t kOpReadMultishot = IORING_OP_SENDMSG_ZC + 1;
constexpr std::uint16_t kBufferGroup = 1;
}  // namespace

MultishotRing::MultishotRing(int fd, Op op, unsigned buffers, unsigned buffer_size)
    : fd_(fd), op_(op), buffers_count_(buffers), buffer_size_(buffer_size), ring_bytes_(buffers * sizeof(io_uring_buf)) {
  msg_.msg_namelen = sizeof(sockaddr_in);
  ring_ = std::make_unique<io_uring>();
  io_uring_params params{};
  params.flags = IORING_SETUP_CQSIZE;
  params.cq_entries = buffers * 2;  // every buffer full, plus the end-of-receive completions
  if (int rc = io_uring_queue_init_params(8, ring_.get(), &params); rc < 0) {
    ring_.reset();  // nothing to undo
    failure_ = fmt::format("io_uring unavailable ({})", std::strerror(-rc));
    return;
  }
  // The buffer ring is shared with the kernel: page-aligned, its own mapping.
  void* mem = ::mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    release(fmt::format("buffer ring: {}", std::strerror(errno)));
    return;
  }
  buffer_ring_ = static_cast<io_uring_buf_ring*>(mem);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uintptr_t>(mem);
  reg.ring_entries = buffers;
  reg.bgid = kBufferGroup;
  if (int rc = io_uring_register_buf_ring(ring_.get(), &reg, 0); rc < 0) {
    release(fmt::format("io_uring buffer ring unavailable ({})", std::strerror(-rc)));
    return;
  }
  io_uring_buf_ring_init(buffer_ring_);
  buffers_.resize(std::size_t{buffers} * buffer_size);
  for (unsigned id = 0; id < buffers; ++id)
    io_uring_buf_ring_add(buffer_ring_, &buffers_[std::size_t{id} * buffer_size], buffer_size,
                          static_cast<unsigned short>(id), io_uring_buf_ring_mask(buffers), static_cast<int>(id));
  io_uring_buf_ring_advance(buffer_ring_, static_cast<int>(buffers));

  // A kernel without the multishot operation refuses the request at once (EINVAL), during the
  // submit; a descriptor that cannot be polled says EBADFD. Either way: not ok().
  if (!arm()) {
    release("io_uring_submit failed");
    return;
  }
  io_uring_cqe* cqe = nullptr;
  if (io_uring_peek_cqe(ring_.get(), &cqe) == 0 && cqe->res < 0 && (cqe->flags & IORING_CQE_F_MORE) == 0 &&
      cqe->res != -ENOBUFS)
    release(fmt::format("multishot {} unavailable ({})", op == Op::kRead ? "read" : "recvmsg", std::strerror(-cqe->res)));
}

MultishotRing::~MultishotRing() { release({}); }

void MultishotRing::release(const std::string& why) {
  if (ring_) io_uring_queue_exit(ring_.get());  // cancels the posted receive before the buffers go
  ring_.reset();
  if (buffer_ring_ != nullptr) ::munmap(buffer_ring_, ring_bytes_);
  buffer_ring_ = nullptr;
  buffers_ = {};
  if (!why.empty()) failure_ = why;
}

int MultishotRing::fd() const { return ring_ ? ring_->ring_fd : -1; }

bool MultishotRing::arm() {
  io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
  if (sqe == nullptr) return false;
  if (op_ == Op::kRead) {
    io_uring_prep_rw(IORING_OP_READ, sqe, fd_, nullptr, 0, 0);
    sqe->opcode = kOpReadMultishot;
  } else {
    io_uring_prep_recvmsg_multishot(sqe, fd_, &msg_, 0);
  }
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufferGroup;
  int rc = io_uring_submit(ring_.get());
  if (rc < 0) {
    log::warn_limited(error_log_, "io_uring_submit: {}", std::strerror(-rc));
    return false;
  }
  armed_ = true;
  return true;
}

void MultishotRing::give_back(unsigned buffer_id) {
  io_uring_buf_ring_add(buffer_ring_, &buffers_[std::size_t{buffer_id} * buffer_size_], buffer_size_,
                        static_cast<unsigned short>(buffer_id), io_uring_buf_ring_mask(buffers_count_),
                        static_cast<int>(returned_));
  ++returned_;
}

std::size_t MultishotRing::drain(const std::function<void(Bytes)>& on_data, std::size_t limit) {
  if (!ring_) return 0;
  std::size_t delivered = 0;
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
      if (cqe->res > 0 && id < buffers_count_) {
        on_data(Bytes(&buffers_[std::size_t{id} * buffer_size_], static_cast<std::size_t>(cqe->res)));
        ++delivered;
      }
      if (id < buffers_count_) give_back(id);
    } else if (cqe->res < 0 && cqe->res != -ENOBUFS && cqe->res != -EAGAIN) {
      ++errors;
      log::warn_limited(error_log_, "multishot receive: {}", std::strerror(-cqe->res));
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
  completions += delivered;
  return delivered;
}

std::optional<MultishotRing::Datagram> MultishotRing::recvmsg_parts(Bytes buffer) {
  auto* data = const_cast<std::uint8_t*>(buffer.data());
  io_uring_recvmsg_out* out = io_uring_recvmsg_validate(data, static_cast<int>(buffer.size()), &msg_);
  if (out == nullptr || (out->flags & MSG_TRUNC) != 0) return std::nullopt;
  auto* payload = static_cast<std::uint8_t*>(io_uring_recvmsg_payload(out, &msg_));
  unsigned length = io_uring_recvmsg_payload_length(out, static_cast<int>(buffer.size()), &msg_);
  Datagram d;
  d.payload = Bytes(payload, length);
  d.from = static_cast<const sockaddr*>(io_uring_recvmsg_name(out));
  d.from_len = std::min<socklen_t>(out->namelen, msg_.msg_namelen);
  return d;
}

}  // namespace pppoe::dataplane
