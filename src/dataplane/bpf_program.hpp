// A small eBPF assembler shared by the kernel dispatch programs (bpf_dispatch.cpp for PPPoE
// frames, l2tp_dispatch.cpp for L2TP datagrams): instruction helpers named after the kernel's
// filter.h macros, and labels so that jump offsets are computed rather than counted by hand.
// The programs are built at run time because their constants (owner, ethertypes, map file
// descriptors) are only known then; no clang or libbpf is needed on the target.
#pragma once

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace pppoe::dataplane::bpf_asm {

inline long bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

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

constexpr bpf_insn ldx_h(std::uint8_t dst, std::uint8_t src, std::int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_H, dst, src, off, 0); }
constexpr bpf_insn ldx_b(std::uint8_t dst, std::uint8_t src, std::int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_B, dst, src, off, 0); }
constexpr bpf_insn ldx_dw(std::uint8_t dst, std::uint8_t src, std::int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_DW, dst, src, off, 0); }
constexpr bpf_insn and64_imm(std::uint8_t dst, std::int32_t imm) { return insn(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm); }
constexpr bpf_insn rsh64_imm(std::uint8_t dst, std::int32_t imm) { return insn(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm); }
constexpr bpf_insn sub64_imm(std::uint8_t dst, std::int32_t imm) { return insn(BPF_ALU64 | BPF_SUB | BPF_K, dst, 0, 0, imm); }
constexpr bpf_insn add64_reg(std::uint8_t dst, std::uint8_t src) { return insn(BPF_ALU64 | BPF_ADD | BPF_X, dst, src, 0, 0); }
/// Network to host order of the low 16 bits (BPF_END, to big endian = swap on x86).
constexpr bpf_insn be16(std::uint8_t dst) { return insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, 16); }
constexpr bpf_insn jgt_reg(std::uint8_t dst, std::uint8_t src, std::int16_t off) { return insn(BPF_JMP | BPF_JGT | BPF_X, dst, src, off, 0); }
constexpr bpf_insn jset_imm(std::uint8_t dst, std::int32_t imm, std::int16_t off) { return insn(BPF_JMP | BPF_JSET | BPF_K, dst, 0, off, imm); }
constexpr bpf_insn jge_imm(std::uint8_t dst, std::int32_t imm, std::int16_t off) { return insn(BPF_JMP | BPF_JGE | BPF_K, dst, 0, off, imm); }

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
  std::array<int, 16> labels_{};
};

/// Loads `code` as a program of `type`; the verifier's log is in the error when it refuses.
inline std::expected<int, std::string> load(bpf_prog_type type, const std::vector<bpf_insn>& code,
                                            std::uint32_t expected_attach_type = 0) {
  std::vector<char> log(65536);
  bpf_attr a{};
  a.prog_type = type;
  a.expected_attach_type = expected_attach_type;
  a.insns = reinterpret_cast<std::uint64_t>(code.data());
  a.insn_cnt = static_cast<std::uint32_t>(code.size());
  a.license = reinterpret_cast<std::uint64_t>("GPL");
  a.log_buf = reinterpret_cast<std::uint64_t>(log.data());
  a.log_size = static_cast<std::uint32_t>(log.size());
  a.log_level = 1;
  int fd = static_cast<int>(bpf(BPF_PROG_LOAD, a));
  if (fd < 0) return std::unexpected(std::string(std::strerror(errno)) + ": " + log.data());
  return fd;
}

}  // namespace pppoe::dataplane::bpf_asm
