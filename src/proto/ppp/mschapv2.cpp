// Uses OpenSSL's MD4 and single DES through their low-level APIs: OpenSSL 3 moved both to the
// legacy provider for EVP, but keeps the low-level functions, which need no provider loading.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "proto/ppp/mschapv2.hpp"

#include <fmt/format.h>
#include <openssl/des.h>
#include <openssl/evp.h>
#include <openssl/md4.h>

#include <algorithm>
#include <vector>

namespace pppoe::ppp::mschapv2 {
namespace {

// RFC 2759 passwords are Unicode; UTF-8 input becomes UTF-16LE.
std::vector<std::uint8_t> utf16le(std::string_view utf8) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = c;
    std::size_t n = 1;
    if (c >= 0xf0) { cp = c & 0x07u; n = 4; }
    else if (c >= 0xe0) { cp = c & 0x0fu; n = 3; }
    else if (c >= 0xc0) { cp = c & 0x1fu; n = 2; }
    if (i + n > utf8.size()) { cp = c; n = 1; }
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3fu);
    i += n;
    auto put = [&](std::uint32_t u) {
      out.push_back(static_cast<std::uint8_t>(u));
      out.push_back(static_cast<std::uint8_t>(u >> 8));
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put(0xd800 + (cp >> 10));
      put(0xdc00 + (cp & 0x3ff));
    } else {
      put(cp);
    }
  }
  return out;
}

std::array<std::uint8_t, 20> sha1(std::initializer_list<Bytes> parts) {
  std::array<std::uint8_t, 20> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned len = 0;
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  for (Bytes p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  return out;
}

// Section 8.6: expand 7 key bytes into a DES key with (ignored) parity bits.
void des_encrypt(const std::uint8_t* clear8, const std::uint8_t* key7, std::uint8_t* out8) {
  DES_cblock key;
  key[0] = key7[0];
  for (int i = 1; i < 7; ++i) key[i] = static_cast<std::uint8_t>((key7[i - 1] << (8 - i)) | (key7[i] >> i));
  key[7] = static_cast<std::uint8_t>(key7[6] << 1);
  DES_set_odd_parity(&key);
  DES_key_schedule schedule;
  DES_set_key_unchecked(&key, &schedule);
  DES_cblock in, result;
  std::copy_n(clear8, 8, in);
  DES_ecb_encrypt(&in, &result, &schedule, DES_ENCRYPT);
  std::copy_n(result, 8, out8);
}

}  // namespace

std::array<std::uint8_t, 16> nt_password_hash(std::string_view password) {
  auto unicode = utf16le(password);
  std::array<std::uint8_t, 16> out{};
  MD4(unicode.data(), unicode.size(), out.data());
  return out;
}

std::array<std::uint8_t, 8> challenge_hash(const Challenge16& peer, const Challenge16& authenticator,
                                           std::string_view username) {
  auto digest = sha1({Bytes(peer), Bytes(authenticator), as_bytes(username)});
  std::array<std::uint8_t, 8> out{};
  std::copy_n(digest.begin(), 8, out.begin());
  return out;
}

NtResponse challenge_response(const std::array<std::uint8_t, 8>& challenge,
                              const std::array<std::uint8_t, 16>& password_hash) {
  std::array<std::uint8_t, 21> z{};
  std::copy(password_hash.begin(), password_hash.end(), z.begin());
  NtResponse out{};
  for (int i = 0; i < 3; ++i) des_encrypt(challenge.data(), z.data() + 7 * i, out.data() + 8 * i);
  return out;
}

NtResponse generate_nt_response(const Challenge16& authenticator, const Challenge16& peer,
                                std::string_view username, std::string_view password) {
  return challenge_response(challenge_hash(peer, authenticator, strip_domain(username)),
                            nt_password_hash(password));
}

std::string authenticator_response(std::string_view password, const NtResponse& nt_response,
                                   const Challenge16& peer, const Challenge16& authenticator,
                                   std::string_view username) {
  static constexpr std::string_view kMagic1 = "Magic server to client signing constant";
  static constexpr std::string_view kMagic2 = "Pad to make it do more than one iteration";
  auto hash = nt_password_hash(password);
  std::array<std::uint8_t, 16> hash_hash{};
  MD4(hash.data(), hash.size(), hash_hash.data());
  auto digest = sha1({Bytes(hash_hash), Bytes(nt_response), as_bytes(kMagic1)});
  auto challenge = challenge_hash(peer, authenticator, strip_domain(username));
  auto final_digest = sha1({Bytes(digest), Bytes(challenge), as_bytes(kMagic2)});
  std::string out = "S=";
  for (auto b : final_digest) out += fmt::format("{:02X}", b);
  return out;
}

std::array<std::uint8_t, kResponseSize> build_response_value(const Challenge16& peer, const NtResponse& nt) {
  std::array<std::uint8_t, kResponseSize> v{};
  std::copy(peer.begin(), peer.end(), v.begin());
  std::copy(nt.begin(), nt.end(), v.begin() + 24);
  return v;
}

std::string_view strip_domain(std::string_view username) {
  auto pos = username.find('\\');
  return pos == std::string_view::npos ? username : username.substr(pos + 1);
}

}  // namespace pppoe::ppp::mschapv2
