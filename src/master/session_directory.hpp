// What discovery needs from whoever owns sessions (the worker today; the worker pool with
// kernel dispatch in the multi-worker design).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/mac.hpp"
#include "proto/ether.hpp"

namespace pppoe::master {

struct NewSession {
  MacAddress client_mac;
  ether::VlanStack vlans;
  std::vector<std::uint8_t> host_uniq;
  std::string service_name;
  std::uint16_t max_payload = 0;  ///< RFC 4638 value agreed in discovery; 0 = none
  std::string circuit_id, remote_id;  ///< TR-101, from the PADR
};

enum class Refusal : std::uint8_t { kMaxSessions, kNoSessionId, kNoWorker };

class SessionDirectory {
 public:
  virtual ~SessionDirectory() = default;
  /// A session for the same client and Host-Uniq that is still negotiating (a repeated PADR).
  virtual std::optional<std::uint16_t> find_pending(const MacAddress& mac, const ether::VlanStack& vlans,
                                                    Bytes host_uniq) const = 0;
  virtual std::expected<std::uint16_t, Refusal> create(const NewSession& s) = 0;
  /// Starts PPP on a created session, once its PADS has been sent.
  virtual void start(std::uint16_t session_id) = 0;
  /// PADT from the client. False if no such session belongs to `mac`.
  virtual bool peer_terminated(std::uint16_t session_id, const MacAddress& mac) = 0;
  [[nodiscard]] virtual std::size_t session_count() const = 0;
  /// Whether a new session would find a worker: false while every worker drains or restarts.
  [[nodiscard]] virtual bool accepting() const = 0;
  /// Sessions created whose IPCP is not up yet.
  [[nodiscard]] virtual std::size_t starting_count() const = 0;
  [[nodiscard]] virtual bool has_session(std::uint16_t session_id) const = 0;
  /// Sessions of one client MAC.
  [[nodiscard]] virtual std::size_t sessions_of(const MacAddress& mac) const = 0;
};

}  // namespace pppoe::master
