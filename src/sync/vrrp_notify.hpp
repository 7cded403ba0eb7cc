// Which router of the pair speaks: keepalived says it through its notify FIFO
// (`vrrp_notify_fifo PATH` in global_defs), one line per state change, e.g.
//
//   GROUP "wan_pair" MASTER
//   INSTANCE "lan" BACKUP 100
//
// We follow one name (a vrrp_sync_group, so that "both groups MASTER" is what counts, as
// spec/001's ifstated rule `carp0.link.up && carp1.link.up`; or a single instance). MASTER
// means speak; every other state (BACKUP, FAULT, STOP, DELETED) means be silent.
//
// The FIFO is created here if missing and opened read-write, so that keepalived's writes never
// fail for want of a reader and nothing is lost while we restart. Lines are untrusted local
// input: parsed with bounds, a malformed one counted and logged, never acted on.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/log.hpp"

namespace pppoe::sync {

enum class VrrpState : std::uint8_t { kMaster, kBackup, kFault, kStop, kOther };
const char* to_string(VrrpState s);

struct VrrpNotice {
  std::string kind;  ///< GROUP or INSTANCE (or another keepalived kind)
  std::string name;
  VrrpState state = VrrpState::kOther;
  std::string state_text;
};

/// One line of keepalived's notify FIFO; nullopt when it is not of the documented form.
std::optional<VrrpNotice> parse_vrrp_notice(std::string_view line);

class VrrpFifo {
 public:
  /// Opens (creating, mode 0600) the FIFO at `path`, to follow `name`.
  static std::expected<VrrpFifo, std::string> open(const std::string& path, std::string name);
  VrrpFifo(VrrpFifo&& o) noexcept;
  VrrpFifo& operator=(VrrpFifo&&) = delete;
  ~VrrpFifo();

  [[nodiscard]] int fd() const { return fd_; }
  /// In a forked child: the descriptor closed (the parent reads the FIFO).
  void close_in_child() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  /// Reads what is there; `on_state` gets the state of each line about our name, in order.
  void read(const std::function<void(VrrpState, const std::string& text)>& on_state);
  [[nodiscard]] std::uint64_t malformed() const { return malformed_; }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  VrrpFifo(int fd, std::string path, std::string name) : fd_(fd), path_(std::move(path)), name_(std::move(name)) {}
  int fd_ = -1;
  std::string path_;
  std::string name_;
  std::string partial_;
  std::uint64_t malformed_ = 0;
  log::RateLimit log_limit_{1, 3};
};

}  // namespace pppoe::sync
