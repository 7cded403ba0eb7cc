// PPP in HDLC-like framing on asynchronous lines (RFC 1662 section 4), for serial ports and
// ptys:
//
//   7E | FF 03 | protocol (1 or 2) | information | FCS (2 or 4, little-endian) | 7E
//
// Octets 7E and 7D, and those below 0x20 whose bit is set in the async control character map
// (ACCM), are sent as 7D followed by the octet XOR 0x20 (section 4.2). The FCS is FCS-16
// (section C.1) or FCS-32 (section C.2), over everything between the flags before escaping.
// Address and Control may be left out (ACFC) and a protocol below 0x100 sent as one octet (PFC)
// once LCP agreed (RFC 1661 sections 6.5, 6.6); the receiver takes both forms always.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/bytes.hpp"

namespace pppoe::ppp::hdlc {

inline constexpr std::uint8_t kFlag = 0x7e;
inline constexpr std::uint8_t kEscape = 0x7d;
inline constexpr std::uint16_t kGoodFcs16 = 0xf0b8;      ///< section C.1: the residue of a good frame
inline constexpr std::uint32_t kGoodFcs32 = 0xdebb20e3;  ///< section C.2
inline constexpr std::size_t kMaxFrame = 1500 + 8 + 4;   ///< MRU 1500 with headers and FCS-32

std::uint16_t fcs16(Bytes data, std::uint16_t fcs = 0xffff);
std::uint32_t fcs32(Bytes data, std::uint32_t fcs = 0xffffffff);

struct FramingOptions {
  std::uint32_t accm = 0xffffffff;  ///< characters below 0x20 to escape (the default until LCP agrees)
  bool acfc = false;                ///< leave out Address and Control
  bool pfc = false;                 ///< one-octet protocol where it fits
  bool fcs32 = false;
};

/// Appends one complete frame (flags included) to `out`.
void encode(std::vector<std::uint8_t>& out, std::uint16_t protocol, Bytes information, const FramingOptions& o);

/// Why a received frame was dropped; each is a counter.
struct DeframerCounters {
  std::uint64_t frames = 0;
  std::uint64_t bad_fcs = 0;
  std::uint64_t too_long = 0;
  std::uint64_t too_short = 0;
  std::uint64_t aborted = 0;      ///< 7D 7E: the sender aborted the frame (section 4.2)
  std::uint64_t bad_header = 0;   ///< Address/Control other than FF 03, or an invalid protocol
};

/// Splits a byte stream into frames. Feed it whatever the line delivered; it calls
/// `on_frame(protocol, information)` for each good frame, whose memory is valid during the call.
class Deframer {
 public:
  using Handler = std::function<void(std::uint16_t protocol, Bytes information)>;
  explicit Deframer(bool fcs32 = false) : fcs32_(fcs32) { buffer_.reserve(kMaxFrame); }
  void feed(Bytes data, const Handler& on_frame);
  /// The FCS the peer agreed to send (RFC 1570). LCP frames are also taken with the other FCS:
  /// the two ends switch at slightly different moments (Configure-Ack sent or received, LCP
  /// renegotiated), and LCP is what gets them back in step.
  void set_fcs32(bool on) { fcs32_ = on; }
  /// The ACCM we asked the peer to use: control characters it flags are line noise. 0 (the
  /// default here) keeps every character: a peer that escapes more than asked loses nothing.
  void set_receive_accm(std::uint32_t accm) { receive_accm_ = accm; }
  [[nodiscard]] const DeframerCounters& counters() const { return counters_; }

 private:
  void finish(const Handler& on_frame);
  std::vector<std::uint8_t> buffer_;
  bool escaped_ = false;
  bool overflow_ = false;
  bool fcs32_;
  std::uint32_t receive_accm_ = 0;
  DeframerCounters counters_;
};

}  // namespace pppoe::ppp::hdlc
