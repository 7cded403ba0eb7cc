#include "sync/channel.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/rand.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pppoe::sync {
namespace {

constexpr std::uint64_t kListenTag = 0;
constexpr Duration kHandshakeTime = seconds(2);
constexpr Duration kConnectRetry = seconds(1);
constexpr std::size_t kMaxPending = 4;                    // accepted, not yet authenticated

void tune(int fd) {
  // Records are small and each matters now: no Nagle delay. Keep-alive finds a peer that
  // vanished without a FIN (its box lost power) within about 10 s.
  int one = 1, idle = 5, interval = 1, count = 5;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

}  // namespace

std::string host_name(std::string_view fallback) {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return std::string(fallback);
  return buf;
}

struct Channel::Connection {
  int fd = -1;
  std::uint64_t tag = 0;
  bool outgoing = false;
  bool connecting = false;     ///< outgoing: connect() in progress
  bool hello_done = false;     ///< both HELLOs exchanged: `key` is the connection's
  bool authenticated = false;  ///< the peer proved it holds the key on this connection
  std::array<std::uint8_t, kNonceSize> nonce{};
  Key key{};
  StreamDecoder decoder;
  std::uint64_t send_sequence = 0;
  std::vector<std::uint8_t> out;
  std::size_t out_start = 0;
  TimePoint deadline{};
  TimePoint last_rx{};  ///< when bytes last arrived (silence_timeout)
  std::string peer_address;
  ~Connection() {
    if (fd >= 0) ::close(fd);
  }
};

Channel::Channel(ChannelSettings settings) : settings_(std::move(settings)), shared_(shared_key(settings_.key)) {}

Channel::~Channel() {
  outgoing_.reset();
  incoming_.reset();
  pending_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void Channel::close_in_child() {
  auto forget = [](std::unique_ptr<Connection>& c) {
    if (!c) return;
    ::close(c->fd);
    c->fd = -1;
    c.reset();
  };
  forget(outgoing_);
  forget(incoming_);
  for (auto& p : pending_) forget(p);
  pending_.clear();
  for (int* fd : {&listen_fd_, &epoll_fd_})
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
}

std::expected<std::unique_ptr<Channel>, std::string> Channel::open(ChannelSettings settings) {
  auto c = std::unique_ptr<Channel>(new Channel(std::move(settings)));
  c->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (c->epoll_fd_ < 0) return std::unexpected(fmt::format("{}: epoll: {}", c->settings_.name, std::strerror(errno)));
  c->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->listen_fd_ < 0) return std::unexpected(fmt::format("{}: socket: {}", c->settings_.name, std::strerror(errno)));
  int one = 1;
  ::setsockopt(c->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa = c->settings_.listen.sockaddr();
  if (::bind(c->listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(c->listen_fd_, 8) < 0)
    return std::unexpected(fmt::format("{}: listen on {}: {}", c->settings_.name, c->settings_.listen.to_string(), std::strerror(errno)));
  c->watch(c->listen_fd_, kListenTag, EPOLLIN, false);
  return c;
}

void Channel::watch(int fd, std::uint64_t tag, std::uint32_t events, bool modify) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  ::epoll_ctl(epoll_fd_, modify ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
}

bool Channel::outgoing_up() const { return outgoing_ && outgoing_->hello_done; }
bool Channel::incoming_up() const { return incoming_ != nullptr; }

void Channel::start_connect(TimePoint now) {
  next_connect_ = now + kConnectRetry;
  auto c = std::make_unique<Connection>();
  c->fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) return;
  tune(c->fd);
  static std::uint64_t next_tag = 1;
  c->tag = next_tag++;
  c->outgoing = true;
  c->connecting = true;
  c->deadline = now + kHandshakeTime;
  c->peer_address = settings_.peer.to_string();
  sockaddr_in sa = settings_.peer.sockaddr();
  if (::connect(c->fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 && errno != EINPROGRESS) return;
  watch(c->fd, c->tag, EPOLLIN | EPOLLOUT, false);
  outgoing_ = std::move(c);
}

void Channel::tick(TimePoint now) {
  if (settings_.silence_timeout > Duration{}) {
    auto silent = [&](const std::unique_ptr<Connection>& c) {
      return c && c->hello_done && now - c->last_rx > settings_.silence_timeout;
    };
    if (silent(outgoing_)) drop(outgoing_, "nothing heard on it for too long");
    if (silent(incoming_)) drop(incoming_, "nothing heard on it for too long");
  }
  if (outgoing_ && !outgoing_->hello_done && now >= outgoing_->deadline) {
    ++stats_.handshake_timeouts;
    drop(outgoing_, "no HELLO from the peer in time");
  }
  if (!outgoing_ && now >= next_connect_) start_connect(now);
  std::erase_if(pending_, [&](const std::unique_ptr<Connection>& c) {
    if (now < c->deadline) return false;
    ++stats_.handshake_timeouts;
    log::warn_limited(log_limit_, "{}: {} did not authenticate within {} s: disconnected", settings_.name, c->peer_address,
                      std::chrono::duration_cast<seconds>(kHandshakeTime).count());
    return true;
  });
}

void Channel::queue(Connection& c, std::vector<std::uint8_t> bytes) {
  if (c.out.size() - c.out_start + bytes.size() > settings_.max_queued) return;  // flush() drops it
  c.out.insert(c.out.end(), bytes.begin(), bytes.end());
}

void Channel::flush(Connection& c) {
  while (c.out_start < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_start, c.out.size() - c.out_start, MSG_NOSIGNAL);
    if (n <= 0) break;
    c.out_start += static_cast<std::size_t>(n);
  }
  if (c.out_start == c.out.size()) {
    c.out.clear();
    c.out_start = 0;
  }
  watch(c.fd, c.tag, EPOLLIN | (c.out.empty() ? 0u : static_cast<std::uint32_t>(EPOLLOUT)), true);
}

bool Channel::send(MessageType type, Bytes payload, TimePoint now) {
  if (!outgoing_up()) {
    ++stats_.send_dropped;
    return false;
  }
  Connection& c = *outgoing_;
  if (c.out.size() - c.out_start > settings_.max_queued / 2) {
    ++stats_.send_dropped;
    drop(outgoing_, "the peer does not read");
    return false;
  }
  queue(c, encode(type, c.send_sequence++, payload, c.key));
  flush(c);
  ++stats_.sent;
  stats_.last_sent = now;
  return true;
}

void Channel::refuse(Connection& c, Refusal why) {
  ++stats_.refused[static_cast<std::size_t>(why)];
  log::warn_limited(log_limit_, "{}: refused a message from {} ({}): disconnected", settings_.name, c.peer_address, to_string(why));
}

void Channel::drop(std::unique_ptr<Connection>& c, const char* why) {
  if (!c) return;
  log::info("{}: connection {} {} closed: {}", settings_.name, c->outgoing ? "to" : "from", c->peer_address, why);
  c.reset();
}

void Channel::poll(TimePoint now, const std::function<void(const Message&)>& deliver) {
  std::array<epoll_event, 8> events{};
  int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 0);
  for (int i = 0; i < n; ++i) {
    std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
    if (tag == kListenTag) {
      for (;;) {
        sockaddr_in from{};
        socklen_t len = sizeof from;
        int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        auto c = std::make_unique<Connection>();
        c->fd = fd;
        tune(fd);
        static std::uint64_t next_tag = 1ull << 32;
        c->tag = next_tag++;
        c->deadline = now + kHandshakeTime;
        c->peer_address = Endpoint::from(from).to_string();
        RAND_bytes(c->nonce.data(), static_cast<int>(c->nonce.size()));
        if (pending_.size() >= kMaxPending) pending_.erase(pending_.begin());  // the oldest waits longest
        watch(fd, c->tag, EPOLLIN, false);
        pending_.push_back(std::move(c));
      }
      continue;
    }
    Connection* c = nullptr;
    if (outgoing_ && outgoing_->tag == tag) c = outgoing_.get();
    if (incoming_ && incoming_->tag == tag) c = incoming_.get();
    for (auto& p : pending_)
      if (p->tag == tag) c = p.get();
    if (!c) continue;  // closed earlier in this batch
    std::uint32_t ev = events[static_cast<std::size_t>(i)].events;
    if (c->outgoing && c->connecting && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        outgoing_.reset();  // refused or unreachable: retried by tick(), not worth a log line each second
        continue;
      }
      c->connecting = false;
      RAND_bytes(c->nonce.data(), static_cast<int>(c->nonce.size()));
      queue(*c, encode(MessageType::kHello, c->send_sequence++, encode_hello({c->nonce, settings_.node}), shared_));
    }
    if (ev & EPOLLOUT) flush(*c);
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(*c, now, deliver);
  }
}

void Channel::on_readable(Connection& c, TimePoint now, const std::function<void(const Message&)>& deliver) {
  std::array<std::uint8_t, 16384> buf{};
  bool closed = false;
  for (;;) {
    ssize_t n = ::recv(c.fd, buf.data(), buf.size(), 0);
    if (n > 0) {
      c.last_rx = now;
      c.decoder.feed(Bytes(buf.data(), static_cast<std::size_t>(n)));
      continue;
    }
    closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    break;
  }
  Connection* conn = &c;
  for (;;) {
    auto m = conn->decoder.next(conn->hello_done ? conn->key : shared_);
    bool ok = true;
    if (!m) {
      refuse(*conn, m.error());
      ok = false;
    } else if (!*m) {
      break;
    } else {
      ok = handle_message(*conn, std::move(**m), now, deliver);
    }
    if (!ok) {
      closed = true;
      break;
    }
    // handle_message may have moved a pending connection to incoming_: same object.
  }
  if (!closed) return;
  if (outgoing_.get() == conn) {
    drop(outgoing_, "closed");
  } else if (incoming_.get() == conn) {
    drop(incoming_, "closed");
  } else {
    std::erase_if(pending_, [conn](const std::unique_ptr<Connection>& p) { return p.get() == conn; });
  }
}

bool Channel::handle_message(Connection& c, Message m, TimePoint now, const std::function<void(const Message&)>& deliver) {
  if (!c.hello_done) {
    if (m.type != MessageType::kHello) {
      refuse(c, Refusal::kBadType);
      return false;
    }
    auto hello = decode_hello(m.payload);
    if (!hello) {
      refuse(c, hello.error());
      return false;
    }
    stats_.peer_node = hello->node;
    c.hello_done = true;
    if (c.outgoing) {
      c.key = connection_key(shared_, settings_.key_label, c.nonce, hello->nonce);
      // Proof that we hold the key on this very connection (a replayed HELLO cannot give it).
      queue(c, encode(MessageType::kAck, c.send_sequence++, encode_ack(0), c.key));
      flush(c);
      ++stats_.connects;
      log::info("{}: connected to {} ({})", settings_.name, hello->node, c.peer_address);
    } else {
      c.key = connection_key(shared_, settings_.key_label, hello->nonce, c.nonce);
      queue(c, encode(MessageType::kHello, c.send_sequence++, encode_hello({c.nonce, settings_.node}), shared_));
      flush(c);
    }
    return true;
  }
  if (m.type == MessageType::kHello) {
    refuse(c, Refusal::kBadType);
    return false;
  }
  if (!c.outgoing && !c.authenticated) {
    // The first message keyed with the connection's key: the connector is the peer.
    c.authenticated = true;
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->get() != &c) continue;
      if (incoming_) drop(incoming_, "replaced by a new connection from the peer");
      incoming_ = std::move(*it);
      pending_.erase(it);
      break;
    }
    ++stats_.accepts;
    log::info("{}: {} connected from {}", settings_.name, stats_.peer_node, c.peer_address);
  }
  switch (m.type) {
    case MessageType::kAck: {
      auto seq = decode_ack(m.payload);
      if (!seq) {
        refuse(c, seq.error());
        return false;
      }
      if (*seq != 0 && c.outgoing) {
        ++stats_.acked;
        stats_.last_acked = now;
      }
      return true;
    }
    case MessageType::kRecord:
    case MessageType::kGone:
    case MessageType::kRole:
    case MessageType::kSnapshotDone:
      if (c.outgoing) {  // the acceptor only acknowledges
        refuse(c, Refusal::kBadType);
        return false;
      }
      ++stats_.received;
      stats_.last_received = now;
      deliver(m);
      queue(c, encode(MessageType::kAck, c.send_sequence++, encode_ack(m.sequence), c.key));
      flush(c);
      return true;
    case MessageType::kHello: break;
  }
  return false;
}

}  // namespace pppoe::sync
