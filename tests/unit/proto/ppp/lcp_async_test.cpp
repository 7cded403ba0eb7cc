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

TEST(LcpAsync, FcsAlternatives) {
  // RFC 1570 section 2. PPPoE: refused.
  NullListener l;
  LcpHandler pppoe(l, {}, 1);
  EXPECT_EQ(judge(pppoe, LcpOption::kFcsAlternatives, {kFcs32}), OptionVerdict::kReject);
  // Async, FCS-32 allowed: FCS-32 or FCS-16 acked, the Null FCS alone Naked, bad length rejected.
  LcpSettings s;
  s.async_link = true;
  s.allow_fcs32 = true;
  s.request_fcs32 = true;
  LcpHandler h(l, s, 1);
  EXPECT_EQ(judge(h, LcpOption::kFcsAlternatives, {kFcs32}), OptionVerdict::kAck);
  EXPECT_EQ(judge(h, LcpOption::kFcsAlternatives, {kFcs16}), OptionVerdict::kAck);
  EXPECT_EQ(judge(h, LcpOption::kFcsAlternatives, {kFcsNull}), OptionVerdict::kNak);
  EXPECT_EQ(judge(h, LcpOption::kFcsAlternatives, {}), OptionVerdict::kReject);
  std::vector<std::uint8_t> v32 = {kFcs32}, v16 = {kFcs16 | kFcsNull};
  std::vector<Option> acked = {{static_cast<std::uint8_t>(LcpOption::kFcsAlternatives), Bytes(v32)}};
  h.peer_request_acked(acked);
  EXPECT_TRUE(h.async_send().fcs32);
  acked = {{static_cast<std::uint8_t>(LcpOption::kFcsAlternatives), Bytes(v16)}};
  h.peer_request_acked(acked);
  EXPECT_FALSE(h.async_send().fcs32);
  // Our request carries FCS-32 until the peer Naks or rejects it.
  auto types = [&h] {
    std::array<std::uint8_t, 64> req{};
    ByteWriter w(req);
    h.write_request(w);
    std::vector<std::uint8_t> t;
    auto opts = decode_options(Bytes(req.data(), w.size()));
    if (opts)
      for (const Option& o : *opts) t.push_back(o.type);
    return t;
  };
  EXPECT_EQ(types().back(), 9);
  EXPECT_TRUE(h.receive_fcs32());
  std::vector<Option> naked = {{static_cast<std::uint8_t>(LcpOption::kFcsAlternatives), Bytes(v16)}};
  h.on_nak(naked);
  EXPECT_NE(types().back(), 9);
  EXPECT_FALSE(h.receive_fcs32());
  // Not allowed to send FCS-32: a request for it alone is Naked with FCS-16.
  LcpSettings no32;
  no32.async_link = true;
  LcpHandler n(l, no32, 1);
  std::array<std::uint8_t, 8> nak{};
  ByteWriter w(nak);
  EXPECT_EQ(n.check_option({9, Bytes(v32)}, w), OptionVerdict::kNak);
  EXPECT_EQ(std::vector<std::uint8_t>(nak.begin(), nak.begin() + 3), (std::vector<std::uint8_t>{9, 3, kFcs16}));
}

}  // namespace
}  // namespace pppoe::ppp
