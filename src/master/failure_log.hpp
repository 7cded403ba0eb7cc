// `pppoectl show failures`: why a subscriber cannot connect. The last N attempts that failed
// or ended, newest first, with the MAC, VLANs, user, the phase they stopped in and the reason in
// words (never a secret). Refusals at discovery (Service-Name not offered, limits) are kept too;
// the same refusal of the same MAC within kMergeSeconds is one entry with a repeat count, so a
// client that retries every second does not push everyone else out.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "common/mac.hpp"
#include "ctl/control_socket.hpp"
#include "proto/ether.hpp"

namespace pppoe::master {

struct FailureEntry {
  std::int64_t unix_ms = 0;
  MacAddress mac;
  ether::VlanStack vlans;
  std::string user;     ///< "" before authentication
  std::string phase;    ///< discovery, establish (LCP), authenticate, network (IPCP), up
  std::string reason;   ///< in words
  std::uint16_t session_id = 0;
  unsigned repeats = 1;
};

/// A session's end in words: the failure detail (authentication) when there is one, else what
/// the reason (session::EndReason) means to an operator; and the phase it stopped in, from
/// the reason, whether IPCP had opened and the link's phase (session::Phase).
std::string describe_end(std::uint8_t reason, std::string_view detail);
std::string describe_phase(std::uint8_t phase, bool was_up, std::uint8_t reason);

class FailureLog {
 public:
  static constexpr std::int64_t kMergeSeconds = 10;
  explicit FailureLog(std::size_t capacity) : capacity_(capacity) {}
  void add(FailureEntry e);
  /// Newest first, those matching `user` and `mac` ("" = any), at most `max`.
  [[nodiscard]] ctl::Json to_json(const std::string& user, const std::string& mac, std::size_t max) const;
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::uint64_t recorded() const { return recorded_; }

 private:
  std::size_t capacity_;
  std::deque<FailureEntry> entries_;  ///< oldest first
  std::uint64_t recorded_ = 0;
};

}  // namespace pppoe::master
