// LCP's async-line options (RFC 1662 section 7.1, RFC 1661 sections 6.5/6.6): accepted and
// requested only on async links; PPPoE keeps refusing them (RFC 2516 section 7).
#include <gtest/gtest.h>

#include "proto/ppp/lcp.hpp"

namespace pppoe::ppp {
namespace {

struct NullListener final : LayerListener {
  void layer_up(Protocol) override {}
  void layer_down(Protocol) override {}
  void layer_started(Protocol) override {}
  void layer_finished(Protocol) override {}
};

OptionVerdict judge(LcpHandler& h, LcpOption type, std::vector<std::uint8_t> value) {
  std::array<std::uint8_t, 64> nak{};
  ByteWriter w(nak);
  return h.check_option({static_cast<std::uint8_t>(type), Bytes(value)}, w);
}

TEST(LcpAsync, PppoeRefusesAccmAcfcPfc) {
  NullListener l;
  LcpHandler h(l, {}, 1);
  EXPECT_EQ(judge(h, LcpOption::kAccm, {0, 0, 0, 0}), OptionVerdict::kReject);
  EXPECT_EQ(judge(h, LcpOption::kPfc, {}), OptionVerdict::kReject);
  EXPECT_EQ(judge(h, LcpOption::kAcfc, {}), OptionVerdict::kReject);
  std::array<std::uint8_t, 64> req{};
  ByteWriter w(req);
  h.write_request(w);
  auto opts = decode_options(Bytes(req.data(), w.size()));
  ASSERT_TRUE(opts);
  for (const Option& o : *opts) EXPECT_NE(o.type, static_cast<std::uint8_t>(LcpOption::kAccm));
}

TEST(LcpAsync, AsyncLinkNegotiatesThem) {
  NullListener l;
  LcpSettings s;
  s.role = LinkRole::kPeer;
  s.async_link = true;
  s.request_acfc = s.request_pfc = true;
  s.allow_acfc = true;  // PFC not allowed
  LcpHandler h(l, s, 1);
  EXPECT_EQ(judge(h, LcpOption::kAccm, {0, 0x0a, 0, 0}), OptionVerdict::kAck);
  EXPECT_EQ(judge(h, LcpOption::kAccm, {0, 0}), OptionVerdict::kReject);  // malformed length
  EXPECT_EQ(judge(h, LcpOption::kAcfc, {}), OptionVerdict::kAck);
  EXPECT_EQ(judge(h, LcpOption::kPfc, {}), OptionVerdict::kReject);
  std::vector<std::uint8_t> accm = {0, 0x0a, 0, 0};
  std::vector<Option> acked = {{static_cast<std::uint8_t>(LcpOption::kAccm), Bytes(accm)},
                               {static_cast<std::uint8_t>(LcpOption::kAcfc), {}}};
  h.peer_request_acked(acked);
  EXPECT_EQ(h.async_send().accm, 0x000a0000u);
  EXPECT_TRUE(h.async_send().acfc);
  EXPECT_FALSE(h.async_send().pfc);
  // Our request: ACCM 0, PFC and ACFC; a reject of ACCM drops it from the next one.
  std::array<std::uint8_t, 64> req{};
  ByteWriter w(req);
  h.write_request(w);
  auto opts = decode_options(Bytes(req.data(), w.size()));
  ASSERT_TRUE(opts);
  std::vector<std::uint8_t> types;
  for (const Option& o : *opts) types.push_back(o.type);
  EXPECT_EQ(types, (std::vector<std::uint8_t>{1, 2, 5, 7, 8}));  // MRU, ACCM, magic, PFC, ACFC
  std::vector<Option> rejected = {{static_cast<std::uint8_t>(LcpOption::kAccm), {}}};
  h.on_reject(rejected);
  ByteWriter w2(req);
  h.write_request(w2);
  opts = decode_options(Bytes(req.data(), w2.size()));
  ASSERT_TRUE(opts);
  for (const Option& o : *opts) EXPECT_NE(o.type, static_cast<std::uint8_t>(LcpOption::kAccm));
}

}  // namespace
}  // namespace pppoe::ppp
