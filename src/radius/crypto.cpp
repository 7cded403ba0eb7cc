#include "radius/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

namespace pppoe::radius {
namespace {

using Digest = std::array<std::uint8_t, 16>;

/// MD5 over the concatenation of `parts`.
Digest md5(std::initializer_list<Bytes> parts) {
  Digest d{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  for (Bytes p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx, d.data(), &n);
  EVP_MD_CTX_free(ctx);
  return d;
}

Digest hmac_md5(std::string_view key, Bytes data) {
  Digest d{};
  unsigned n = 0;
  HMAC(EVP_md5(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), d.data(), &n);
  return d;
}

bool equal(Bytes a, Bytes b) { return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

/// Offset of the value of the (single) Message-Authenticator in a packet, if any.
std::optional<std::size_t> ma_value_offset(const PacketView& p) {
  std::optional<std::size_t> at;
  for (const auto& a : p.attributes)
    if (a.type == static_cast<std::uint8_t>(Attr::kMessageAuthenticator)) {
      if (a.value.size() != 16 || at) return std::nullopt;  // RFC 3579 section 3.2: exactly one, 16 octets
      at = static_cast<std::size_t>(a.value.data() - p.raw.data());
    }
  return at;
}

/// Recomputes Message-Authenticator over a copy with `auth_field` in the Authenticator field.
Verdict check_ma(const PacketView& p, Bytes auth_field, std::string_view secret, bool required) {
  std::size_t n_ma = p.count(Attr::kMessageAuthenticator);
  if (n_ma == 0) return required ? Verdict::kMissingMessageAuthenticator : Verdict::kOk;
  auto at = ma_value_offset(p);
  if (!at) return Verdict::kBadMessageAuthenticator;
  std::array<std::uint8_t, kMaxPacketSize> copy{};
  std::memcpy(copy.data(), p.raw.data(), p.raw.size());
  std::memcpy(copy.data() + 4, auth_field.data(), kAuthenticatorSize);
  std::memset(copy.data() + *at, 0, 16);
  Digest want = hmac_md5(secret, Bytes(copy.data(), p.raw.size()));
  return equal(Bytes(want), p.raw.subspan(*at, 16)) ? Verdict::kOk : Verdict::kBadMessageAuthenticator;
}

Digest md5_authenticator(Bytes packet, Bytes auth_field, std::string_view secret) {
  return md5({packet.first(4), auth_field, packet.subspan(kHeaderSize), as_bytes(secret)});
}

void fill_ma(MutableBytes pkt, std::optional<std::size_t> at, std::string_view secret) {
  if (!at) return;
  Digest mac = hmac_md5(secret, pkt);
  std::memcpy(pkt.data() + *at, mac.data(), mac.size());
}

const Authenticator kZero{};

}  // namespace

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kOk: return "ok";
    case Verdict::kBadAuthenticator: return "bad authenticator";
    case Verdict::kBadMessageAuthenticator: return "bad Message-Authenticator";
    case Verdict::kMissingMessageAuthenticator: return "no Message-Authenticator";
  }
  return "unknown";
}

Authenticator random_authenticator() {
  Authenticator a{};
  if (RAND_bytes(a.data(), static_cast<int>(a.size())) != 1) std::abort();  // no safe fallback
  return a;
}

MutableBytes seal_request(PacketBuilder& b, std::string_view secret) {
  MutableBytes pkt = b.finish();
  if (b.code() == Code::kAccessRequest) {
    fill_ma(pkt, b.message_authenticator_offset(), secret);  // over the random authenticator
    return pkt;
  }
  // RFC 5176 section 3.5 / RFC 3579 section 3.2: the HMAC first, over a zero authenticator.
  std::memset(pkt.data() + 4, 0, kAuthenticatorSize);
  fill_ma(pkt, b.message_authenticator_offset(), secret);
  Digest d = md5_authenticator(pkt, Bytes(kZero), secret);
  std::memcpy(pkt.data() + 4, d.data(), d.size());
  return pkt;
}

MutableBytes seal_response(PacketBuilder& b, const Authenticator& request_auth, std::string_view secret) {
  MutableBytes pkt = b.finish();
  std::memcpy(pkt.data() + 4, request_auth.data(), kAuthenticatorSize);
  fill_ma(pkt, b.message_authenticator_offset(), secret);
  Digest d = md5_authenticator(pkt, Bytes(request_auth), secret);
  std::memcpy(pkt.data() + 4, d.data(), d.size());
  return pkt;
}

Verdict verify_response(const PacketView& response, const Authenticator& request_auth, std::string_view secret,
                        bool require_message_authenticator) {
  Digest want = md5_authenticator(response.raw, Bytes(request_auth), secret);
  if (!equal(Bytes(want), Bytes(response.authenticator))) return Verdict::kBadAuthenticator;
  return check_ma(response, Bytes(request_auth), secret, require_message_authenticator);
}

Verdict verify_request(const PacketView& request, std::string_view secret, bool require_message_authenticator) {
  Digest want = md5_authenticator(request.raw, Bytes(kZero), secret);
  if (!equal(Bytes(want), Bytes(request.authenticator))) return Verdict::kBadAuthenticator;
  return check_ma(request, Bytes(kZero), secret, require_message_authenticator);
}

bool hide_password(std::string_view password, const Authenticator& request_auth, std::string_view secret,
                   std::vector<std::uint8_t>& out) {
  if (password.size() > 128) return false;
  std::size_t len = std::max<std::size_t>(16, (password.size() + 15) / 16 * 16);
  out.assign(len, 0);
  std::memcpy(out.data(), password.data(), password.size());
  Bytes prev(request_auth);
  for (std::size_t off = 0; off < len; off += 16) {
    Digest b = md5({as_bytes(secret), prev});
    for (std::size_t i = 0; i < 16; ++i) out[off + i] ^= b[i];
    prev = Bytes(out.data() + off, 16);
  }
  return true;
}

std::optional<std::string> unhide_password(Bytes hidden, const Authenticator& request_auth, std::string_view secret) {
  if (hidden.empty() || hidden.size() % 16 != 0 || hidden.size() > 128) return std::nullopt;
  std::string plain(hidden.size(), '\0');
  Bytes prev(request_auth);
  for (std::size_t off = 0; off < hidden.size(); off += 16) {
    Digest b = md5({as_bytes(secret), prev});
    for (std::size_t i = 0; i < 16; ++i) plain[off + i] = static_cast<char>(hidden[off + i] ^ b[i]);
    prev = hidden.subspan(off, 16);
  }
  plain.resize(plain.find('\0') == std::string::npos ? plain.size() : plain.find('\0'));
  return plain;
}

std::optional<std::vector<std::uint8_t>> decrypt_mppe_key(Bytes value, const Authenticator& request_auth,
                                                          std::string_view secret) {
  // Salt (2) + at least one 16-octet block; the salt's high bit must be set.
  if (value.size() < 18 || (value.size() - 2) % 16 != 0 || (value[0] & 0x80) == 0) return std::nullopt;
  Bytes salt = value.first(2);
  Bytes cipher = value.subspan(2);
  std::vector<std::uint8_t> plain(cipher.size());
  Digest b = md5({as_bytes(secret), Bytes(request_auth), salt});
  for (std::size_t off = 0; off < cipher.size(); off += 16) {
    if (off > 0) b = md5({as_bytes(secret), cipher.subspan(off - 16, 16)});
    for (std::size_t i = 0; i < 16; ++i) plain[off + i] = cipher[off + i] ^ b[i];
  }
  std::size_t key_len = plain[0];
  if (key_len == 0 || key_len > plain.size() - 1) return std::nullopt;
  return std::vector<std::uint8_t>(plain.begin() + 1, plain.begin() + 1 + static_cast<std::ptrdiff_t>(key_len));
}

std::vector<std::uint8_t> encrypt_mppe_key(Bytes key, std::uint16_t salt, const Authenticator& request_auth,
                                           std::string_view secret) {
  std::size_t len = (key.size() + 1 + 15) / 16 * 16;
  std::vector<std::uint8_t> plain(len, 0);
  plain[0] = static_cast<std::uint8_t>(key.size());
  std::copy(key.begin(), key.end(), plain.begin() + 1);
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>((salt >> 8) | 0x80), static_cast<std::uint8_t>(salt)};
  Digest b = md5({as_bytes(secret), Bytes(request_auth), Bytes(out.data(), 2)});
  for (std::size_t off = 0; off < len; off += 16) {
    if (off > 0) b = md5({as_bytes(secret), Bytes(out.data() + 2 + off - 16, 16)});
    for (std::size_t i = 0; i < 16; ++i) out.push_back(plain[off + i] ^ b[i]);
  }
  return out;
}

}  // namespace pppoe::radius
