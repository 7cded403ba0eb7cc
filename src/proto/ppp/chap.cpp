#include "proto/ppp/chap.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "proto/ppp/cp_packet.hpp"

namespace pppoe::ppp::chap {

const char* to_string(Error e) {
  switch (e) {
    case Error::kTruncated: return "chap_truncated";
    case Error::kBadLength: return "chap_bad_length";
    case Error::kBadCode: return "chap_bad_code";
    case Error::kEmptyValue: return "chap_empty_value";
  }
  return "?";
}

std::expected<Message, Error> decode(Bytes packet) {
  auto p = decode_cp(packet);
  if (!p) return std::unexpected(p.error() == CpError::kTruncated ? Error::kTruncated : Error::kBadLength);
  if (p->code < 1 || p->code > 4) return std::unexpected(Error::kBadCode);
  Message m;
  m.code = static_cast<Code>(p->code);
  m.id = p->id;
  ByteReader r(p->data);
  if (m.code == Code::kChallenge || m.code == Code::kResponse) {
    auto size = r.u8();
    if (!size) return std::unexpected(Error::kTruncated);
    if (*size == 0) return std::unexpected(Error::kEmptyValue);
    auto value = r.bytes(*size);
    if (!value) return std::unexpected(Error::kTruncated);
    m.value.assign(value->begin(), value->end());
  }
  m.name = std::string(as_text(r.rest()));
  return m;
}

std::size_t encode_challenge_or_response(MutableBytes out, Code code, std::uint8_t id, Bytes value,
                                         std::string_view name) {
  if (value.empty() || value.size() > 255) return 0;
  std::uint8_t data[1400];
  ByteWriter w(data);
  w.u8(static_cast<std::uint8_t>(value.size()));
  w.bytes(value);
  w.text(name);
  if (w.overflow()) return 0;
  return encode_cp(out, static_cast<std::uint8_t>(code), id, w.written());
}

std::size_t encode_status(MutableBytes out, Code code, std::uint8_t id, std::string_view message) {
  return encode_cp(out, static_cast<std::uint8_t>(code), id, as_bytes(message));
}

std::array<std::uint8_t, 16> md5_response(std::uint8_t id, std::string_view secret, Bytes challenge) {
  std::array<std::uint8_t, 16> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned len = 0;
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx, &id, 1);
  EVP_DigestUpdate(ctx, secret.data(), secret.size());
  EVP_DigestUpdate(ctx, challenge.data(), challenge.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  return out;
}

bool equal_constant_time(Bytes a, Bytes b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace pppoe::ppp::chap
