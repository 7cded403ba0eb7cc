// What the LAC and LNS parts of a worker share about their L2TP sockets (one l2tp::Host per
// local endpoint, each in a link with a `host` member): reading them, a tunnel's record in the
// shared table (`pppoectl show tunnels`), and a host's socket counters summed into their
// counter arrays (LacCounter and LnsCounter name these alike).
#pragma once

#include <ctime>
#include <cstring>
#include <string_view>
#include <vector>

#include "dataplane/l2tp_tunnel_table.hpp"
#include "l2tp/host.hpp"

namespace pppoe::worker {

/// The descriptors to watch of every link's host.
template <typename Links>
std::vector<int> host_fds(const Links& links) {
  std::vector<int> v;
  for (const auto& l : links) v.push_back(l->host->fd());
  return v;
}

/// Reads what arrived if `fd` is one of the links' hosts'; false if it is none of theirs.
template <typename Links>
bool poll_host(Links& links, int fd, TimePoint now) {
  for (auto& l : links)
    if (l->host->fd() == fd) {
      l->host->poll(now);
      return true;
    }
  return false;
}

/// Writes one tunnel into record `index` of worker `slot`'s block.
inline void publish_tunnel(dataplane::L2tpTunnelTable& table, unsigned slot, std::size_t index, std::uint16_t id,
                           const l2tp::Tunnel& t, const SocketEndpoint& local, const SocketEndpoint& peer,
                           std::size_t calls, TimePoint created, std::string_view profile, TimePoint now) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::int64_t now_unix_ms = std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
  auto unix_ms = [&](TimePoint tp) {
    return now_unix_ms - std::chrono::duration_cast<std::chrono::milliseconds>(now - tp).count();
  };
  auto copy = [](char* dst, std::size_t cap, std::string_view src) {
    std::size_t n = std::min(cap - 1, src.size());
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
  };
  table.update(slot, index, [&](dataplane::L2tpTunnelRecord& r) {
    r.local_id = id;
    r.peer_id = t.peer().tunnel_id;
    r.state = static_cast<std::uint8_t>(t.state());
    r.worker = static_cast<std::uint8_t>(slot);
    r.initiator = t.initiator();
    r.local_address = local.address.value;
    r.local_port = local.port;
    r.peer_address = peer.address.value;
    r.peer_port = peer.port;
    r.created_unix_ms = unix_ms(created);
    r.state_since_unix_ms = unix_ms(t.state_since());
    r.sessions = static_cast<std::uint32_t>(calls);
    r.ns = t.channel().ns();
    r.nr = t.channel().nr();
    r.cwnd = t.channel().cwnd();
    r.ssthresh = t.channel().ssthresh();
    r.tx_window = t.channel().peer_window();
    r.retransmitted = t.channel().counters().retransmitted;
    copy(r.profile, sizeof r.profile, profile);
    copy(r.peer_host, sizeof r.peer_host, t.peer().host_name);
    copy(r.peer_vendor, sizeof r.peer_vendor, t.peer().vendor_name);
  });
}

/// Adds `host`'s socket counters (datagrams, drops by reason, retransmissions) to `c`.
template <typename Counter, typename Counters>
void add_host_counters(Counters& c, const l2tp::Host& host) {
  auto add = [&](Counter k, std::uint64_t v) { c[static_cast<std::size_t>(k)] += v; };
  const auto& hc = host.counters();
  add(Counter::kDatagramsIn, hc.datagrams_in);
  add(Counter::kDatagramsOut, hc.datagrams_out);
  add(Counter::kSendFailed, hc.send_failed);
  for (std::size_t i = 0; i < hc.malformed.size(); ++i) c[static_cast<std::size_t>(Counter::kDropTruncated) + i] += hc.malformed[i];
  add(Counter::kDropUnknownTunnel, hc.unknown_tunnel);
  add(Counter::kDropUnknownSession, hc.unknown_session);
  add(Counter::kDropTunnelZero, hc.tunnel_zero);
  add(Counter::kDropDataOutOfOrder, hc.data_out_of_order);
  host.for_each_tunnel([&](std::uint16_t, const l2tp::Tunnel& t, const SocketEndpoint&, std::size_t, TimePoint) {
    add(Counter::kControlRetransmitted, t.channel().counters().retransmitted);
  });
}

}  // namespace pppoe::worker
