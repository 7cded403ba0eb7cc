#include "master/dae_server.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "radius/crypto.hpp"

namespace pppoe::master {

using radius::Attr;
using radius::Code;

std::expected<DaeServer, std::string> DaeServer::listen(Ipv4Address address, std::uint16_t port,
                                                        std::vector<std::pair<Ipv4Address, std::string>> clients) {
  DaeServer s;
  s.clients_ = std::move(clients);
  s.fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.fd_ < 0) return std::unexpected(fmt::format("radius-dae-listen: socket: {}", std::strerror(errno)));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(address.value);
  if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return std::unexpected(fmt::format("radius-dae-listen {}:{}: {}", address.to_string(), port, std::strerror(errno)));
  return s;
}

DaeServer::DaeServer(DaeServer&& o) noexcept { *this = std::move(o); }
DaeServer& DaeServer::operator=(DaeServer&& o) noexcept {
  std::swap(fd_, o.fd_);
  clients_ = std::move(o.clients_);
  recent_ = std::move(o.recent_);
  counters_ = o.counters_;
  return *this;
}
DaeServer::~DaeServer() {
  if (fd_ >= 0) ::close(fd_);
}

void DaeServer::serve(const Handler& handler, std::int64_t unix_now) {
  while (!recent_.empty() && unix_now - recent_.front().when > 30) recent_.pop_front();
  std::array<std::uint8_t, radius::kMaxPacketSize + 1> buf{};
  for (int round = 0; round < 64; ++round) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return;
    Ipv4Address src{ntohl(from.sin_addr.s_addr)};
    auto client = std::find_if(clients_.begin(), clients_.end(), [&](const auto& c) { return c.first == src; });
    if (client == clients_.end()) {
      ++counters_.unknown_clients;
      log::warn_limited(log_limit_, "radius dae: request from {} which is not a radius-dae-client; ignored", src.to_string());
      continue;
    }
    auto req = radius::decode(Bytes(buf.data(), static_cast<std::size_t>(n)));
    if (!req || (req->code != Code::kDisconnectRequest && req->code != Code::kCoaRequest)) {
      ++counters_.malformed;
      log::warn_limited(log_limit_, "radius dae: malformed or unexpected packet from {}", src.to_string());
      continue;
    }
    const std::string& secret = client->second;
    if (radius::verify_request(*req, secret, false) != radius::Verdict::kOk) {
      ++counters_.bad_authenticators;
      log::warn_limited(log_limit_, "radius dae: bad authenticator from {} (wrong secret?)", src.to_string());
      continue;
    }
    if (auto ts = req->u32(Attr::kEventTimestamp); ts && std::llabs(unix_now - static_cast<std::int64_t>(*ts)) > 300) {
      ++counters_.replays;  // section 3.5: outside the window, silently discarded
      continue;
    }
    auto port = ntohs(from.sin_port);
    auto cached = std::find_if(recent_.begin(), recent_.end(), [&](const Cached& c) {
      return c.addr == src.value && c.port == port && c.id == req->id && c.auth == req->authenticator;
    });
    if (cached != recent_.end()) {
      ++counters_.duplicates;
      ::sendto(fd_, cached->answer.data(), cached->answer.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      continue;
    }
    bool disconnect = req->code == Code::kDisconnectRequest;
    ++(disconnect ? counters_.disconnect_requests : counters_.coa_requests);
    DaeAnswer a = handler(*req);
    Code code = disconnect ? (a.ack ? Code::kDisconnectAck : Code::kDisconnectNak) : (a.ack ? Code::kCoaAck : Code::kCoaNak);
    if (disconnect) ++(a.ack ? counters_.disconnect_acks : counters_.disconnect_naks);
    else ++(a.ack ? counters_.coa_acks : counters_.coa_naks);
    radius::PacketBuilder b(code, req->id);
    b.add_message_authenticator_placeholder();
    if (!a.ack) b.add_u32(Attr::kErrorCause, static_cast<std::uint32_t>(a.cause));
    // Section 3: Proxy-State attributes are echoed in order.
    for (const auto& attr : req->attributes)
      if (attr.type == static_cast<std::uint8_t>(Attr::kProxyState)) b.add(Attr::kProxyState, attr.value);
    MutableBytes out = radius::seal_response(b, req->authenticator, secret);
    ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    if (recent_.size() >= 1024) recent_.pop_front();
    recent_.push_back({src.value, port, req->id, req->authenticator, unix_now, {out.begin(), out.end()}});
    log::info("radius dae: {} from {} -> {}{}", radius::to_string(req->code), src.to_string(), radius::to_string(code),
              a.ack ? "" : fmt::format(" (Error-Cause {})", static_cast<unsigned>(a.cause)));
  }
}

}  // namespace pppoe::master
