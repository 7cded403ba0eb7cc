#include "master/ac_cookie.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

namespace pppoe::master {
namespace {
void fresh_key(std::array<std::uint8_t, 32>& key) {
  std::size_t got = 0;
  while (got < key.size()) {
    ssize_t n = ::getrandom(key.data() + got, key.size() - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
}
}  // namespace

AcCookie::AcCookie(std::uint32_t rotate_seconds) : rotate_seconds_(rotate_seconds == 0 ? 300 : rotate_seconds) {
  fresh_key(key_);
  fresh_key(previous_key_);
}

void AcCookie::rotate_to(std::uint32_t period) {
  if (period == period_) return;
  if (period == period_ + 1) {
    previous_key_ = key_;
  } else {
    fresh_key(previous_key_);  // a gap: nothing issued under the previous key survives
  }
  fresh_key(key_);
  period_ = period;
}

std::array<std::uint8_t, 16> AcCookie::mac_of(std::uint32_t period, const MacAddress& mac,
                                              const ether::VlanStack& vlans) const {
  std::array<std::uint8_t, 32> input{};
  ByteWriter w(input);
  w.u32(period);
  w.bytes(mac.bytes());
  for (std::uint8_t i = 0; i < vlans.count; ++i) w.u16(vlans.tags[i].tci & 0x0fff);
  const auto& key = period == period_ ? key_ : previous_key_;
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), input.data(), w.size(), digest.data(), &len);
  std::array<std::uint8_t, 16> out{};
  std::copy_n(digest.begin(), out.size(), out.begin());
  return out;
}

AcCookie::Cookie AcCookie::make(const MacAddress& mac, const ether::VlanStack& vlans, std::int64_t unix_seconds) {
  rotate_to(static_cast<std::uint32_t>(unix_seconds / rotate_seconds_));
  Cookie c{};
  ByteWriter w(c);
  w.u32(period_);
  w.bytes(Bytes(mac_of(period_, mac, vlans)));
  return c;
}

bool AcCookie::verify(Bytes cookie, const MacAddress& mac, const ether::VlanStack& vlans, std::int64_t unix_seconds) {
  if (cookie.size() != kSize) return false;
  rotate_to(static_cast<std::uint32_t>(unix_seconds / rotate_seconds_));
  ByteReader r(cookie);
  auto period = r.u32();
  if (!period || (*period != period_ && *period + 1 != period_)) return false;
  auto expected = mac_of(*period, mac, vlans);
  return CRYPTO_memcmp(expected.data(), cookie.data() + 4, expected.size()) == 0;
}

}  // namespace pppoe::master
