// The session dispatch map and its socket filter, in the kernel: a worker's socket receives a
// session's frames exactly while the map names that worker, so an owner set through the mapped
// values (a store, no system call) is what the kernel's filter reads. Needs root (CAP_BPF,
// CAP_NET_RAW).
#include "dataplane/bpf_dispatch.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>

#include "dataplane/packet_socket.hpp"
#include "private_netns.hpp"

namespace pppoe::dataplane {
namespace {

/// A PPPoE session frame (RFC 2516 section 4) for `session_id`, LCP, minimal payload.
std::size_t session_frame(MutableBytes out, std::uint16_t session_id) {
  const std::uint8_t f[] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0x64, 0x11, 0x00,
                            static_cast<std::uint8_t>(session_id >> 8), static_cast<std::uint8_t>(session_id),
                            0x00, 0x06, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x04};
  std::memcpy(out.data(), f, sizeof f);
  return sizeof f;
}

/// How many session frames for `session_id` `rx` gets when 5 are sent.
int delivered(PacketSocket& tx, PacketSocket& rx, std::uint16_t session_id) {
  for (int i = 0; i < 5; ++i) tx.commit(session_frame(tx.tx_buffer(), session_id));
  tx.flush();
  int got = 0;
  for (;;) {
    pollfd p{rx.fd(), POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) break;  // > the ring's 1 ms block timeout
    rx.receive_batch([&](Bytes f) { got += f.size() >= 18 && f[12] == 0x88 && f[13] == 0x64 ? 1 : 0; });
  }
  return got;
}

TEST(SessionDispatchMap, OwnersReadBackAsSet) {
  auto map = SessionDispatchMap::create();
  ASSERT_TRUE(map) << map.error() << " (needs root)";
  for (std::uint16_t sid : {std::uint16_t{1}, std::uint16_t{2}, std::uint16_t{4660}, std::uint16_t{65535}}) {
    ASSERT_TRUE(map->set(sid, sid % 7 + 1u));
    EXPECT_EQ(map->get(sid), sid % 7 + 1u);
  }
  EXPECT_EQ(map->get(3), SessionDispatchMap::kMasterOwner);
}

TEST(SessionDispatchMap, FilterDeliversExactlyTheOwnersFrames) {
  bool ran = testing::in_private_netns([] {
    auto map = SessionDispatchMap::create();
    ASSERT_TRUE(map) << map.error();
    PacketSocketOptions worker_options;
    worker_options.filter = [&](int fd) { return map->attach(fd, 3); };  // worker slot 2
    auto worker = PacketSocket::open("lo", worker_options);
    PacketSocketOptions tx_options;
    tx_options.rx_ring_bytes = 0;
    auto tx = PacketSocket::open("lo", tx_options);
    ASSERT_TRUE(worker && tx);
    EXPECT_EQ(delivered(*tx, *worker, 0x1234), 0) << "nobody owns session 0x1234 yet";
    ASSERT_TRUE(map->set(0x1234, 3));
    EXPECT_EQ(delivered(*tx, *worker, 0x1234), 5);
    EXPECT_EQ(delivered(*tx, *worker, 0x1235), 0) << "another session";
    ASSERT_TRUE(map->set(0x1234, 4));
    EXPECT_EQ(delivered(*tx, *worker, 0x1234), 0) << "moved to another worker";
  });
  ASSERT_TRUE(ran) << "needs root for a private network namespace";
}

}  // namespace
}  // namespace pppoe::dataplane
