// The kernel fast path's user-space side (design.md "eBPF fast path"; issue 18): loads the BPF
// programs of bpf/ (embedded in the binary), keeps their session and counter maps, attaches
// them to the subscriber interface (upstream) and the routed interface (downstream).
//
// The master loads and attaches (master/fast_path_host.cpp) before it forks the workers, which
// use the maps through the inherited descriptors: a session enters at IPCP up, its counters are
// folded into its own, and it leaves before its PADT (worker/worker.cpp). The links die with
// the process that made them: a crashed pppoed leaves no program on an interface.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
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
  bool syn_to_userland = false;  ///< TCP MSS clamping applies: SYNs go to the worker
};

/// Per session, summed over the CPUs.
struct FastPathCounters {
  std::uint64_t packets = 0;
  std::uint64_t octets = 0;
  std::uint64_t last_ns = 0;  ///< CLOCK_MONOTONIC of the last packet forwarded, 0: none
  std::uint64_t foreign_mac = 0;
  std::uint64_t spoofed = 0;
};

/// Where a session's downstream packets go, by its IPv4 address.
struct FastPathDown {
  std::uint32_t ifindex = 0;  ///< the subscriber interface
  std::uint16_t session_id = 0;
  std::uint16_t mru = 1492;
  MacAddress client_mac;
  MacAddress ac_mac;
  ether::VlanStack vlans;
  bool syn_to_userland = false;  ///< TCP MSS clamping applies: SYN-ACKs go to the worker
};

struct FastPathDownCounters {
  std::uint64_t packets = 0;
  std::uint64_t octets = 0;
  std::uint64_t last_ns = 0;  ///< CLOCK_MONOTONIC of the last packet sent, 0: none
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

  /// Forwards the session's frames from now on, its counters from zero.
  bool set_session(std::uint32_t ifindex, std::uint16_t session_id, const FastPathSession& s);
  /// Stops forwarding first, then reads the final counters and drops them (nullopt: the session
  /// was not there): what the kernel counted is never lost between the last read and the end.
  std::optional<FastPathCounters> remove_session(std::uint32_t ifindex, std::uint16_t session_id);
  [[nodiscard]] std::expected<FastPathCounters, std::string> counters(std::uint32_t ifindex,
                                                                      std::uint16_t session_id) const;

  /// Downstream, by the session's IPv4 address (host order).
  bool set_down(std::uint32_t ipv4, const FastPathDown& d);
  std::optional<FastPathDownCounters> remove_down(std::uint32_t ipv4);
  [[nodiscard]] std::expected<FastPathDownCounters, std::string> down_counters(std::uint32_t ipv4) const;
  /// Entries in the session map and the downstream address map (`show summary`: what the
  /// kernel forwards for; a walk of the keys, for diagnostics, not for every packet).
  [[nodiscard]] std::size_t session_entries() const;
  [[nodiscard]] std::size_t address_entries() const;

  /// Runs the upstream program on `frame` as if it arrived on `ifindex`.
  [[nodiscard]] std::expected<FastPathVerdict, std::string> run_up(std::uint32_t ifindex,
                                                                   const std::vector<std::uint8_t>& frame) const;

  /// Attaches the upstream programs to the subscriber interface `ifindex`: XDP (native where
  /// the driver has it, else generic) and TC ingress (tcx, Linux 6.6 and later), both through
  /// links that live as long as this object; decapsulated packets arrive on `routed_ifindex`.
  std::expected<void, std::string> attach_up(std::uint32_t ifindex, std::uint32_t routed_ifindex);
  /// Attaches the downstream program to the routed interface's TC egress (tcx).
  std::expected<void, std::string> attach_down(std::uint32_t routed_ifindex);
  /// In a forked worker: the links' descriptors closed without detaching, so that the programs
  /// stay on the interfaces exactly as long as the master holds them. The maps stay usable.
  void close_links_in_child();

 private:
  FastPath() = default;
  void close();
  std::expected<void, std::string> attach_tcx(bpf_object* object, const char* program, std::uint32_t ifindex,
                                              bool ingress);
  bpf_object* up_ = nullptr;
  bpf_object* down_ = nullptr;
  int up_fd_ = -1;
  int sessions_fd_ = -1;
  int counters_fd_ = -1;
  int routed_fd_ = -1;
  int by_addr_fd_ = -1;
  int down_counters_fd_ = -1;
  std::vector<bpf_link*> links_;
  std::vector<int> link_fds_;  ///< links made by bpf_link_create, which libbpf 1.1 cannot wrap
};

}  // namespace pppoe::dataplane
