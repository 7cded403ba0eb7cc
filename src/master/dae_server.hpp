// RFC 5176 dynamic authorization server: Disconnect-Request and CoA-Request from the RADIUS
// side, answered with ACK or NAK (+ Error-Cause). Only configured clients are heard; every
// request's authenticator (and Message-Authenticator, if present) is checked with that
// client's secret; Event-Timestamp outside 300 s is discarded as a replay (section 3.5);
// retransmissions get the cached answer instead of acting twice (section 2.3).
#pragma once

#include <netinet/in.h>

#include <deque>
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/ipv4.hpp"
#include "common/log.hpp"
#include "radius/packet.hpp"

namespace pppoe::master {

struct DaeCounters {
  std::uint64_t disconnect_requests = 0, disconnect_acks = 0, disconnect_naks = 0;
  std::uint64_t coa_requests = 0, coa_acks = 0, coa_naks = 0;
  std::uint64_t unknown_clients = 0, bad_authenticators = 0, malformed = 0, replays = 0, duplicates = 0;
};

/// What the handler decided: ACK, or NAK with an Error-Cause.
struct DaeAnswer {
  bool ack = false;
  radius::ErrorCause cause = radius::ErrorCause::kSessionContextNotFound;
};

class DaeServer {
 public:
  using Handler = std::function<DaeAnswer(const radius::PacketView& request)>;

  static std::expected<DaeServer, std::string> listen(Ipv4Address address, std::uint16_t port,
                                                      std::vector<std::pair<Ipv4Address, std::string>> clients);
  DaeServer(DaeServer&&) noexcept;
  DaeServer& operator=(DaeServer&&) noexcept;
  ~DaeServer();

  [[nodiscard]] int fd() const { return fd_; }
  /// Reads and answers every waiting request.
  void serve(const Handler& handler, std::int64_t unix_now);
  [[nodiscard]] const DaeCounters& counters() const { return counters_; }

 private:
  DaeServer() = default;
  struct Cached {
    std::uint32_t addr;
    std::uint16_t port;
    std::uint8_t id;
    radius::Authenticator auth;
    std::int64_t when;
    std::vector<std::uint8_t> answer;
  };
  int fd_ = -1;
  std::vector<std::pair<Ipv4Address, std::string>> clients_;
  std::deque<Cached> recent_;
  DaeCounters counters_;
  log::RateLimit log_limit_{5, 20};
};

}  // namespace pppoe::master
