#include "proto/pppoe.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pppoe::pppoe_proto {

TEST(Pppoe, DiscoveryRoundTripWithEveryTag) {
  Tags t;
  t.service_name = "internet";
  t.more_service_names = {"voip"};
  t.ac_name = "bras-1";
  t.host_uniq = std::vector<std::uint8_t>{1, 2, 3, 4};
  t.ac_cookie = std::vector<std::uint8_t>(20, 0xab);
  t.relay_session_id = std::vector<std::uint8_t>{9, 9};
  t.ppp_max_payload = 1500;
  t.generic_error = "oops";
  std::array<std::uint8_t, 1500> buf{};
  std::size_t n = encode_discovery(buf, Code::kPado, 0, t);
  ASSERT_GT(n, 0u);
  auto p = decode(Bytes(buf.data(), n));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.code, Code::kPado);
  EXPECT_EQ(p->header.length, n - kHeaderSize);
  auto d = decode_tags(p->payload);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->service_name, "internet");
  EXPECT_EQ(d->more_service_names, std::vector<std::string>{"voip"});
  EXPECT_EQ(d->ac_name, "bras-1");
  EXPECT_EQ(d->host_uniq, t.host_uniq);
  EXPECT_EQ(d->ac_cookie, t.ac_cookie);
  EXPECT_EQ(d->relay_session_id, t.relay_session_id);
  EXPECT_EQ(d->ppp_max_payload, 1500);
  EXPECT_EQ(d->generic_error, "oops");
}

TEST(Pppoe, EthernetPaddingIsNotPayload) {
  std::vector<std::uint8_t> f = {0x11, 0x09, 0, 0, 0, 4, 0x01, 0x01, 0, 0, /*padding*/ 0, 0, 0, 0};
  auto p = decode(f);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->payload.size(), 4u);
}

TEST(Pppoe, UnknownAndVendorTagsAreSkippedEndOfListStops) {
  std::vector<std::uint8_t> tags = {0x01, 0x05, 0, 2, 0xaa, 0xbb,  // Vendor-Specific
                                    0x7f, 0x7f, 0, 1, 0xcc,        // unknown
                                    0x01, 0x01, 0, 0,              // Service-Name ""
                                    0x00, 0x00, 0, 0,              // End-Of-List
                                    0x01, 0x02, 0, 1, 'x'};        // ignored after EOL
  auto d = decode_tags(tags);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->vendor_specific, 1u);
  EXPECT_EQ(d->service_name, "");
  EXPECT_FALSE(d->ac_name);
}

TEST(Pppoe, Tr101LineIdentificationIsRead) {
  // Vendor-Specific, vendor 3561 (DSL Forum): 1 Agent-Circuit-ID "atm 1/2", 2 Agent-Remote-ID "cpe".
  std::vector<std::uint8_t> tags = {0x01, 0x05, 0, 18, 0, 0, 0x0d, 0xe9, 1, 7, 'a', 't', 'm', ' ', '1', '/', '2',
                                    2, 3, 'c', 'p', 'e'};
  auto d = decode_tags(tags);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->circuit_id, "atm 1/2");
  EXPECT_EQ(d->remote_id, "cpe");
  // Another vendor, or a sub-option running past the tag: ignored, the packet still parses.
  tags[7] = 0xea;
  EXPECT_EQ(decode_tags(tags)->circuit_id, "");
  tags[7] = 0xe9;
  tags[9] = 40;
  EXPECT_TRUE(decode_tags(tags));
  // What pppoetest --circuit-id/--remote-id write reads back the same.
  Tags t;
  t.circuit_id = "dslam 1/1";
  t.remote_id = "r";
  std::array<std::uint8_t, 128> buf{};
  ByteWriter w(buf);
  encode_tags(w, t);
  auto back = decode_tags(Bytes(buf.data(), w.size()));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->circuit_id, "dslam 1/1");
  EXPECT_EQ(back->remote_id, "r");
}

struct Bad {
  const char* name;
  std::vector<std::uint8_t> bytes;
  Error expected;
};

TEST(Pppoe, HeaderRejectsMalformed) {
  std::vector<Bad> cases = {
      {"empty", {}, Error::kTruncatedHeader},
      {"5 bytes", {0x11, 0x09, 0, 0, 0}, Error::kTruncatedHeader},
      {"version 2", {0x21, 0x09, 0, 0, 0, 0}, Error::kBadVersionType},
      {"type 2", {0x12, 0x09, 0, 0, 0, 0}, Error::kBadVersionType},
      {"unknown code", {0x11, 0x42, 0, 0, 0, 0}, Error::kUnknownCode},
      {"length past frame", {0x11, 0x09, 0, 0, 0, 9, 1, 2}, Error::kLengthPastFrame},
  };
  for (const auto& c : cases) {
    auto p = decode(c.bytes);
    ASSERT_FALSE(p) << c.name;
    EXPECT_EQ(p.error(), c.expected) << c.name;
  }
}

TEST(Pppoe, TagsRejectMalformed) {
  std::vector<Bad> cases = {
      {"half a tag header", {0x01, 0x01, 0}, Error::kTruncatedTag},
      {"value past the end", {0x01, 0x02, 0, 5, 'a'}, Error::kTruncatedTag},
      {"duplicate AC-Name", {0x01, 0x02, 0, 1, 'a', 0x01, 0x02, 0, 1, 'b'}, Error::kDuplicateTag},
      {"duplicate cookie", {0x01, 0x04, 0, 1, 1, 0x01, 0x04, 0, 1, 2}, Error::kDuplicateTag},
  };
  for (const auto& c : cases) {
    auto p = decode_tags(c.bytes);
    ASSERT_FALSE(p) << c.name;
    EXPECT_EQ(p.error(), c.expected) << c.name;
  }
}

TEST(Pppoe, MalformedMaxPayloadIsIgnored) {
  std::vector<std::uint8_t> tags = {0x01, 0x20, 0, 3, 5, 0xdc, 0};
  auto d = decode_tags(tags);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->ppp_max_payload);
}

}  // namespace pppoe::pppoe_proto
