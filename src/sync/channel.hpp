// The TCP side of the sync between two boxes (message.hpp is the format): pppoec's router pair
// and pppoed's standby pair.
//
// Each box listens on its own sync address and keeps one connection to the peer's: its
// records go out on the connection it opened, the peer's come in on the one it accepted, and
// each RECORD or GONE is acknowledged on the connection it came by. Both connections stay up
// whatever the roles are, so that a takeover never waits for a TCP handshake, and either
// router can stream the moment it becomes MASTER (also both at once during a split brain).
//
// A peer that fails the HELLO (wrong key), or sends anything malformed later, is refused:
// counted by kind, logged (rate-limited), disconnected; its messages are never delivered.
// An accepted connection has 2 s to authenticate; a newly authenticated one replaces the old.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/endpoint.hpp"
#include "common/log.hpp"
#include "sync/message.hpp"

namespace pppoe::sync {

using Endpoint = SocketEndpoint;

/// This host's name, for HELLOs (`fallback` when it has none).
std::string host_name(std::string_view fallback);

struct ChannelSettings {
  Endpoint listen;
  Endpoint peer;
  std::string key;   ///< secret: never logged
  std::string node;  ///< our name in HELLOs (the host name)
  std::string name = "pair";              ///< in log lines
  std::string key_label = "pppoec pair";  ///< in the connection key (message.hpp)
  /// Octets queued for a peer that does not read before it is dropped (a pppoed snapshot of
  /// 64,000 sessions is ~37 MB).
  std::size_t max_queued = std::size_t{1} << 20;
  /// A connection on which nothing arrived for this long is closed and opened again (zero: off).
  /// For users whose peer sends at least every second (pppoed's heartbeats and their acks): a
  /// link that was down leaves TCP retransmitting at exponential intervals, seconds apart,
  /// long after the link is back; a new connection is there at once.
  Duration silence_timeout{};
};

struct ChannelStats {
  std::uint64_t connects = 0;          ///< outgoing connections authenticated
  std::uint64_t accepts = 0;           ///< incoming connections authenticated
  std::uint64_t sent = 0;              ///< RECORD and GONE messages sent
  std::uint64_t received = 0;          ///< RECORD and GONE messages delivered
  std::uint64_t acked = 0;             ///< of ours, acknowledged by the peer
  std::uint64_t send_dropped = 0;      ///< not sent: no authenticated connection
  std::array<std::uint64_t, kRefusalKinds> refused{};  ///< by Refusal
  std::uint64_t handshake_timeouts = 0;
  TimePoint last_sent{}, last_received{}, last_acked{};
  std::string peer_node;  ///< from the peer's HELLO
};

class Channel {
 public:
  static std::expected<std::unique_ptr<Channel>, std::string> open(ChannelSettings settings);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  /// Readable when a connection or the listener has something: poll() then.
  [[nodiscard]] int fd() const { return epoll_fd_; }
  /// Accepts, reads, authenticates; `deliver` gets each authenticated RECORD and GONE from the
  /// peer (acknowledged after it returns).
  void poll(TimePoint now, const std::function<void(const Message&)>& deliver);
  /// Connection attempts (every second while down) and handshake deadlines.
  void tick(TimePoint now);
  /// Sends on our outgoing connection; false (and counted) when it is not authenticated.
  bool send(MessageType type, Bytes payload, TimePoint now);

  /// In a forked child (pppoed's workers): closes every descriptor without a word to the peer,
  /// so that a connection the parent closes really closes.
  void close_in_child();

  [[nodiscard]] bool outgoing_up() const;
  [[nodiscard]] bool incoming_up() const;
  [[nodiscard]] const ChannelStats& stats() const { return stats_; }
  [[nodiscard]] const ChannelSettings& settings() const { return settings_; }

 private:
  struct Connection;
  explicit Channel(ChannelSettings settings);
  void start_connect(TimePoint now);
  void on_readable(Connection& c, TimePoint now, const std::function<void(const Message&)>& deliver);
  bool handle_message(Connection& c, Message m, TimePoint now, const std::function<void(const Message&)>& deliver);
  void queue(Connection& c, std::vector<std::uint8_t> bytes);
  void flush(Connection& c);
  void refuse(Connection& c, Refusal why);
  void drop(std::unique_ptr<Connection>& c, const char* why);
  void watch(int fd, std::uint64_t tag, std::uint32_t events, bool modify);

  ChannelSettings settings_;
  Key shared_{};
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  std::unique_ptr<Connection> outgoing_;
  std::unique_ptr<Connection> incoming_;  ///< authenticated
  std::vector<std::unique_ptr<Connection>> pending_;  ///< accepted, HELLO not yet seen
  TimePoint next_connect_{};
  ChannelStats stats_;
  log::RateLimit log_limit_{1, 5};
};

}  // namespace pppoe::sync
