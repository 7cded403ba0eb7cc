// The kernel fast path's user-space side (design.md "eBPF fast path"; issue 18): loads the BPF
// programs of bpf/ (embedded in the binary), keeps their session and counter maps, attaches
// the upstream program to a subscriber interface.
//
// Step 1 (this file): the upstream XDP program, its maps, a test run on a given frame (what
// the unit tests and the load-time self-check use) and the attachment by a BPF link, which
// dies with the process: a crashed pppoed leaves no program on the interface. The TC programs
// (moving decapsulated packets to the routed interface, and the downstream direction) and
// the workers' use come next.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "common/mac.hpp"
#include "proto/ether.hpp"

struct bpf_object;
struct bpf_link;

namespace pppoe::dataplane {

/// What a session frame must show to go the fast way (the worker's checks).
struct FastPathSession {
  MacAddress client_mac;
  ether::VlanStack vlans;
  std::uint32_t ipv4 = 0;  ///< host order; 0: IPv4 not forwarded in the kernel
};

/// Per session, summed over the CPUs.
struct FastPathCounters {
  std::uint64_t packets = 0;
  std::uint64_t octets = 0;
  std::uint64_t last_ns = 0;  ///< CLOCK_MONOTONIC of the last packet forwarded, 0: none
  std::uint64_t foreign_mac = 0;
  std::uint64_t spoofed = 0;
};

/// One run of the upstream program on a frame (BPF_PROG_TEST_RUN).
struct FastPathVerdict {
  enum class Action { kAborted, kDrop, kPass, kTx, kRedirect } action = Action::kAborted;
  std::vector<std::uint8_t> frame;  ///< the frame as the program left it
  bool marked = false;              ///< decapsulated: the metadata carries the mark
  std::uint16_t marked_session = 0;
};

class FastPath {
 public:
  /// Loads the programs and creates their maps; an error says why (no CAP_BPF, a verifier
  /// refusal with the verifier's last line, no BPF in the kernel).
  static std::expected<FastPath, std::string> load();
  FastPath(FastPath&&) noexcept;
  FastPath& operator=(FastPath&&) noexcept;
  ~FastPath();

  bool set_session(std::uint32_t ifindex, std::uint16_t session_id, const FastPathSession& s);
  bool remove_session(std::uint32_t ifindex, std::uint16_t session_id);
  [[nodiscard]] std::expected<FastPathCounters, std::string> counters(std::uint32_t ifindex,
                                                                      std::uint16_t session_id) const;

  /// Runs the upstream program on `frame` as if it arrived on `ifindex`.
  [[nodiscard]] std::expected<FastPathVerdict, std::string> run_up(std::uint32_t ifindex,
                                                                   const std::vector<std::uint8_t>& frame) const;

  /// Attaches the upstream program to `ifindex` (native XDP where the driver has it, else
  /// generic) through a link that lives as long as this object.
  std::expected<void, std::string> attach_up(std::uint32_t ifindex);

 private:
  FastPath() = default;
  void close();
  bpf_object* object_ = nullptr;
  int up_fd_ = -1;
  int sessions_fd_ = -1;
  int counters_fd_ = -1;
  std::vector<bpf_link*> links_;
};

}  // namespace pppoe::dataplane
