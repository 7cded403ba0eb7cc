// Bounds-checked big-endian reader and writer over caller-owned buffers.
// Every wire parser in the project reads through ByteReader; nothing casts a buffer
// to a struct (style.md habit 1). A failed read leaves the cursor where it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pppoe {

using Bytes = std::span<const std::uint8_t>;
using MutableBytes = std::span<std::uint8_t>;

/// Reads big-endian integers and byte ranges; every read is checked against the end.
class ByteReader {
 public:
  explicit ByteReader(Bytes data) : data_(data) {}

  [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] std::size_t position() const { return pos_; }
  [[nodiscard]] bool empty() const { return remaining() == 0; }
  [[nodiscard]] Bytes rest() const { return data_.subspan(pos_); }

  [[nodiscard]] std::optional<std::uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return data_[pos_++];
  }
  [[nodiscard]] std::optional<std::uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  [[nodiscard]] std::optional<std::uint32_t> u32() {
    if (remaining() < 4) return std::nullopt;
    std::uint32_t v = (std::uint32_t{data_[pos_]} << 24) | (std::uint32_t{data_[pos_ + 1]} << 16) |
                      (std::uint32_t{data_[pos_ + 2]} << 8) | std::uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  [[nodiscard]] std::optional<std::uint64_t> u64() {
    if (remaining() < 8) return std::nullopt;
    std::uint64_t hi = *u32();
    return hi << 32 | *u32();
  }
  [[nodiscard]] std::optional<Bytes> bytes(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    Bytes v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  [[nodiscard]] bool skip(std::size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

 private:
  Bytes data_;
  std::size_t pos_ = 0;
};

/// Writes big-endian integers into a caller-owned buffer. Writing past the end sets
/// overflow() and writes nothing more, so encoders check once at the end.
class ByteWriter {
 public:
  explicit ByteWriter(MutableBytes buf) : buf_(buf) {}

  [[nodiscard]] std::size_t size() const { return pos_; }
  [[nodiscard]] bool overflow() const { return overflow_; }
  [[nodiscard]] std::size_t remaining() const { return buf_.size() - pos_; }
  [[nodiscard]] Bytes written() const { return Bytes(buf_.data(), pos_); }

  void u8(std::uint8_t v) {
    if (!reserve(1)) return;
    buf_[pos_++] = v;
  }
  void u16(std::uint16_t v) {
    if (!reserve(2)) return;
    buf_[pos_++] = static_cast<std::uint8_t>(v >> 8);
    buf_[pos_++] = static_cast<std::uint8_t>(v);
  }
  void u32(std::uint32_t v) {
    if (!reserve(4)) return;
    for (int shift = 24; shift >= 0; shift -= 8) buf_[pos_++] = static_cast<std::uint8_t>(v >> shift);
  }
  void u64(std::uint64_t v) {
    if (!reserve(8)) return;
    for (int shift = 56; shift >= 0; shift -= 8) buf_[pos_++] = static_cast<std::uint8_t>(v >> shift);
  }
  void bytes(Bytes v) {
    if (!reserve(v.size())) return;
    if (!v.empty()) std::memcpy(buf_.data() + pos_, v.data(), v.size());
    pos_ += v.size();
  }
  void text(std::string_view s) {
    bytes(Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  }
  /// Reserves n bytes to be patched later (length fields); returns their offset.
  std::size_t placeholder(std::size_t n) {
    std::size_t at = pos_;
    if (reserve(n)) pos_ += n;
    return at;
  }
  void patch_u16(std::size_t at, std::uint16_t v) {
    if (overflow_ || at + 2 > pos_) return;
    buf_[at] = static_cast<std::uint8_t>(v >> 8);
    buf_[at + 1] = static_cast<std::uint8_t>(v);
  }

 private:
  bool reserve(std::size_t n) {
    if (overflow_ || remaining() < n) {
      overflow_ = true;
      return false;
    }
    return true;
  }
  MutableBytes buf_;
  std::size_t pos_ = 0;
  bool overflow_ = false;
};

/// Untrusted text (a peer's name, a server's message) for a log line or an operator's
/// display: printable ASCII only ('?' for the rest), at most `max` characters.
inline std::string printable_text(Bytes text, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < max; ++i)
    out += text[i] >= 0x20 && text[i] < 0x7f ? static_cast<char>(text[i]) : '?';
  return out;
}

inline Bytes as_bytes(std::string_view s) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
inline std::string_view as_text(Bytes b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace pppoe
