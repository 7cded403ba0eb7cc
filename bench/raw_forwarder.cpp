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
// Prints the number of packets forwarded.
#include <sys/epoll.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "dataplane/packet_socket.hpp"
#include "dataplane/tun_batch_reader.hpp"
#include "dataplane/tun_batch_writer.hpp"
#include "dataplane/tun_device.hpp"

using namespace pppoe;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kHeaders = 14 + 6 + 2;  // Ethernet, PPPoE, PPP protocol

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
          w.bytes(peer_mac->bytes());
          w.bytes(sock->mac().bytes());
          w.u16(0x8864);
          w.u8(0x11);
          w.u8(0x00);
          w.u16(1);
          w.u16(static_cast<std::uint16_t>(len + 2));
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

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "up" && argc == 5) return run(true, argv[2], argv[3], "", std::stod(argv[4]));
  if (mode == "down" && argc == 6) return run(false, argv[3], argv[2], argv[4], std::stod(argv[5]));
  std::fprintf(stderr, "usage: raw_forwarder up IFACE TUN SECONDS | down TUN IFACE PEER_MAC SECONDS\n");
  return 2;
}
