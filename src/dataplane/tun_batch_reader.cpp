#include "dataplane/tun_batch_reader.hpp"

#include <unistd.h>

#include <array>

#include "common/log.hpp"

namespace pppoe::dataplane {

TunBatchReader::TunBatchReader(int fd, bool use_io_uring) : fd_(fd) {
  if (!use_io_uring) return;
  ring_ = std::make_unique<MultishotRing>(fd, MultishotRing::Op::kRead, kBuffers, kBufferSize);
  if (!ring_->ok()) {
    log::warn("tun: {}; one read() per packet", ring_->failure());
    ring_.reset();
  }
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
  } else {
    delivered = ring_->drain(on_packet, limit);
    rearms = ring_->rearms;
    overruns = ring_->overruns;
    errors = ring_->errors;
  }
  packets += delivered;
  return delivered;
}

}  // namespace pppoe::dataplane
