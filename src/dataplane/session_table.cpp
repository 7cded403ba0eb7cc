#include "dataplane/session_table.hpp"
#include "dataplane/shared_state.hpp"

#include <sched.h>
#include <sys/mman.h>

#include <chrono>
#include <new>
#include <type_traits>

namespace pppoe::dataplane {

const char* to_string(FastPathState s) {
  switch (s) {
    case FastPathState::kNone: return "none";
    case FastPathState::kForwarded: return "fast";
    case FastPathState::kRateLimited: return "slow: rate limit";
    case FastPathState::kFiltered: return "slow: filter list";
    case FastPathState::kFramedRoutes: return "slow: framed routes";
    case FastPathState::kL2tp: return "slow: L2TP";
    case FastPathState::kMapFull: return "slow: kernel map full";
  }
  return "?";
}

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
// A changed SessionRecord must come with a new kSessionRecordVersion: this fires on a size change.
static_assert(sizeof(SessionRecord) == 624 && kSessionRecordVersion == 5,
              "SessionRecord changed: bump kSessionRecordVersion and update this size");

namespace {
/// A bool member as the byte it was given, then 0 or 1 (reading a bool of another value is
/// undefined behaviour, so it is never read as a bool before this).
void normalize(bool& b) {
  std::uint8_t v = 0;
  std::memcpy(&v, &b, 1);
  v = v != 0 ? 1 : 0;
  std::memcpy(&b, &v, 1);
}
template <std::size_t N>
void terminate(char (&text)[N]) {
  text[N - 1] = '\0';
}
}  // namespace

std::optional<SessionRecord> record_from_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != sizeof(SessionRecord)) return std::nullopt;
  SessionRecord r;
  std::memcpy(static_cast<void*>(&r), bytes.data(), sizeof r);
  for (bool* b : {&r.acct_started, &r.radius_auth, &r.lns, &r.l2tp_sequenced, &r.adoptable, &r.ipv6_opened, &r.na_bound}) normalize(*b);
  terminate(r.user);
  terminate(r.auth);
  terminate(r.acct_session_id);
  terminate(r.circuit_id);
  terminate(r.remote_id);
  if (r.vlans.count > 2) return std::nullopt;
  if (r.class_len > sizeof r.class_attr) return std::nullopt;
  // A prefix must be one (at most 64 bits, nothing set past its length); else none.
  auto prefix_ok = [](std::uint64_t upper, std::uint8_t len) {
    return len >= 1 && len <= 64 && (upper & ~(~std::uint64_t{0} << (64 - len))) == 0;
  };
  if (!prefix_ok(r.ipv6_prefix, r.ipv6_prefix_len)) r.ipv6_prefix = 0, r.ipv6_prefix_len = 0;
  if (!prefix_ok(r.delegated_prefix, r.delegated_prefix_len)) r.delegated_prefix = 0, r.delegated_prefix_len = 0;
  return r;
}

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
  // A writer preempted inside update() keeps the sequence odd for a whole time slice, far longer
  // than a few spins: after them, yield until a deadline rather than report the session absent
  // (a standby takeover once took a running session for a clash that way, and ended it). Only a
  // writer that died inside update() holds a slot longer; the master clears that one.
  constexpr int kSpins = 1000;
  constexpr auto kPatience = std::chrono::milliseconds(20);
  std::chrono::steady_clock::time_point deadline{};
  for (int attempt = 0;; ++attempt) {
    if (attempt >= kSpins) {
      auto now = std::chrono::steady_clock::now();
      if (attempt == kSpins) deadline = now + kPatience;
      else if (now >= deadline) return std::nullopt;
      ::sched_yield();
    }
    std::uint32_t before = s.seq.load(std::memory_order_acquire);
    if (before & 1u) continue;
    SessionRecord copy;
    std::memcpy(static_cast<void*>(&copy), &s.record, sizeof copy);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.seq.load(std::memory_order_acquire) != before) continue;
    if (copy.state == SessionState::kFree) return std::nullopt;
    return copy;
  }
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
