#include "proto/ppp/hdlc.hpp"

#include <array>

namespace pppoe::ppp::hdlc {
namespace {

// RFC 1662 section C.1 and C.2: the tables of the reflected CRC polynomials.
constexpr std::array<std::uint16_t, 256> make_table16() {
  std::array<std::uint16_t, 256> t{};
  for (unsigned b = 0; b < 256; ++b) {
    unsigned v = b;
    for (int i = 0; i < 8; ++i) v = (v & 1) ? (v >> 1) ^ 0x8408 : v >> 1;
    t[b] = static_cast<std::uint16_t>(v);
  }
  return t;
}
constexpr std::array<std::uint32_t, 256> make_table32() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t v = b;
    for (int i = 0; i < 8; ++i) v = (v & 1) ? (v >> 1) ^ 0xedb88320u : v >> 1;
    t[b] = v;
  }
  return t;
}
constexpr auto kTable16 = make_table16();
constexpr auto kTable32 = make_table32();

void put(std::vector<std::uint8_t>& out, std::uint8_t c, std::uint32_t accm) {
  if (c == kFlag || c == kEscape || (c < 0x20 && ((accm >> c) & 1u) != 0)) {
    out.push_back(kEscape);
    out.push_back(static_cast<std::uint8_t>(c ^ 0x20));
  } else {
    out.push_back(c);
  }
}

}  // namespace

std::uint16_t fcs16(Bytes data, std::uint16_t fcs) {
  for (std::uint8_t b : data) fcs = static_cast<std::uint16_t>((fcs >> 8) ^ kTable16[(fcs ^ b) & 0xff]);
  return fcs;
}

std::uint32_t fcs32(Bytes data, std::uint32_t fcs) {
  for (std::uint8_t b : data) fcs = (fcs >> 8) ^ kTable32[(fcs ^ b) & 0xff];
  return fcs;
}

void encode(std::vector<std::uint8_t>& out, std::uint16_t protocol, Bytes information, const FramingOptions& o) {
  std::array<std::uint8_t, 4> head{};
  std::size_t n = 0;
  if (!o.acfc || protocol == 0xc021) {  // LCP always with Address and Control (RFC 1661 6.6)
    head[n++] = 0xff;
    head[n++] = 0x03;
  }
  if (!o.pfc || protocol > 0xff || protocol == 0xc021) head[n++] = static_cast<std::uint8_t>(protocol >> 8);
  head[n++] = static_cast<std::uint8_t>(protocol);
  Bytes header(head.data(), n);
  // LCP frames always use the default ACCM (RFC 1662 section 7.1).
  std::uint32_t accm = protocol == 0xc021 ? 0xffffffff : o.accm;
  out.push_back(kFlag);
  for (std::uint8_t c : header) put(out, c, accm);
  for (std::uint8_t c : information) put(out, c, accm);
  if (o.fcs32) {
    std::uint32_t f = ~fcs32(information, fcs32(header));
    for (int i = 0; i < 4; ++i) put(out, static_cast<std::uint8_t>(f >> (8 * i)), accm);
  } else {
    std::uint16_t f = static_cast<std::uint16_t>(~fcs16(information, fcs16(header)));
    put(out, static_cast<std::uint8_t>(f), accm);
    put(out, static_cast<std::uint8_t>(f >> 8), accm);
  }
  out.push_back(kFlag);
}

void Deframer::feed(Bytes data, const Handler& on_frame) {
  for (std::uint8_t c : data) {
    if (c == kFlag) {
      if (escaped_) {
        ++counters_.aborted;  // 7D 7E
        buffer_.clear();
        escaped_ = false;
        overflow_ = false;
        continue;
      }
      finish(on_frame);
      continue;
    }
    if (c == kEscape) {
      escaped_ = true;
      continue;
    }
    // Characters below 0x20 flagged in our receiving ACCM that arrive unescaped were inserted
    // by the line (XON/XOFF) and are removed (section 4.2); the others are data.
    if (!escaped_ && c < 0x20 && ((receive_accm_ >> c) & 1u) != 0) continue;
    if (escaped_) {
      c = static_cast<std::uint8_t>(c ^ 0x20);
      escaped_ = false;
    }
    if (buffer_.size() >= kMaxFrame) {
      overflow_ = true;
      continue;
    }
    buffer_.push_back(c);
  }
}

void Deframer::finish(const Handler& on_frame) {
  if (buffer_.empty() && !overflow_) return;  // back-to-back flags
  std::vector<std::uint8_t>& b = buffer_;
  struct Clear {
    Deframer& d;
    ~Clear() {
      d.buffer_.clear();
      d.overflow_ = false;
    }
  } clear{*this};
  if (overflow_) {
    ++counters_.too_long;
    return;
  }
  if (b.size() < (fcs32_ ? 4u : 2u) + 2) {
    ++counters_.too_short;
    return;
  }
  auto good_with = [&b](bool use32) {
    return use32 ? b.size() > 4 && fcs32(Bytes(b)) == kGoodFcs32 : fcs16(Bytes(b)) == kGoodFcs16;
  };
  bool use32 = fcs32_;
  if (!good_with(use32)) {
    // An LCP frame with the other FCS (see set_fcs32); anything else is damaged.
    auto is_lcp = [&b](std::size_t fcs_size) {
      Bytes f(b.data(), b.size() - fcs_size);
      if (f.size() >= 2 && f[0] == 0xff && f[1] == 0x03) f = f.subspan(2);
      return f.size() >= 2 && f[0] == 0xc0 && f[1] == 0x21;
    };
    if (!good_with(!use32) || !is_lcp(use32 ? 2 : 4)) {
      ++counters_.bad_fcs;
      return;
    }
    use32 = !use32;
  }
  Bytes frame(b.data(), b.size() - (use32 ? 4 : 2));
  if (frame.size() >= 2 && frame[0] == 0xff) {
    if (frame[1] != 0x03) {
      ++counters_.bad_header;
      return;
    }
    frame = frame.subspan(2);
  }
  if (frame.empty()) {
    ++counters_.too_short;
    return;
  }
  std::uint16_t protocol = 0;
  if (frame[0] & 1) {  // compressed: one octet (RFC 1661 section 6.5; protocols end in an odd octet)
    protocol = frame[0];
    frame = frame.subspan(1);
  } else {
    if (frame.size() < 2 || (frame[1] & 1) == 0) {
      ++counters_.bad_header;
      return;
    }
    protocol = static_cast<std::uint16_t>((frame[0] << 8) | frame[1]);
    frame = frame.subspan(2);
  }
  ++counters_.frames;
  on_frame(protocol, frame);
}

}  // namespace pppoe::ppp::hdlc
