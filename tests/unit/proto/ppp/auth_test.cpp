#include <gtest/gtest.h>

#include <string>

#include "proto/ppp/chap.hpp"
#include "proto/ppp/mschapv2.hpp"
#include "proto/ppp/pap.hpp"

namespace pppoe::ppp {
namespace {

std::string hex(Bytes b) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (auto x : b) s += {d[x >> 4], d[x & 15]};
  return s;
}

template <std::size_t N>
std::array<std::uint8_t, N> unhex(const char* h) {
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(std::stoi(std::string(h + 2 * i, 2), nullptr, 16));
  return out;
}

// RFC 2759 section 9.2.
TEST(MsChapV2, Rfc2759TestVectors) {
  auto auth = unhex<16>("5B5D7C7D7B3F2F3E3C2C602132262628");
  auto peer = unhex<16>("21402324255E262A28295F2B3A337C7E");
  EXPECT_EQ(hex(Bytes(mschapv2::challenge_hash(peer, auth, "User"))), "D02E4386BCE91226");
  EXPECT_EQ(hex(Bytes(mschapv2::nt_password_hash("clientPass"))), "44EBBA8D5312B8D611474411F56989AE");
  auto nt = mschapv2::generate_nt_response(auth, peer, "User", "clientPass");
  EXPECT_EQ(hex(Bytes(nt)), "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
  EXPECT_EQ(mschapv2::authenticator_response("clientPass", nt, peer, auth, "User"),
            "S=407A5589115FD0D6209F510FE9C04566932CDA56");
  // A Windows-style "DOMAIN\User" hashes as "User" (section 4).
  EXPECT_EQ(mschapv2::generate_nt_response(auth, peer, "CORP\\User", "clientPass"), nt);
}

TEST(ChapMd5, ResponseIsMd5OfIdSecretChallenge) {
  std::array<std::uint8_t, 16> challenge{};
  for (std::size_t i = 0; i < 16; ++i) challenge[i] = static_cast<std::uint8_t>(i);
  // Reference value computed independently with Python's hashlib.
  EXPECT_EQ(hex(Bytes(chap::md5_response(7, "secret", Bytes(challenge)))), "821643665B430359E52AC524D29C8F95");
}

TEST(Chap, RoundTripAndMalformed) {
  std::array<std::uint8_t, 64> buf{};
  std::uint8_t value[3] = {1, 2, 3};
  std::size_t n = chap::encode_challenge_or_response(buf, chap::Code::kResponse, 9, Bytes(value, 3), "alice");
  auto m = chap::decode(Bytes(buf.data(), n));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->code, chap::Code::kResponse);
  EXPECT_EQ(m->id, 9);
  EXPECT_EQ(m->value.size(), 3u);
  EXPECT_EQ(m->name, "alice");
  const std::uint8_t zero_value[] = {1, 1, 0, 5, 0};
  EXPECT_EQ(chap::decode(zero_value).error(), chap::Error::kEmptyValue);
  const std::uint8_t overrun[] = {2, 1, 0, 6, 9, 1};
  EXPECT_EQ(chap::decode(overrun).error(), chap::Error::kTruncated);
  const std::uint8_t bad_code[] = {9, 1, 0, 4};
  EXPECT_EQ(chap::decode(bad_code).error(), chap::Error::kBadCode);
}

TEST(Pap, RoundTripAndMalformed) {
  std::array<std::uint8_t, 600> buf{};
  std::size_t n = pap::encode_request(buf, 4, "bob", "p w");
  auto r = pap::decode_request(Bytes(buf.data(), n));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->peer_id, "bob");
  EXPECT_EQ(r->password, "p w");
  n = pap::encode_reply(buf, pap::Code::kNak, 4, "no");
  auto reply = pap::decode_reply(Bytes(buf.data(), n));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, pap::Code::kNak);
  EXPECT_EQ(reply->message, "no");
  EXPECT_EQ(pap::encode_request(buf, 1, std::string(256, 'x'), "p"), 0u);
  const std::uint8_t peer_id_overrun[] = {1, 1, 0, 7, 200, 'a', 'b'};
  EXPECT_EQ(pap::decode_request(peer_id_overrun).error(), pap::Error::kTruncated);
  const std::uint8_t no_password[] = {1, 1, 0, 6, 1, 'a'};
  EXPECT_EQ(pap::decode_request(no_password).error(), pap::Error::kTruncated);
  const std::uint8_t length_past[] = {1, 1, 0, 60, 1, 'a', 0};
  EXPECT_EQ(pap::decode_request(length_past).error(), pap::Error::kBadLength);
}

}  // namespace
}  // namespace pppoe::ppp
