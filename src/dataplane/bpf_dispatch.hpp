// Kernel dispatch of PPPoE session frames to their worker (design.md "Dispatch"): the Linux
// counterpart of ng_pppoe_lb.
//
// A BPF array map holds, for each of the 65536 session IDs, the owner of the session: 0 for
// the master (no session), or worker slot + 1. Every process attaches an eBPF socket filter to
// its own AF_PACKET socket on the subscriber interface:
//
//   worker slot w:  accept 0x8864 frames whose session's owner is w + 1; drop everything else
//   master:         accept 0x8863 (discovery) frames, and 0x8864 frames of unowned session IDs
//                   (so it can answer them with a PADT)
//
// so each session frame is copied to exactly one process by the kernel, with no userland hop.
// 802.1Q/QinQ tags are handled whether or not the driver stripped the outer tag.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

namespace pppoe::dataplane {

class SessionDispatchMap {
 public:
  static constexpr std::uint32_t kMasterOwner = 0;
  static std::expected<SessionDispatchMap, std::string> create();
  SessionDispatchMap(SessionDispatchMap&& o) noexcept : fd_(o.fd_), values_(o.values_) {
    o.fd_ = -1;
    o.values_ = nullptr;
  }
  SessionDispatchMap& operator=(SessionDispatchMap&&) = delete;
  ~SessionDispatchMap();

  /// `owner`: kMasterOwner or worker slot + 1.
  bool set(std::uint16_t session_id, std::uint32_t owner);
  [[nodiscard]] std::uint32_t get(std::uint16_t session_id) const;

  /// Loads the filter for `owner` and attaches it to `socket_fd` (SO_ATTACH_BPF); `discovery`
  /// and `session` are the PPPoE ethertypes (0x8863/0x8864, or 3Com's 0x3c12/0x3c13).
  std::expected<void, std::string> attach(int socket_fd, std::uint32_t owner, std::uint16_t discovery = 0x8863,
                                          std::uint16_t session = 0x8864) const;

 private:
  static constexpr std::size_t kEntries = 65536;  ///< one per session ID
  /// An array map lays its values out 8-octet aligned (kernel/bpf/arraymap.c, elem_size).
  struct MappedValue {
    std::uint32_t owner;
    std::uint32_t unused;
  };
  SessionDispatchMap() = default;
  int fd_ = -1;
  MappedValue* values_ = nullptr;  ///< the map's values, mapped (BPF_F_MMAPABLE); null: bpf() calls
};

}  // namespace pppoe::dataplane
