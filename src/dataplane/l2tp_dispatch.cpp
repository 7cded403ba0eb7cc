#include "dataplane/l2tp_dispatch.hpp"

#include <fmt/format.h>
#include <sys/socket.h>

#include "dataplane/bpf_program.hpp"

namespace pppoe::dataplane {
namespace {

using namespace bpf_asm;

// For UDP, an SK_REUSEPORT program's packet starts at the UDP header (the socket lookup runs
// before the header is pulled).
constexpr std::int16_t kL2tp = 8;
constexpr std::int32_t kSkDrop = 0, kSkPass = 1;

enum Label { kLong, kHaveId, kPass, kDrop };

std::vector<bpf_insn> select_program(int map_fd) {
  Program p;
  p.emit(mov64_reg(6, 1));        // r6 = ctx (struct sk_reuseport_md)
  p.emit(ldx_dw(2, 6, 0));        // r2 = data
  p.emit(ldx_dw(3, 6, 8));        // r3 = data_end
  p.emit(mov64_reg(4, 2));
  p.emit(add64_imm(4, kL2tp + 6));  // flags, length (when L is set), tunnel ID
  p.jump(jgt_reg(4, 3, 0), kPass);  // too short for an ID: whoever gets it counts it malformed
  // RFC 2661 section 3.1: the Length field is present only when the L bit (0x40 of the first
  // octet) is set, and the Tunnel ID follows it.
  p.emit(ldx_b(5, 2, kL2tp));
  p.jump(jset_imm(5, 0x40, 0), kLong);
  p.emit(ldx_h(7, 2, kL2tp + 2));
  p.jump(ja(0), kHaveId);
  p.place(kLong);
  p.emit(ldx_h(7, 2, kL2tp + 4));
  p.place(kHaveId);
  p.emit(be16(7));
  p.jump(jeq_imm(7, 0, 0), kPass);  // tunnel 0: an SCCRQ for whoever takes new tunnels
  p.emit(rsh64_imm(7, L2tpDispatch::kSlotShift));
  p.emit(stx_w(10, -4, 7));  // key = slot, on the stack
  p.emit(mov64_reg(1, 6));
  p.map_fd(2, map_fd);
  p.emit(mov64_reg(3, 10));
  p.emit(add64_imm(3, -4));
  p.emit(mov64_imm(4, 0));
  p.emit(call(BPF_FUNC_sk_select_reuseport));
  p.jump(jne_imm(0, 0, 0), kDrop);  // no socket in that slot: its worker is gone
  p.place(kPass);
  p.emit(mov64_imm(0, kSkPass));
  p.emit(exit_insn());
  p.place(kDrop);
  p.emit(mov64_imm(0, kSkDrop));
  p.emit(exit_insn());
  return p.finish();
}

}  // namespace

std::expected<L2tpDispatch, std::string> L2tpDispatch::create(SocketEndpoint local) {
  L2tpDispatch d(local);
  bpf_attr a{};
  a.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
  a.key_size = 4;
  a.value_size = 8;  // the socket's fd on update, its cookie on lookup
  a.max_entries = kSlots;
  std::strncpy(a.map_name, "l2tp_dispatch", sizeof a.map_name - 1);
  d.map_fd_ = static_cast<int>(bpf(BPF_MAP_CREATE, a));
  if (d.map_fd_ < 0) return std::unexpected(fmt::format("l2tp dispatch map: {}", std::strerror(errno)));
  auto prog = load(BPF_PROG_TYPE_SK_REUSEPORT, select_program(d.map_fd_), BPF_SK_REUSEPORT_SELECT);
  if (!prog) return std::unexpected(fmt::format("l2tp dispatch program: {}", prog.error()));
  d.prog_fd_ = *prog;
  return d;
}

L2tpDispatch::~L2tpDispatch() {
  if (prog_fd_ >= 0) ::close(prog_fd_);
  if (map_fd_ >= 0) ::close(map_fd_);
}

std::expected<int, std::string> L2tpDispatch::open_socket(unsigned slot) const {
  if (slot >= kSlots) return std::unexpected(fmt::format("l2tp: worker slot {} has no tunnel ID range", slot));
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(fmt::format("l2tp: socket: {}", std::strerror(errno)));
  auto fail = [&](const char* what) {
    int err = errno;
    ::close(fd);
    return std::unexpected(fmt::format("l2tp: {} {}: {}", what, local_.to_string(), std::strerror(err)));
  };
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) return fail("SO_REUSEPORT");
  // A tunnel's control messages share the socket with its calls' data: a burst of data (every
  // subscriber of a DSLAM negotiating PPP at once) must not overflow the default ~200 KiB and
  // take control messages with it (each a second's retransmission). 8 MiB, like a worker's
  // packet ring; FORCE beyond net.core.rmem_max with CAP_NET_ADMIN, else as much as allowed.
  int bytes = 8 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0)
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  sockaddr_in sa = local_.sockaddr();
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return fail("bind");
  // After bind: a socket with a program of its own has a group of its own, and the kernel
  // refuses to bind it into the existing one. The program belongs to the group; attaching it
  // again on each socket replaces it with the same, and keeps it when the first socket closes.
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd_, sizeof prog_fd_) < 0)
    return fail("SO_ATTACH_REUSEPORT_EBPF");
  std::uint32_t key = slot;
  std::uint64_t value = static_cast<std::uint64_t>(fd);
  bpf_attr a{};
  a.map_fd = static_cast<std::uint32_t>(map_fd_);
  a.key = reinterpret_cast<std::uint64_t>(&key);
  a.value = reinterpret_cast<std::uint64_t>(&value);
  a.flags = BPF_ANY;
  if (bpf(BPF_MAP_UPDATE_ELEM, a) < 0) return fail("dispatch map update for");
  return fd;
}

}  // namespace pppoe::dataplane
