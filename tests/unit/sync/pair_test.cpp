// The router pair's sync protocol (framing, HMAC, sequence), its TCP channel over loopback,
// keepalived's notify lines, and the `set pair` configuration.
#include <gtest/gtest.h>

#include <thread>

#include "pppoec/conf_parser.hpp"
#include "sync/channel.hpp"
#include "sync/message.hpp"
#include "sync/vrrp_notify.hpp"

namespace pppoe::pppoec {
namespace {

using sync::MessageType;
using sync::Refusal;

const sync::Key kKey = sync::shared_key("a-shared-key-for-the-tests");

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST(PairMessage, RoundTripInSequence) {
  sync::StreamDecoder d;
  auto a = sync::encode(MessageType::kRecord, 0, as_bytes("{\"x\":1}"), kKey);
  auto b = sync::encode(MessageType::kGone, 1, sync::encode_gone({4711, "peer-padt"}), kKey);
  // Byte by byte: a TCP stream may cut anywhere.
  std::vector<std::uint8_t> all(a);
  all.insert(all.end(), b.begin(), b.end());
  std::vector<sync::Message> got;
  for (std::uint8_t byte : all) {
    d.feed(Bytes(&byte, 1));
    auto m = d.next(kKey);
    ASSERT_TRUE(m);
    if (*m) got.push_back(std::move(**m));
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, MessageType::kRecord);
  EXPECT_EQ(std::string(as_text(got[0].payload)), "{\"x\":1}");
  auto gone = sync::decode_gone(got[1].payload);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->session_id, 4711);
  EXPECT_EQ(gone->reason, "peer-padt");
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(PairMessage, EveryTamperedOctetIsRefused) {
  auto frame = sync::encode(MessageType::kRecord, 0, as_bytes("payload"), kKey);
  for (std::size_t i = 0; i < frame.size(); ++i) {
    auto bad = frame;
    bad[i] ^= 0x01;
    sync::StreamDecoder d;
    d.feed(bad);
    auto m = d.next(kKey);
    // A flipped length may leave the frame incomplete (more bytes awaited): never accepted.
    if (m) {
      EXPECT_FALSE(*m) << "octet " << i;
    }
  }
}

TEST(PairMessage, WrongKeyReplayAndReorderAreRefused) {
  auto other = sync::shared_key("another key entirely");
  sync::StreamDecoder d1;
  d1.feed(sync::encode(MessageType::kRecord, 0, as_bytes("x"), other));
  EXPECT_EQ(d1.next(kKey).error(), Refusal::kBadMac);

  sync::StreamDecoder d2;
  auto first = sync::encode(MessageType::kRecord, 0, as_bytes("x"), kKey);
  d2.feed(first);
  ASSERT_TRUE(d2.next(kKey) && *d2.next(kKey) == std::nullopt);
  d2.feed(first);  // the same message again: a replay
  EXPECT_EQ(d2.next(kKey).error(), Refusal::kBadSequence);

  sync::StreamDecoder d3;
  d3.feed(sync::encode(MessageType::kRecord, 5, as_bytes("x"), kKey));  // skipped ahead
  EXPECT_EQ(d3.next(kKey).error(), Refusal::kBadSequence);
}

TEST(PairMessage, HeaderJudgedBeforeThePayloadArrives) {
  std::vector<std::uint8_t> h = {'P', 'P', 'S', 'Y', 1, 2, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
  sync::StreamDecoder d;
  d.feed(h);
  EXPECT_EQ(d.next(kKey).error(), Refusal::kTooLong);  // not 64 KiB of buffering first
  sync::StreamDecoder d2;
  h[0] = 'X';
  d2.feed(h);
  EXPECT_EQ(d2.next(kKey).error(), Refusal::kBadMagic);
  sync::StreamDecoder d3;
  h[0] = 'P';
  h[5] = 9;
  h[6] = 0;
  h[7] = 0;
  d3.feed(h);
  EXPECT_EQ(d3.next(kKey).error(), Refusal::kBadType);
}

TEST(PairMessage, PayloadDecodersCheckBounds) {
  EXPECT_FALSE(sync::decode_hello(bytes_of("short")));
  std::vector<std::uint8_t> hello(16, 7);
  hello.push_back(0x01);  // a control character in the node name
  EXPECT_FALSE(sync::decode_hello(hello));
  EXPECT_FALSE(sync::decode_gone(bytes_of("x")));
  EXPECT_FALSE(sync::decode_ack(bytes_of("1234567")));
  auto ack = sync::decode_ack(sync::encode_ack(0x0102030405060708ull));
  ASSERT_TRUE(ack);
  EXPECT_EQ(*ack, 0x0102030405060708ull);
  auto h = sync::decode_hello(sync::encode_hello({{1, 2, 3}, "router-b"}));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->node, "router-b");
  EXPECT_EQ(h->nonce[2], 3);
}

TEST(VrrpNotice, KeepalivedLines) {
  auto g = sync::parse_vrrp_notice("GROUP \"wan pair\" MASTER");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, "GROUP");
  EXPECT_EQ(g->name, "wan pair");
  EXPECT_EQ(g->state, sync::VrrpState::kMaster);
  auto i = sync::parse_vrrp_notice("INSTANCE \"lan\" BACKUP 100");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->state, sync::VrrpState::kBackup);
  EXPECT_EQ(sync::parse_vrrp_notice("INSTANCE \"lan\" FAULT 0")->state, sync::VrrpState::kFault);
  EXPECT_EQ(sync::parse_vrrp_notice("GROUP \"pair\" STOP")->state, sync::VrrpState::kStop);
  EXPECT_EQ(sync::parse_vrrp_notice("GROUP \"pair\" DELETED")->state, sync::VrrpState::kOther);
  for (const char* bad : {"", "GROUP", "GROUP pair MASTER", "GROUP \"pair MASTER", "GROUP \"pair\"", "group \"p\" MASTER",
                          "GROUP \"p\" master"})
    EXPECT_FALSE(sync::parse_vrrp_notice(bad)) << bad;
}

TEST(PairConf, SettingsAndErrors) {
  const std::string base = "pair:\n set device PPPoE:wan0\n set pppoe mac 02:00:00:00:00:01\n";
  const std::string full = base +
                           " set pair listen 10.254.0.1\n set pair peer 10.254.0.2:4800\n"
                           " set pair key \"sixteen chars min!\"\n set pair vrrp /run/pppoec/vrrp.fifo wan_pair\n"
                           " set pair interval 50\n";
  auto p = load_profile(full, "ppp.conf", {"pair"});
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_TRUE(p->profile.pair.enabled());
  EXPECT_EQ(p->profile.pair.listen_port, 4791);
  EXPECT_EQ(p->profile.pair.peer_port, 4800);
  EXPECT_EQ(p->profile.pair.vrrp_name, "wan_pair");
  EXPECT_EQ(p->profile.pair.interval_ms, 50u);

  auto short_key = load_profile(base + " set pair key short\n", "ppp.conf", {"pair"});
  ASSERT_FALSE(short_key);
  EXPECT_EQ(short_key.error().line, 4u);
  auto missing = load_profile(base + " set pair listen 10.254.0.1\n", "ppp.conf", {"pair"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("set pair peer"), std::string::npos);
  auto global_mac = load_profile("pair:\n set device PPPoE:wan0\n set pppoe mac 00:11:22:33:44:55\n" +
                                     full.substr(base.size()),
                                 "ppp.conf", {"pair"});
  ASSERT_FALSE(global_mac);
  EXPECT_NE(global_mac.error().message.find("locally administered"), std::string::npos);
  auto bad_port = load_profile(base + " set pair peer 10.254.0.2:70000\n", "ppp.conf", {"pair"});
  ASSERT_FALSE(bad_port);
  EXPECT_NE(bad_port.error().message.find("ADDRESS[:PORT]"), std::string::npos);
}

// Two channels on loopback: the MASTER's record reaches the BACKUP and is acknowledged; a
// channel with another key is refused at the HELLO and delivers nothing.
struct Pump {
  std::vector<sync::Channel*> channels;
  std::vector<sync::Message> delivered;
  void run(int rounds) {
    for (int i = 0; i < rounds; ++i) {
      TimePoint now = Clock::now();
      for (auto* c : channels) {
        c->tick(now);
        c->poll(now, [&](const sync::Message& m) { delivered.push_back(m); });
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
};

sync::ChannelSettings settings(std::uint16_t listen, std::uint16_t peer, std::string key, std::string node) {
  sync::ChannelSettings s;
  s.listen = {Ipv4Address{0x7f000001}, listen};
  s.peer = {Ipv4Address{0x7f000001}, peer};
  s.key = std::move(key);
  s.node = std::move(node);
  return s;
}

TEST(PairChannel, RecordDeliveredAndAcknowledged) {
  auto a = sync::Channel::open(settings(47911, 47912, "the same key, long enough", "a"));
  auto b = sync::Channel::open(settings(47912, 47911, "the same key, long enough", "b"));
  ASSERT_TRUE(a && b);
  Pump pump{{a->get(), b->get()}, {}};
  pump.run(60);
  ASSERT_TRUE((*a)->outgoing_up());
  ASSERT_TRUE((*b)->incoming_up());
  EXPECT_EQ((*b)->stats().peer_node, "a");
  ASSERT_TRUE((*a)->send(MessageType::kRecord, as_bytes("{\"session\":1}"), Clock::now()));
  pump.run(20);
  ASSERT_EQ(pump.delivered.size(), 1u);
  EXPECT_EQ(std::string(as_text(pump.delivered[0].payload)), "{\"session\":1}");
  EXPECT_EQ((*a)->stats().acked, 1u);
  EXPECT_EQ((*b)->stats().received, 1u);
}

TEST(PairChannel, WrongKeyIsRefused) {
  auto a = sync::Channel::open(settings(47921, 47922, "one key, long enough......", "a"));
  auto b = sync::Channel::open(settings(47922, 47921, "another key, long enough..", "b"));
  ASSERT_TRUE(a && b);
  Pump pump{{a->get(), b->get()}, {}};
  pump.run(60);
  EXPECT_FALSE((*a)->outgoing_up());
  EXPECT_FALSE((*b)->incoming_up());
  EXPECT_GE((*b)->stats().refused[static_cast<std::size_t>(Refusal::kBadMac)], 1u);
  EXPECT_FALSE((*a)->send(MessageType::kRecord, as_bytes("{}"), Clock::now()));
  EXPECT_TRUE(pump.delivered.empty());
}

}  // namespace
}  // namespace pppoe::pppoec
