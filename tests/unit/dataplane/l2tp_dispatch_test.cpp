// The L2TP dispatch in the kernel: sockets of several workers share one address and port, and
// each datagram reaches the socket of the worker whose slot its tunnel ID carries, with or
// without the Length field; a slot without a socket gets nothing; tunnel 0 reaches someone.
// Needs root (CAP_BPF, a private network namespace).
#include "dataplane/l2tp_dispatch.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <vector>

#include "private_netns.hpp"

namespace pppoe::dataplane {
namespace {

constexpr SocketEndpoint kLocal{Ipv4Address{0x7f000001}, 1701};

void send_l2tp(int tx, std::uint16_t tunnel, bool with_length) {
  std::vector<std::uint8_t> d;
  if (with_length)  // control message header: T, L, S set (RFC 2661 section 3.1)
    d = {0xc8, 0x02, 0x00, 0x0c, static_cast<std::uint8_t>(tunnel >> 8), static_cast<std::uint8_t>(tunnel), 0, 0, 0, 0, 0, 0};
  else  // data message without Length
    d = {0x00, 0x02, static_cast<std::uint8_t>(tunnel >> 8), static_cast<std::uint8_t>(tunnel), 0, 1, 0xff, 0x03, 0xc0, 0x21};
  sockaddr_in to = kLocal.sockaddr();
  ASSERT_EQ(::sendto(tx, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(d.size()));
}

int drain(int fd) {
  int got = 0;
  std::array<std::uint8_t, 256> buf{};
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 50) > 0 && ::recv(fd, buf.data(), buf.size(), 0) > 0) ++got;
  return got;
}

TEST(L2tpDispatch, TunnelIdSelectsTheWorkersSocket) {
  bool ran = testing::in_private_netns([] {
    auto d = L2tpDispatch::create(kLocal);
    ASSERT_TRUE(d) << d.error();
    std::array<int, 3> slot_fd{};
    for (unsigned slot = 0; slot < 3; ++slot) {
      auto fd = d->open_socket(slot);
      ASSERT_TRUE(fd) << fd.error();
      slot_fd[slot] = *fd;
    }
    int tx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    for (unsigned slot = 0; slot < 3; ++slot) {
      for (int i = 0; i < 4; ++i) {
        auto id = static_cast<std::uint16_t>(L2tpDispatch::tunnel_id_base(slot) + 1 + i * 97);
        send_l2tp(tx, id, i % 2 == 0);
      }
      for (unsigned other = 0; other < 3; ++other)
        EXPECT_EQ(drain(slot_fd[other]), other == slot ? 4 : 0) << "tunnels of slot " << slot << " at slot " << other;
    }
    // A slot with no socket (a worker that is gone): dropped, never handed to someone else.
    send_l2tp(tx, L2tpDispatch::tunnel_id_base(5) + 3, true);
    ::close(slot_fd[1]);  // closing takes a socket out of the map
    send_l2tp(tx, L2tpDispatch::tunnel_id_base(1) + 3, false);
    EXPECT_EQ(drain(slot_fd[0]) + drain(slot_fd[2]), 0);
    // Tunnel 0 (an SCCRQ) goes to one of the sockets by the kernel's hash.
    send_l2tp(tx, 0, true);
    EXPECT_EQ(drain(slot_fd[0]) + drain(slot_fd[2]), 1);
    ::close(tx);
    ::close(slot_fd[0]);
    ::close(slot_fd[2]);
  });
  ASSERT_TRUE(ran) << "needs root for a private network namespace";
}

}  // namespace
}  // namespace pppoe::dataplane
