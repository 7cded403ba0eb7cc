// The master-worker channel: queued records leave in one write at flush(), in order, and an
// immediate send() goes after what is queued (a Disconnect must never overtake the Start of
// the same session).
#include "worker/channel.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace pppoe::worker {
namespace {

Message numbered(MessageType type, std::uint16_t id) {
  Message m;
  m.type = type;
  m.session_id = id;
  return m;
}

TEST(Channel, QueuedRecordsArriveInOrderAfterFlush) {
  auto fds = Channel::make_pair();
  ASSERT_TRUE(fds);
  Channel master(fds->first), worker(fds->second);
  for (std::uint16_t id = 1; id <= 10; ++id) ASSERT_TRUE(master.queue(numbered(MessageType::kStart, id)));
  EXPECT_FALSE(worker.receive()) << "nothing leaves before flush()";
  ASSERT_TRUE(master.flush());
  for (std::uint16_t id = 1; id <= 10; ++id) {
    auto m = worker.receive();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->session_id, id);
  }
  EXPECT_FALSE(worker.receive());
  ::close(fds->first);
  ::close(fds->second);
}

TEST(Channel, ImmediateSendGoesAfterTheQueue) {
  auto fds = Channel::make_pair();
  ASSERT_TRUE(fds);
  Channel master(fds->first), worker(fds->second);
  ASSERT_TRUE(master.queue(numbered(MessageType::kStart, 7)));
  ASSERT_TRUE(master.send(numbered(MessageType::kDisconnect, 7)));
  auto first = worker.receive(), second = worker.receive();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->type, MessageType::kStart);
  EXPECT_EQ(second->type, MessageType::kDisconnect);
  ::close(fds->first);
  ::close(fds->second);
}

TEST(Channel, AFullQueueFlushesItself) {
  auto fds = Channel::make_pair();
  ASSERT_TRUE(fds);
  Channel master(fds->first), worker(fds->second);
  for (std::uint16_t id = 0; id < 64; ++id) ASSERT_TRUE(master.queue(numbered(MessageType::kStart, id)));
  int got = 0;
  while (worker.receive()) ++got;
  EXPECT_EQ(got, 64);
  ::close(fds->first);
  ::close(fds->second);
}

}  // namespace
}  // namespace pppoe::worker
