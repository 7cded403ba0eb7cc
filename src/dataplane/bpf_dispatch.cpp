#include "dataplane/bpf_dispatch.hpp"

#include "dataplane/bpf_program.hpp"

#include <fmt/format.h>
#include <linux/bpf.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace pppoe::dataplane {
namespace {

using namespace bpf_asm;

constexpr std::int32_t kAcceptAll = 0x40000;  // bytes to keep: the whole frame

enum Label { kSession, kDrop, kAccept, kLevel0 };  // kLevel0 + n: after n VLAN tags

std::vector<bpf_insn> filter_program(int map_fd, std::uint32_t owner, std::uint16_t discovery, std::uint16_t session) {
  const bool master = owner == SessionDispatchMap::kMasterOwner;
  Program p;
  p.emit(mov64_reg(6, 1));  // r6 = ctx, required by LD_ABS/LD_IND
  // Up to two VLAN tags left in the frame (the driver may have stripped another): the outer
  // one 802.1Q or 802.1ad, the inner one 802.1Q.
  for (int tags = 0; tags <= 2; ++tags) {
    p.place(kLevel0 + tags);
    p.emit(ld_abs_h(12 + 4 * tags));     // r0 = ethertype after `tags` tags
    p.emit(mov64_imm(7, 14 + 4 * tags));  // r7 = offset of the PPPoE header
    p.jump(jeq_imm(0, session, 0), kSession);
    if (master) p.jump(jeq_imm(0, discovery, 0), kAccept);
    if (tags < 2) p.jump(jeq_imm(0, 0x8100, 0), kLevel0 + tags + 1);
    if (tags == 0) p.jump(jeq_imm(0, 0x88a8, 0), kLevel0 + 1);
    p.jump(ja(0), kDrop);
  }
  p.place(kSession);
  p.emit(ld_ind_h(7, 2));  // r0 = SESSION_ID
  p.emit(stx_w(10, -4, 0));  // key on the stack
  p.map_fd(1, map_fd);
  p.emit(mov64_reg(2, 10));
  p.emit(add64_imm(2, -4));
  p.emit(call(BPF_FUNC_map_lookup_elem));
  p.jump(jeq_imm(0, 0, 0), kDrop);  // array maps always return a value; keep the verifier happy
  p.emit(ldx_w(0, 0, 0));
  p.jump(jne_imm(0, static_cast<std::int32_t>(owner), 0), kDrop);
  p.place(kAccept);
  p.emit(mov64_imm(0, kAcceptAll));
  p.emit(exit_insn());
  p.place(kDrop);
  p.emit(mov64_imm(0, 0));
  p.emit(exit_insn());
  return p.finish();
}

}  // namespace

std::expected<SessionDispatchMap, std::string> SessionDispatchMap::create() {
  bpf_attr a{};
  a.map_type = BPF_MAP_TYPE_ARRAY;
  a.key_size = 4;
  a.value_size = 4;
  a.max_entries = kEntries;
  a.map_flags = BPF_F_MMAPABLE;
  std::strncpy(a.map_name, "pppoe_dispatch", sizeof a.map_name - 1);
  SessionDispatchMap m;
  m.fd_ = static_cast<int>(bpf(BPF_MAP_CREATE, a));
  if (m.fd_ < 0) {  // before Linux 5.5: no mmap, one bpf() per update
    a.map_flags = 0;
    m.fd_ = static_cast<int>(bpf(BPF_MAP_CREATE, a));
  }
  if (m.fd_ < 0) return std::unexpected(fmt::format("bpf map: {}", std::strerror(errno)));
  if (a.map_flags != 0) {
    // The values in our own memory: setting a session's owner is a store, not a system call
    // (two per session, at creation and at the end). Forked workers inherit the mapping.
    void* mem = ::mmap(nullptr, kEntries * sizeof(MappedValue), PROT_READ | PROT_WRITE, MAP_SHARED, m.fd_, 0);
    if (mem != MAP_FAILED) m.values_ = static_cast<MappedValue*>(mem);
  }
  return m;
}

SessionDispatchMap::~SessionDispatchMap() {
  if (values_ != nullptr) ::munmap(values_, kEntries * sizeof(MappedValue));
  if (fd_ >= 0) ::close(fd_);
}

bool SessionDispatchMap::set(std::uint16_t session_id, std::uint32_t owner) {
  if (values_ != nullptr) {
    __atomic_store_n(&values_[session_id].owner, owner, __ATOMIC_RELEASE);
    return true;
  }
  std::uint32_t key = session_id;
  bpf_attr a{};
  a.map_fd = static_cast<std::uint32_t>(fd_);
  a.key = reinterpret_cast<std::uint64_t>(&key);
  a.value = reinterpret_cast<std::uint64_t>(&owner);
  a.flags = BPF_ANY;
  return bpf(BPF_MAP_UPDATE_ELEM, a) == 0;
}

std::uint32_t SessionDispatchMap::get(std::uint16_t session_id) const {
  if (values_ != nullptr) return __atomic_load_n(&values_[session_id].owner, __ATOMIC_ACQUIRE);
  std::uint32_t key = session_id, value = 0;
  bpf_attr a{};
  a.map_fd = static_cast<std::uint32_t>(fd_);
  a.key = reinterpret_cast<std::uint64_t>(&key);
  a.value = reinterpret_cast<std::uint64_t>(&value);
  return bpf(BPF_MAP_LOOKUP_ELEM, a) == 0 ? value : 0;
}

std::expected<void, std::string> SessionDispatchMap::attach(int socket_fd, std::uint32_t owner, std::uint16_t discovery,
                                                            std::uint16_t session) const {
  auto prog = load(BPF_PROG_TYPE_SOCKET_FILTER, filter_program(fd_, owner, discovery, session));
  if (!prog) return std::unexpected(fmt::format("bpf filter load: {}", prog.error()));
  int rc = ::setsockopt(socket_fd, SOL_SOCKET, SO_ATTACH_BPF, &*prog, sizeof *prog);
  int err = errno;
  ::close(*prog);  // the socket keeps its own reference
  if (rc < 0) return std::unexpected(fmt::format("SO_ATTACH_BPF: {}", std::strerror(err)));
  return {};
}

}  // namespace pppoe::dataplane
