// The packet socket on the loopback interface of a private network namespace (the test thread's
// own, so nothing else on the machine is touched): every frame arrives in order and intact,
// through the TPACKET_V3 ring and through recvmmsg, across many ring blocks, and an 802.1Q tag
// that the kernel strips on receive is put back. Needs root (CAP_NET_ADMIN, CAP_NET_RAW).
#include "dataplane/packet_socket.hpp"

#include "private_netns.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace pppoe::dataplane {
namespace {

constexpr std::uint16_t kTestEtherType = 0x88b5;  // IEEE local experimental

std::vector<std::uint8_t> frame(std::uint32_t seq, bool tagged) {
  std::vector<std::uint8_t> f;
  f.reserve(1600);
  for (int b : {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2}) f.push_back(static_cast<std::uint8_t>(b));
  if (tagged)
    for (int b : {0x81, 0x00, 0x00, 42}) f.push_back(static_cast<std::uint8_t>(b));  // 802.1Q, VLAN 42
  f.push_back(kTestEtherType >> 8);
  f.push_back(kTestEtherType & 0xff);
  std::size_t payload = 46 + seq % 1400;
  for (std::size_t i = 0; i < payload; ++i) f.push_back(static_cast<std::uint8_t>(seq + i));
  f[f.size() - 1] = static_cast<std::uint8_t>(seq);
  f[f.size() - 2] = static_cast<std::uint8_t>(seq >> 8);
  return f;
}

/// Sends frames [first, first + count) and receives them; returns how many came back intact
/// and in order.
std::uint32_t round_trip(PacketSocket& tx, PacketSocket& rx, std::uint32_t first, std::uint32_t count, bool tagged) {
  for (std::uint32_t seq = first; seq < first + count; ++seq) {
    auto f = frame(seq, tagged);
    MutableBytes out = tx.tx_buffer();
    std::memcpy(out.data(), f.data(), f.size());
    tx.commit(f.size());
  }
  tx.flush();
  std::uint32_t next = first;
  while (next < first + count) {
    pollfd p{rx.fd(), POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) break;
    while (rx.receive_batch([&](Bytes got) {
      if (got.size() < 16 || got[tagged ? 16 : 12] != (kTestEtherType >> 8)) return;  // not ours
      auto want = frame(next, tagged);
      EXPECT_EQ(std::vector<std::uint8_t>(got.begin(), got.end()), want) << "frame " << next;
      ++next;
    }) > 0) {
    }
  }
  return next - first;
}

class PacketSocketTest : public ::testing::TestWithParam<bool> {};

TEST_P(PacketSocketTest, FramesArriveIntactAndInOrder) {
  bool ring = GetParam();
  bool ran = testing::in_private_netns([&] {
    PacketSocketOptions rx_options;
    rx_options.rx_ring_bytes = ring ? std::size_t{1} << 20 : 0;  // 8 blocks: the frames wrap around it
    auto rx = PacketSocket::open("lo", rx_options);
    PacketSocketOptions tx_options;
    tx_options.rx_ring_bytes = 0;
    auto tx = PacketSocket::open("lo", tx_options);
    ASSERT_TRUE(rx && tx);
    ASSERT_EQ(rx->rx_ring(), ring) << "the kernel must accept a TPACKET_V3 ring";
    std::uint32_t seq = 0;
    for (int round = 0; round < 20; ++round, seq += 500) EXPECT_EQ(round_trip(*tx, *rx, seq, 500, false), 500U);
    EXPECT_EQ(round_trip(*tx, *rx, seq, 50, true), 50U) << "the stripped 802.1Q tag is put back";
    EXPECT_EQ(rx->counters().rx_syscalls, ring ? 0U : rx->counters().rx_syscalls);
  });
  ASSERT_TRUE(ran) << "needs root for a private network namespace";
}

TEST(PacketSocketFilter, AttachedBeforeAnyFrameIsQueued) {
  bool ran = testing::in_private_netns([&] {
    int filter_calls = 0;
    PacketSocketOptions options;
    options.filter = [&](int fd) -> std::expected<void, std::string> {
      ++filter_calls;
      return fd >= 0 ? std::expected<void, std::string>{} : std::unexpected("bad fd");
    };
    EXPECT_TRUE(PacketSocket::open("lo", options).has_value());
    EXPECT_EQ(filter_calls, 1);
    options.filter = [](int) -> std::expected<void, std::string> { return std::unexpected("refused"); };
    auto refused = PacketSocket::open("lo", options);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error(), "refused");
  });
  ASSERT_TRUE(ran) << "needs root for a private network namespace";
}

INSTANTIATE_TEST_SUITE_P(RingAndRecvmmsg, PacketSocketTest, ::testing::Bool());

}  // namespace
}  // namespace pppoe::dataplane
