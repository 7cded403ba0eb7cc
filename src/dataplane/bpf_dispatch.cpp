#include "dataplane/bpf_dispatch.hpp"

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

long bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

// Instruction helpers, named after the kernel's filter.h macros.
constexpr bpf_insn insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}
constexpr bpf_insn mov64_reg(std::uint8_t dst, std::uint8_t src) { return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
constexpr bpf_insn mov64_imm(std::uint8_t dst, std::int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
constexpr bpf_insn add64_imm(std::uint8_t dst, std::int32_t imm) { return insn(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm); }
/// r0 = ntohs(packet[imm]) (legacy packet access, allowed in socket filters; r6 = ctx).
constexpr bpf_insn ld_abs_h(std::int32_t off) { return insn(BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, off); }
/// r0 = ntohs(packet[src + imm]).
constexpr bpf_insn ld_ind_h(std::uint8_t src, std::int32_t off) { return insn(BPF_LD | BPF_IND | BPF_H, 0, src, 0, off); }
constexpr bpf_insn stx_w(std::uint8_t dst, std::int16_t off, std::uint8_t src) { return insn(BPF_STX | BPF_MEM | BPF_W, dst, src, off, 0); }
constexpr bpf_insn ldx_w(std::uint8_t dst, std::uint8_t src, std::int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0); }
constexpr bpf_insn jeq_imm(std::uint8_t dst, std::int32_t imm, std::int16_t off) { return insn(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm); }
constexpr bpf_insn jne_imm(std::uint8_t dst, std::int32_t imm, std::int16_t off) { return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm); }
constexpr bpf_insn ja(std::int16_t off) { return insn(BPF_JMP | BPF_JA, 0, 0, off, 0); }
constexpr bpf_insn call(std::int32_t fn) { return insn(BPF_JMP | BPF_CALL, 0, 0, 0, fn); }
constexpr bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

constexpr std::int32_t kAcceptAll = 0x40000;  // bytes to keep: the whole frame

/// A tiny assembler with labels, so jump offsets are computed rather than counted by hand.
class Program {
 public:
  void emit(bpf_insn i) { code_.push_back(i); }
  /// A jump to `label`; the offset is patched by `place`.
  void jump(bpf_insn i, int label) {
    fixups_.push_back({code_.size(), label});
    code_.push_back(i);
  }
  void place(int label) { labels_[static_cast<std::size_t>(label)] = static_cast<int>(code_.size()); }
  void map_fd(std::uint8_t dst, int fd) {  // BPF_LD_MAP_FD: two instructions
    code_.push_back(insn(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd));
    code_.push_back(insn(0, 0, 0, 0, 0));
  }
  std::vector<bpf_insn> finish() {
    for (auto [at, label] : fixups_)
      code_[at].off = static_cast<std::int16_t>(labels_[static_cast<std::size_t>(label)] - static_cast<int>(at) - 1);
    return code_;
  }

 private:
  std::vector<bpf_insn> code_;
  std::vector<std::pair<std::size_t, int>> fixups_;
  std::array<int, 8> labels_{};
};

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
  auto code = filter_program(fd_, owner, discovery, session);
  std::vector<char> log(65536);
  bpf_attr a{};
  a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  a.insns = reinterpret_cast<std::uint64_t>(code.data());
  a.insn_cnt = static_cast<std::uint32_t>(code.size());
  a.license = reinterpret_cast<std::uint64_t>("GPL");
  a.log_buf = reinterpret_cast<std::uint64_t>(log.data());
  a.log_size = static_cast<std::uint32_t>(log.size());
  a.log_level = 1;
  int prog = static_cast<int>(bpf(BPF_PROG_LOAD, a));
  if (prog < 0) return std::unexpected(fmt::format("bpf filter load: {}: {}", std::strerror(errno), log.data()));
  int rc = ::setsockopt(socket_fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof prog);
  int err = errno;
  ::close(prog);  // the socket keeps its own reference
  if (rc < 0) return std::unexpected(fmt::format("SO_ATTACH_BPF: {}", std::strerror(err)));
  return {};
}

}  // namespace pppoe::dataplane
