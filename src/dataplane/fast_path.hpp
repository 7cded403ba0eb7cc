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
#include <span>
#include <string>
#include <vector>

#include "common/ipv6.hpp"
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
  /// IPv6 sources: link-local fe80::ipv6_id (0: IPv6 not forwarded in the kernel), the /64, the
  /// delegated prefix.
  std::uint64_t ipv6_id = 0;
  Ipv6Prefix wan{}, delegated{};
};

/// The destinations that find a session downstream: its IPv4 address, its link-local IPv6
/// address (fe80::ipv6_id), its /64 and its delegated prefix; zero or empty: none.
struct FastPathAddresses {
  std::uint32_t ipv4 = 0;  ///< host order
  std::uint64_t ipv6_id = 0;
  Ipv6Prefix wan{}, delegated{};
  friend bool operator==(const FastPathAddresses&, const FastPathAddresses&) = default;
  /// What of this is not in `other` (the entries to remove when `other` replaces it).
  [[nodiscard]] FastPathAddresses without(const FastPathAddresses& other) const;
};

/// Per session, summed over the CPUs.
struct FastPathCounters {
  std::uint64_t packets = 0;
  std::uint64_t octets = 0;
  std::uint64_t last_ns = 0;  ///< CLOCK_MONOTONIC of the last packet forwarded, 0: none
  std::uint64_t foreign_mac = 0;
  std::uint64_t spoofed = 0;
};

/// Where a session's downstream packets go, by its addresses.
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
  std::uint32_t redirect_to = 0;    ///< kRedirect: the interface (the routed veth's peer)
};

/// Where the upstream program sends what it decapsulated: the routed interface is a veth pair
/// (VethPair); the frame goes to the peer and arrives on the routed interface, addressed to it.
struct FastPathRouted {
  std::uint32_t peer_ifindex = 0;
  MacAddress routed_mac;
};

class FastPath {
 public:
  /// The compiled BPF objects (ELF); by default those embedded in the binary.
  struct Objects {
    std::span<const std::uint8_t> up;
    std::span<const std::uint8_t> down;
  };
  static Objects embedded_objects();

  /// Loads the programs and creates their maps; an error says why (no CAP_BPF, a verifier
  /// refusal with the verifier's last line, no BPF in the kernel).
  static std::expected<FastPath, std::string> load(const Objects& objects = embedded_objects());
  FastPath(FastPath&&) noexcept;
  FastPath& operator=(FastPath&&) noexcept;
  ~FastPath();

  /// The maps are arrays indexed by session ID (one subscriber interface per pppoed): an entry
  /// forwards only for `ifindex`, the interface it was set for; counters exist for every ID
  /// (zero for one never used) and `ifindex` only names the session in an error.
  ///
  /// Forwards the session's frames from now on, its counters from zero.
  bool set_session(std::uint32_t ifindex, std::uint16_t session_id, const FastPathSession& s);
  /// Changes what a session already forwarded may send (IPv6 came up, a prefix was delegated),
  /// its counters kept. False when the session is not there.
  bool update_session(std::uint32_t ifindex, std::uint16_t session_id, const FastPathSession& s);
  /// Stops forwarding first, then reads the final counters and zeroes them (nullopt: the session
  /// was not forwarded): what the kernel counted is never lost between the last read and the end.
  std::optional<FastPathCounters> remove_session(std::uint32_t ifindex, std::uint16_t session_id);
  [[nodiscard]] std::expected<FastPathCounters, std::string> counters(std::uint32_t ifindex,
                                                                      std::uint16_t session_id) const;

  /// Downstream: the session's counters (per session, both IP versions) from zero; then its
  /// destinations, each found by an exact IPv4 address or the longest IPv6 prefix.
  bool reset_down_counters(std::uint32_t ifindex, std::uint16_t session_id);
  bool set_routes(const FastPathAddresses& a, const FastPathDown& d);
  /// Removes those of `a`'s destinations that lead to the session (a record read from a dead
  /// worker's memory may name an address another session has now: that entry stays).
  void remove_routes(const FastPathAddresses& a, std::uint32_t ifindex, std::uint16_t session_id);
  /// The final downstream counters, then zeroed (nullopt: they could not be read).
  std::optional<FastPathDownCounters> remove_down_counters(std::uint32_t ifindex, std::uint16_t session_id);
  [[nodiscard]] std::expected<FastPathDownCounters, std::string> down_counters(std::uint32_t ifindex,
                                                                               std::uint16_t session_id) const;
  /// Sessions forwarded and entries in the downstream destination maps, IPv4 addresses and IPv6
  /// prefixes (`show summary`: what the kernel forwards for; a read of the whole map, for
  /// diagnostics, not for every packet).
  [[nodiscard]] std::size_t session_entries() const;
  [[nodiscard]] std::size_t address_entries() const;
  [[nodiscard]] std::size_t prefix6_entries() const;

  /// Runs the upstream program on `frame` as if it arrived on `ifindex`.
  [[nodiscard]] std::expected<FastPathVerdict, std::string> run_up(std::uint32_t ifindex,
                                                                   const std::vector<std::uint8_t>& frame) const;

  /// Decapsulated packets of subscriber interface `ifindex` go to `routed` (before attach_up,
  /// and for run_up).
  std::expected<void, std::string> set_routed(std::uint32_t ifindex, const FastPathRouted& routed);
  /// Attaches the upstream program to the subscriber interface `ifindex`: XDP (native where the
  /// driver has it, else generic), through a link that lives as long as this object.
  std::expected<void, std::string> attach_up(std::uint32_t ifindex, const FastPathRouted& routed);
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
  int by_prefix6_fd_ = -1;
  int down_counters_fd_ = -1;
  std::vector<bpf_link*> links_;
  std::vector<int> link_fds_;  ///< links made by bpf_link_create, which libbpf 1.1 cannot wrap
};

}  // namespace pppoe::dataplane
