// The raw baseline of bench/dataplane.sh: the least a userland PPPoE data plane can do, with
// the same I/O as a pppoed worker (AF_PACKET with recvmmsg/sendmmsg batches of 64, TUN writes
// batched through io_uring by the same TunBatchWriter, TUN reads through the same multishot
// TunBatchReader, epoll) and no
// PPPoE logic: no session lookup, no checks, no counters. Whatever pppoed costs beyond this is
// its own work.
//
//   raw_forwarder up IFACE TUN SECONDS            PPPoE session frames -> IP packets into TUN
//   raw_forwarder down TUN IFACE PEER_MAC SECONDS IP packets from TUN -> PPPoE frames (session 1)
//
// and the baseline of bench/l2tp_lac.sh, a LAC's data path without L2TP or PPPoE logic (no
// session or call lookup, no checks, no counters), with the same I/O as a LAC worker: AF_PACKET
// batches on one side, recvmmsg/sendmmsg batches of 32 on a UDP socket on port 1701 on the other:
//
//   raw_forwarder l2tp-up IFACE LNS_ADDR SECONDS       PPPoE frames -> L2TP data to LNS_ADDR:1701
//   raw_forwarder l2tp-down IFACE PEER_MAC SECONDS     L2TP data on :1701 -> PPPoE frames (session 1)
//
// and the baseline of bench/l2tp_lns.sh, an LNS's data path without L2TP or PPP logic, with
// the same I/O as an LNS worker (a multishot recvmsg or sendmmsg batches on UDP port 1701 on
// one side, batched TUN writes or the multishot TUN reader on the other):
//
//   raw_forwarder lns-up TUN SECONDS               L2TP data on :1701 -> IP packets into TUN
//   raw_forwarder lns-down TUN LAC_ADDR SECONDS    IP packets from TUN -> L2TP data to LAC_ADDR:1701
//
// Prints the number of packets forwarded.
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <vector>

#include <chrono>
#include <cstdio>
#include <string>

#include "dataplane/multishot_ring.hpp"
#include "dataplane/packet_socket.hpp"
#include "dataplane/tun_batch_reader.hpp"
#include "dataplane/tun_batch_writer.hpp"
#include "dataplane/tun_device.hpp"

using namespace pppoe;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kHeaders = 14 + 6 + 2;  // Ethernet, PPPoE, PPP protocol

/// Ethernet and PPPoE session header (session 1) for `pppoe_payload` octets.
void write_session_header(ByteWriter& w, const MacAddress& to, const MacAddress& from, std::size_t pppoe_payload) {
  w.bytes(to.bytes());
  w.bytes(from.bytes());
  w.u16(0x8864);
  w.u8(0x11);
  w.u8(0x00);
  w.u16(1);
  w.u16(static_cast<std::uint16_t>(pppoe_payload));
}

int run(bool upstream, const std::string& iface, const std::string& tun_name, const std::string& peer, double seconds) {
  auto sock = dataplane::PacketSocket::open(iface, {});
  auto tun = dataplane::TunDevice::open(tun_name);
  auto peer_mac = MacAddress::parse(peer.empty() ? "02:00:00:00:00:01" : peer);
  if (!sock || !tun || !peer_mac) {
    std::fprintf(stderr, "raw_forwarder: %s\n", !sock ? sock.error().c_str() : !tun ? tun.error().c_str() : "bad MAC");
    return 1;
  }
  if (auto r = tun->configure(*Ipv4Address::parse("10.0.0.1"), 1500); !r) std::fprintf(stderr, "%s\n", r.error().c_str());
  dataplane::TunBatchWriter writer(tun->fd(), true);
  dataplane::TunBatchReader reader(tun->fd(), true);
  int ep = epoll_create1(0);
  for (int fd : {sock->fd(), reader.fd()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  std::uint64_t forwarded = 0;
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    std::array<epoll_event, 8> events{};
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == sock->fd()) {
        for (int round = 0; round < 16; ++round) {
          std::size_t got = sock->receive_batch([&](Bytes frame) {
            if (upstream && frame.size() > kHeaders && frame[12] == 0x88 && frame[13] == 0x64 &&
                writer.write(frame.subspan(kHeaders)))
              ++forwarded;
          });
          forwarded -= writer.flush();
          if (got < dataplane::PacketSocket::kBatch) break;
        }
      } else if (fd == reader.fd()) {
        reader.receive([&](Bytes packet) {
          std::size_t len = packet.size();
          if (upstream || len + kHeaders > dataplane::PacketSocket::kFrameMax) return;
          MutableBytes out = sock->tx_buffer();
          ByteWriter w(out);
          write_session_header(w, *peer_mac, sock->mac(), len + 2);
          w.u16(0x0021);
          w.bytes(packet);
          sock->commit(w.size());
          ++forwarded;
        }, 256);
      }
    }
    sock->flush();
  }
  std::printf("%llu\n", static_cast<unsigned long long>(forwarded));
  return 0;
}

constexpr std::size_t kUdpBatch = 32, kDatagram = 2048;

/// sendmmsg batches of kUdpBatch datagrams, as a pppoed worker's L2TP socket sends them.
struct UdpBatch {
  int fd = -1;
  std::vector<std::uint8_t> buffers = std::vector<std::uint8_t>(kUdpBatch * kDatagram);
  std::array<iovec, kUdpBatch> iov{};
  std::array<mmsghdr, kUdpBatch> msgs{};
  std::size_t queued = 0;
  std::uint64_t sent = 0;

  /// One datagram to `to`: `head` then `body`.
  void queue(sockaddr_in& to, Bytes head, Bytes body) {
    if (head.size() + body.size() > kDatagram) return;
    if (queued == kUdpBatch) flush();
    std::uint8_t* d = buffers.data() + queued * kDatagram;
    std::copy(head.begin(), head.end(), d);  // not memcpy: an empty span may have no data pointer
    std::copy(body.begin(), body.end(), d + head.size());
    iov[queued] = {d, head.size() + body.size()};
    msgs[queued] = {};
    msgs[queued].msg_hdr.msg_name = &to;
    msgs[queued].msg_hdr.msg_namelen = sizeof to;
    msgs[queued].msg_hdr.msg_iov = &iov[queued];
    msgs[queued].msg_hdr.msg_iovlen = 1;
    ++queued;
  }
  void flush() {
    std::size_t done = 0;
    while (done < queued) {
      int n = ::sendmmsg(fd, msgs.data() + done, static_cast<unsigned>(queued - done), 0);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    sent += done;
    queued = 0;
  }
};

/// The receive buffer a pppoed L2TP socket has (dataplane/l2tp_dispatch.cpp): the same I/O.
void large_receive_buffer(int fd) {
  int bytes = 8 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0)
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

int run_l2tp(bool upstream, const std::string& iface, const std::string& lns_or_peer, double seconds) {
  auto sock = dataplane::PacketSocket::open(iface, {});
  int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(1701);
  sockaddr_in lns{};
  lns.sin_family = AF_INET;
  lns.sin_port = htons(1701);
  std::optional<MacAddress> peer_mac;
  if (upstream) {
    if (inet_pton(AF_INET, lns_or_peer.c_str(), &lns.sin_addr) != 1) return 2;
  } else {
    peer_mac = MacAddress::parse(lns_or_peer);
  }
  if (udp >= 0) large_receive_buffer(udp);
  if (!sock || udp < 0 || ::bind(udp, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0 || (!upstream && !peer_mac)) {
    std::fprintf(stderr, "raw_forwarder: %s\n", !sock ? sock.error().c_str() : "udp socket, bind :1701 or MAC");
    return 1;
  }
  std::vector<std::uint8_t> buffers(kUdpBatch * kDatagram);  // recvmmsg (no io_uring)
  std::array<iovec, kUdpBatch> iov{};
  std::array<mmsghdr, kUdpBatch> msgs{};
  UdpBatch tx{udp};
  std::uint64_t forwarded = 0;
  // Downstream the same receive as a LAC worker: a multishot recvmsg kept posted by io_uring.
  dataplane::MultishotRing ring(udp, dataplane::MultishotRing::Op::kRecvmsg, 256, 4096);
  if (!ring.ok()) std::fprintf(stderr, "raw_forwarder: %s; recvmmsg instead\n", ring.failure().c_str());
  int ep = epoll_create1(0);
  for (int fd : {sock->fd(), ring.ok() ? ring.fd() : udp}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  // Downstream: an L2TP data message (6-octet header, FF 03) -> a PPPoE frame to the peer.
  auto forward_down = [&](Bytes datagram) {
    if (datagram.size() <= 8) return;
    Bytes ppp = datagram.subspan(8);
    MutableBytes out = sock->tx_buffer();
    ByteWriter w(out);
    write_session_header(w, *peer_mac, sock->mac(), ppp.size());
    w.bytes(ppp);
    if (w.overflow()) return;
    sock->commit(w.size());
    ++forwarded;
  };
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    std::array<epoll_event, 8> events{};
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == sock->fd() && upstream) {
        for (int round = 0; round < 16; ++round) {
          std::size_t got = sock->receive_batch([&](Bytes frame) {
            if (frame.size() <= kHeaders - 2 || frame[12] != 0x88 || frame[13] != 0x64) return;
            static constexpr std::uint8_t kHead[] = {0x00, 0x02, 0x12, 0x34, 0x56, 0x78, 0xff, 0x03};
            tx.queue(lns, Bytes(kHead), frame.subspan(kHeaders - 2));  // protocol field onwards
          });
          tx.flush();
          if (got < dataplane::PacketSocket::kBatch) break;
        }
      } else if (fd == ring.fd() && !upstream) {
        ring.drain(
            [&](Bytes buffer) {
              if (auto d = ring.recvmsg_parts(buffer)) forward_down(d->payload);
            },
            256);
        sock->flush();
      } else if (fd == udp && !upstream) {
        for (int round = 0; round < 8; ++round) {
          for (std::size_t k = 0; k < kUdpBatch; ++k) {
            iov[k] = {buffers.data() + k * kDatagram, kDatagram};
            msgs[k] = {};
            msgs[k].msg_hdr.msg_iov = &iov[k];
            msgs[k].msg_hdr.msg_iovlen = 1;
          }
          int got = ::recvmmsg(udp, msgs.data(), kUdpBatch, MSG_DONTWAIT, nullptr);
          if (got <= 0) break;
          for (int k = 0; k < got; ++k)
            forward_down(Bytes(buffers.data() + static_cast<std::size_t>(k) * kDatagram,
                               msgs[static_cast<std::size_t>(k)].msg_len));
          sock->flush();
          if (static_cast<std::size_t>(got) < kUdpBatch) break;
        }
      }
    }
    sock->flush();
  }
  forwarded += tx.sent;
  std::printf("%llu\n", static_cast<unsigned long long>(forwarded));
  return 0;
}

int run_lns(bool upstream, const std::string& tun_name, const std::string& lac, double seconds) {
  auto tun = dataplane::TunDevice::open(tun_name);
  int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(1701);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(1701);
  if (udp >= 0) large_receive_buffer(udp);
  if (!tun || udp < 0 || ::bind(udp, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0 ||
      (!upstream && inet_pton(AF_INET, lac.c_str(), &to.sin_addr) != 1)) {
    std::fprintf(stderr, "raw_forwarder: %s\n", !tun ? tun.error().c_str() : "udp socket, bind :1701 or LAC address");
    return 1;
  }
  if (auto r = tun->configure(*Ipv4Address::parse("10.1.0.1"), 1500); !r) std::fprintf(stderr, "%s\n", r.error().c_str());
  dataplane::TunBatchWriter writer(tun->fd(), true);
  dataplane::TunBatchReader reader(tun->fd(), true);
  dataplane::MultishotRing ring(udp, dataplane::MultishotRing::Op::kRecvmsg, 256, 4096);
  if (!ring.ok()) {
    std::fprintf(stderr, "raw_forwarder: %s\n", ring.failure().c_str());
    return 1;
  }
  UdpBatch tx{udp};
  std::uint64_t forwarded = 0;
  int ep = epoll_create1(0);
  for (int fd : {ring.fd(), reader.fd()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    std::array<epoll_event, 8> events{};
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == ring.fd() && upstream) {
        // A data message with a 6-octet header, FF 03 and the PPP protocol: the IP packet after.
        ring.drain(
            [&](Bytes buffer) {
              auto d = ring.recvmsg_parts(buffer);
              if (d && d->payload.size() > 10 && writer.write(d->payload.subspan(10))) ++forwarded;
            },
            256);
        forwarded -= writer.flush();
      } else if (fd == reader.fd() && !upstream) {
        reader.receive([&](Bytes packet) {
          static constexpr std::uint8_t kHead[] = {0x00, 0x02, 0x12, 0x34, 0x56, 0x78, 0xff, 0x03, 0x00, 0x21};
          tx.queue(to, Bytes(kHead), packet);
        }, 256);
        tx.flush();
      }
    }
  }
  forwarded += tx.sent;
  std::printf("%llu\n", static_cast<unsigned long long>(forwarded));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "up" && argc == 5) return run(true, argv[2], argv[3], "", std::stod(argv[4]));
  if (mode == "down" && argc == 6) return run(false, argv[3], argv[2], argv[4], std::stod(argv[5]));
  if ((mode == "l2tp-up" || mode == "l2tp-down") && argc == 5) return run_l2tp(mode == "l2tp-up", argv[2], argv[3], std::stod(argv[4]));
  if (mode == "lns-up" && argc == 4) return run_lns(true, argv[2], "", std::stod(argv[3]));
  if (mode == "lns-down" && argc == 5) return run_lns(false, argv[2], argv[3], std::stod(argv[4]));
  std::fprintf(stderr,
               "usage: raw_forwarder up IFACE TUN SECONDS | down TUN IFACE PEER_MAC SECONDS |\n"
               "       l2tp-up IFACE LNS_ADDR SECONDS | l2tp-down IFACE PEER_MAC SECONDS |\n"
               "       lns-up TUN SECONDS | lns-down TUN LAC_ADDR SECONDS\n");
  return 2;
}
