// Downstream packets a session's shaper holds back (policy/gcra.hpp gave them a departure
// time), one queue per worker: a timing wheel of 4,096 buckets of 2^17 ns (131 us; 537 ms in
// all, more than the longest queue delay allowed), each a FIFO of packet slots, so that a
// session's packets leave in the order they came. Enqueue and release are O(1) per packet,
// without allocation: the slots are one block reserved at the first use (workers that shape
// nothing never touch its pages). A full queue refuses: the caller drops and counts.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe::worker {

class ShaperQueue {
 public:
  static constexpr std::size_t kSlots = 4096;      ///< packets held at most (per worker)
  static constexpr std::size_t kSlotSize = 2048;   ///< an IP packet of up to this many octets
  static constexpr unsigned kTickShift = 17;       ///< 2^17 ns per bucket
  static constexpr std::size_t kBuckets = 4096;
  /// The longest delay a packet may be given (the wheel's span, less one bucket).
  static constexpr std::int64_t kMaxDelayNs = std::int64_t{kBuckets - 1} << kTickShift;

  /// False: the queue is full, the packet too big, or `depart_ns` beyond the wheel.
  bool push(std::int64_t now_ns, std::int64_t depart_ns, std::uint16_t session_id, Bytes packet);
  /// Calls `send(session_id, packet)` for every packet due by `now_ns`, in departure order.
  std::size_t release(std::int64_t now_ns, const std::function<void(std::uint16_t, Bytes)>& send);
  /// When the next packet is due (nullopt: empty).
  [[nodiscard]] std::optional<std::int64_t> next_due() const;
  [[nodiscard]] std::size_t size() const { return count_; }

 private:
  static constexpr std::uint16_t kNone = 0xffff;
  struct Slot {
    std::uint16_t next = kNone;
    std::uint16_t session_id = 0;
    std::uint16_t size = 0;
  };
  struct Bucket {
    std::uint16_t head = kNone, tail = kNone;
  };
  void reserve();

  std::unique_ptr<std::uint8_t[]> data_;  ///< kSlots x kSlotSize, allocated at the first push
  std::vector<Slot> slots_;
  std::vector<std::uint16_t> free_;
  std::vector<Bucket> buckets_;
  std::int64_t cursor_ = 0;  ///< the first tick not released yet
  std::size_t count_ = 0;
};

}  // namespace pppoe::worker
