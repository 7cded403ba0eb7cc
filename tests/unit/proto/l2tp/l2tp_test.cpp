// L2TPv2 header and AVP codec (RFC 2661 sections 3.1, 4.1, 4.3, 4.4.3), checked against the
// RFC's layouts and against tshark's independent dissector.
#include "proto/l2tp/l2tp.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <fstream>

namespace pppoe::l2tp {
namespace {

std::vector<std::uint8_t> sccrq_avps() {
  std::vector<std::uint8_t> buf(512);
  AvpWriter w(buf);
  w.message_type(MessageType::kSccrq);
  w.u16(AvpType::kProtocolVersion, 0x0100);
  w.text(AvpType::kHostName, "lac.example");
  w.u32(AvpType::kFramingCapabilities, 0x3);
  w.u16(AvpType::kAssignedTunnelId, 4711);
  w.u16(AvpType::kReceiveWindowSize, 16);
  w.text(AvpType::kVendorName, "pppoed", false);
  buf.resize(w.size());
  return buf;
}

TEST(L2tpHeader, ControlMessageLayout) {
  auto avps = sccrq_avps();
  std::vector<std::uint8_t> frame(1024);
  std::size_t n = encode_control(frame, 0, 0, 0, 0, avps);
  ASSERT_EQ(n, 12 + avps.size());
  // T, L, S set, version 2 (section 3.1); length = whole message.
  EXPECT_EQ(frame[0], 0xc8);
  EXPECT_EQ(frame[1], 0x02);
  EXPECT_EQ((frame[2] << 8) | frame[3], static_cast<int>(n));
  auto m = decode(Bytes(frame.data(), n));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->header.control);
  EXPECT_EQ(m->payload.size(), avps.size());
  auto c = decode_avps(m->payload, "");
  ASSERT_TRUE(c) << to_string(c.error());
  ASSERT_TRUE(c->type);
  EXPECT_EQ(*c->type, MessageType::kSccrq);
  EXPECT_EQ(c->find(AvpType::kHostName)->text(), "lac.example");
  EXPECT_EQ(*c->find(AvpType::kAssignedTunnelId)->u16(), 4711);
  EXPECT_FALSE(c->find(AvpType::kVendorName)->mandatory);
  EXPECT_EQ(c->unknown_mandatory(), nullptr);
}

TEST(L2tpHeader, DataMessagesWithAndWithoutSequence) {
  const std::uint8_t ppp[] = {0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 1, 2, 3, 4};
  std::vector<std::uint8_t> frame(64);
  std::size_t n = encode_data(frame, 7, 9, std::nullopt, ppp);
  ASSERT_EQ(n, data_header_size(false) + sizeof ppp);
  auto m = decode(Bytes(frame.data(), n));
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->header.control);
  EXPECT_EQ(m->header.tunnel_id, 7);
  EXPECT_EQ(m->header.session_id, 9);
  EXPECT_EQ(m->payload.size(), sizeof ppp);
  n = encode_data(frame, 7, 9, std::make_pair(std::uint16_t{5}, std::uint16_t{0}), ppp);
  m = decode(Bytes(frame.data(), n));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->header.has_sequence);
  EXPECT_EQ(m->header.ns, 5);
  // With an offset field (O bit) and padding, as some LACs send.
  std::vector<std::uint8_t> padded = {0x02, 0x02, 0, 7, 0, 9, 0, 2, 0xee, 0xee};
  padded.insert(padded.end(), std::begin(ppp), std::end(ppp));
  m = decode(padded);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload[0], 0xff);
}

TEST(L2tpHeader, RefusesWhatTheRfcForbids) {
  std::vector<std::uint8_t> v1 = {0xc8, 0x01, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0};  // version 1: L2F
  EXPECT_EQ(decode(v1).error(), HeaderError::kBadVersion);
  std::vector<std::uint8_t> no_s = {0xc0, 0x02, 0, 8, 0, 0, 0, 0};  // control without S
  EXPECT_EQ(decode(no_s).error(), HeaderError::kControlFlags);
  std::vector<std::uint8_t> long_len = {0xc8, 0x02, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(decode(long_len).error(), HeaderError::kBadLength);
  std::vector<std::uint8_t> bad_offset = {0x02, 0x02, 0, 1, 0, 1, 0, 50, 1};
  EXPECT_EQ(decode(bad_offset).error(), HeaderError::kBadOffset);
  std::vector<std::uint8_t> cut = {0xc8, 0x02, 0, 12, 0};
  EXPECT_EQ(decode(cut).error(), HeaderError::kTruncated);
}

TEST(L2tpAvp, ZlbAndOrderAndUnknownMandatory) {
  auto zlb = decode_avps({}, "");
  ASSERT_TRUE(zlb);
  EXPECT_FALSE(zlb->type);  // a ZLB acknowledgement
  std::vector<std::uint8_t> buf(64);
  AvpWriter w(buf);
  w.u16(AvpType::kAssignedTunnelId, 1);
  w.message_type(MessageType::kHello);
  buf.resize(w.size());
  EXPECT_EQ(decode_avps(buf, "").error(), AvpError::kFirstNotMessageType);
  // An unknown vendor AVP with M set: decoded, and reported so the caller tears down.
  std::vector<std::uint8_t> m = {0x80, 0x08, 0, 0, 0, 0, 0, 6};
  std::vector<std::uint8_t> vendor = {0x80, 0x08, 0x12, 0x34, 0, 1, 0xab, 0xcd};
  m.insert(m.end(), vendor.begin(), vendor.end());
  auto c = decode_avps(m, "");
  ASSERT_TRUE(c);
  ASSERT_NE(c->unknown_mandatory(), nullptr);
  EXPECT_EQ(c->unknown_mandatory()->vendor, 0x1234);
  // Lengths: shorter than the header, longer than the message.
  std::vector<std::uint8_t> short_avp = {0x80, 0x04, 0, 0, 0, 0};
  EXPECT_EQ(decode_avps(short_avp, "").error(), AvpError::kBadLength);
  std::vector<std::uint8_t> long_avp = {0x80, 0x20, 0, 0, 0, 0, 0, 6};
  EXPECT_EQ(decode_avps(long_avp, "").error(), AvpError::kTruncated);
}

TEST(L2tpAvp, HiddenRoundTripAndItsFailures) {
  const std::string secret = "tunnel secret";
  const std::uint8_t vector[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
  // 40 octets: three MD5 blocks of the chained stream.
  std::string name = "a-proxy-authen-name-forty-octets-long!!";
  std::vector<std::uint8_t> buf(256);
  AvpWriter w(buf);
  w.message_type(MessageType::kIccn);
  w.random_vector(vector);
  w.hidden(AvpType::kProxyAuthenName, as_bytes(name), secret, vector);
  buf.resize(w.size());
  auto c = decode_avps(buf, secret);
  ASSERT_TRUE(c) << to_string(c.error());
  const Avp* a = c->find(AvpType::kProxyAuthenName);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->hidden);
  EXPECT_EQ(a->text(), name);
  // The octets on the wire are not the name.
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), buf.size()).find(name), std::string::npos);
  EXPECT_EQ(decode_avps(buf, "").error(), AvpError::kHiddenWithoutSecret);
  // Without the Random Vector before it.
  std::vector<std::uint8_t> b2(256);
  AvpWriter w2(b2);
  w2.message_type(MessageType::kIccn);
  w2.hidden(AvpType::kProxyAuthenName, as_bytes(name), secret, vector);
  b2.resize(w2.size());
  EXPECT_EQ(decode_avps(b2, secret).error(), AvpError::kHiddenWithoutVector);
  // Section 4.3 by hand for one block: c = (length | value) xor MD5(type | secret | RV).
  std::vector<std::uint8_t> plain = {0, 3, 'a', 'b', 'c'};
  std::uint8_t digest[16];
  unsigned len = 0;
  std::vector<std::uint8_t> in = {0, 30};
  in.insert(in.end(), secret.begin(), secret.end());
  in.insert(in.end(), std::begin(vector), std::end(vector));
  EVP_Digest(in.data(), in.size(), digest, &len, EVP_md5(), nullptr);
  auto hidden = hide_value(30, as_bytes("abc"), secret, vector);
  ASSERT_EQ(hidden.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(hidden[i], plain[i] ^ digest[i]);
}

TEST(L2tpAvp, ChallengeResponseIsMd5OfTypeSecretChallenge) {
  const std::uint8_t challenge[] = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<std::uint8_t> in = {2};  // in an SCCRP
  std::string secret = "s3cret";
  in.insert(in.end(), secret.begin(), secret.end());
  in.insert(in.end(), std::begin(challenge), std::end(challenge));
  std::uint8_t digest[16];
  unsigned len = 0;
  EVP_Digest(in.data(), in.size(), digest, &len, EVP_md5(), nullptr);
  auto r = challenge_response(MessageType::kSccrp, secret, challenge);
  EXPECT_TRUE(std::equal(r.begin(), r.end(), digest));
  EXPECT_NE(challenge_response(MessageType::kScccn, secret, challenge), r);
}

// tshark's L2TP dissector, written independently of ours, reads what we encode without a
// malformed-packet or error-level expert note.
TEST(L2tpAvp, TsharkDecodesOurSccrq) {
  auto avps = sccrq_avps();
  std::vector<std::uint8_t> l2tp(1024);
  l2tp.resize(encode_control(l2tp, 0, 0, 0, 0, avps));
  // Ethernet + IPv4 + UDP 1701 around it, in a classic pcap file.
  std::vector<std::uint8_t> pkt = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00};
  std::size_t ip_len = 20 + 8 + l2tp.size();
  std::vector<std::uint8_t> ip = {0x45, 0, static_cast<std::uint8_t>(ip_len >> 8), static_cast<std::uint8_t>(ip_len), 0, 0, 0, 0,
                                  64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) sum += static_cast<std::uint32_t>((ip[i] << 8) | ip[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ip[10] = static_cast<std::uint8_t>(~sum >> 8);
  ip[11] = static_cast<std::uint8_t>(~sum);
  std::size_t udp_len = 8 + l2tp.size();
  std::vector<std::uint8_t> udp = {0x06, 0xa5, 0x06, 0xa5, static_cast<std::uint8_t>(udp_len >> 8), static_cast<std::uint8_t>(udp_len), 0, 0};
  pkt.insert(pkt.end(), ip.begin(), ip.end());
  pkt.insert(pkt.end(), udp.begin(), udp.end());
  pkt.insert(pkt.end(), l2tp.begin(), l2tp.end());
  std::string path = ::testing::TempDir() + "l2tp_sccrq.pcap";
  {
    std::ofstream f(path, std::ios::binary);
    auto le32 = [&](std::uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
    auto le16 = [&](std::uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
    le32(0xa1b2c3d4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(1);
    le32(0); le32(0); le32(static_cast<std::uint32_t>(pkt.size())); le32(static_cast<std::uint32_t>(pkt.size()));
    f.write(reinterpret_cast<const char*>(pkt.data()), static_cast<std::streamsize>(pkt.size()));
  }
  std::string cmd = "tshark -n -V -r " + path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char line[512];
  while (std::fgets(line, sizeof line, p)) out += line;
  int rc = ::pclose(p);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("Start_Control_Request"), std::string::npos) << out;
  EXPECT_NE(out.find("lac.example"), std::string::npos) << out;
  EXPECT_EQ(out.find("Malformed"), std::string::npos) << out;
  EXPECT_EQ(out.find("[Severity level: Error]"), std::string::npos) << out;
}

}  // namespace
}  // namespace pppoe::l2tp
