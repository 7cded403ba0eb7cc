#include "dataplane/session_table.hpp"
#include "dataplane/shared_state.hpp"

#include <sys/mman.h>

#include <new>
#include <type_traits>

namespace pppoe::dataplane {

const char* to_string(WorkerState s) {
  switch (s) {
    case WorkerState::kActive: return "ACTIVE";
    case WorkerState::kDraining: return "DRAINING";
    case WorkerState::kPendingRemoval: return "PENDING_REMOVAL";
    case WorkerState::kUnused: return "UNUSED";
  }
  return "?";
}

const char* to_string(SessionState s) {
  switch (s) {
    case SessionState::kFree: return "free";
    case SessionState::kNegotiating: return "negotiating";
    case SessionState::kUp: return "up";
    case SessionState::kTerminating: return "terminating";
  }
  return "?";
}

static_assert(std::is_trivially_copyable_v<SessionRecord>);

SessionTable::SessionTable() {
  // MAP_SHARED so that worker processes forked later see the same records; pages are touched
  // lazily, so an idle table costs address space, not memory.
  void* p = ::mmap(nullptr, sizeof(Slot) * kCapacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Zeroed pages already are free slots (state kFree, sequence 0); constructing them would
  // touch all 65536 records and cost their memory up front.
  slots_ = static_cast<Slot*>(p);
}

SessionTable::~SessionTable() { ::munmap(slots_, sizeof(Slot) * kCapacity); }

std::optional<SessionRecord> SessionTable::read(std::uint16_t id) const {
  const Slot& s = slots_[id];
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::uint32_t before = s.seq.load(std::memory_order_acquire);
    if (before & 1u) continue;
    SessionRecord copy;
    std::memcpy(static_cast<void*>(&copy), &s.record, sizeof copy);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.seq.load(std::memory_order_acquire) != before) continue;
    if (copy.state == SessionState::kFree) return std::nullopt;
    return copy;
  }
  return std::nullopt;
}

CheckedRead SessionTable::read_checked(std::uint16_t id) const {
  const Slot& s = slots_[id];
  CheckedRead out;
  std::uint32_t before = s.seq.load(std::memory_order_acquire);
  std::memcpy(static_cast<void*>(&out.record), &s.record, sizeof out.record);
  std::atomic_thread_fence(std::memory_order_acquire);
  if ((before & 1u) != 0 || s.seq.load(std::memory_order_acquire) != before) {
    out.kind = CheckedRead::Kind::kTorn;
    return out;
  }
  out.kind = out.record.state == SessionState::kFree ? CheckedRead::Kind::kFree : CheckedRead::Kind::kConsistent;
  return out;
}

}  // namespace pppoe::dataplane
