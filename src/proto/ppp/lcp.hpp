// LCP configuration options (RFC 1661 section 6) as used on PPPoE.
// ACFC and PFC are refused: RFC 2516 section 7 says they MUST NOT be requested and a peer
// SHOULD NOT ask for them. MRU above 1492 only with RFC 4638 PPP-Max-Payload.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "proto/ppp/control_protocol.hpp"
#include "proto/ppp/layer_listener.hpp"

namespace pppoe::ppp {

enum class LcpOption : std::uint8_t {
  kMru = 1,
  kAccm = 2,
  kAuthProtocol = 3,
  kQualityProtocol = 4,
  kMagicNumber = 5,
  kPfc = 7,
  kAcfc = 8,
  kFcsAlternatives = 9,  ///< RFC 1570 section 2
};

/// RFC 1570 section 2: the FCS-Alternatives option's bits (the formats its sender will receive).
inline constexpr std::uint8_t kFcsNull = 1, kFcs16 = 2, kFcs32 = 4;

enum class AuthMethod : std::uint8_t { kNone, kPap, kChapMd5, kMsChapV2 };
const char* to_string(AuthMethod m);
/// Parses "pap", "chap", "mschapv2"; nullopt otherwise.
std::optional<AuthMethod> parse_auth_method(std::string_view text);

/// Chap algorithm numbers inside the Auth-Protocol option (RFC 1994 section 3, RFC 2433/2759).
inline constexpr std::uint8_t kChapAlgorithmMd5 = 5;
inline constexpr std::uint8_t kChapAlgorithmMsV2 = 0x81;

struct LcpSettings {
  LinkRole role = LinkRole::kAuthenticator;
  std::uint16_t mru = 1492;        ///< what we request: the most we can receive
  std::uint16_t max_peer_mru = 1492;  ///< the most we can send per frame (RFC 4638 raises it)
  /// Authenticator: methods offered in order of preference. Peer: methods accepted.
  std::vector<AuthMethod> auth_methods{AuthMethod::kPap};
  /// An asynchronous serial line (RFC 1662): we ask for ACCM 0 and take the peer's ACCM;
  /// ACFC and PFC (RFC 1661 sections 6.5, 6.6) as allowed below. On PPPoE all three stay
  /// refused (RFC 2516 section 7).
  bool async_link = false;
  bool request_acfc = false, request_pfc = false;  ///< ask the peer to compress toward us
  bool allow_acfc = false, allow_pfc = false;      ///< agree when the peer asks us to
  /// RFC 1570 FCS-Alternatives, async links only: ask the peer to send FCS-32 toward us; agree
  /// to send FCS-32 when the peer asks for it. The Null FCS is never agreed to: a serial line
  /// without a check lets line noise into IP.
  bool request_fcs32 = false, allow_fcs32 = false;
};

/// How we must frame what we send on an async line, as the peer's acked request says.
struct AsyncSendOptions {
  std::uint32_t accm = 0xffffffff;
  bool acfc = false;
  bool pfc = false;
  bool fcs32 = false;  ///< RFC 1570: the peer asked for FCS-32 and we agreed
};

/// LCP's option logic for either role; results are read after the layer comes up.
class LcpHandler final : public CpHandler {
 public:
  LcpHandler(LayerListener& listener, LcpSettings settings, std::uint32_t seed);

  void write_request(ByteWriter& w) override;
  OptionVerdict check_option(const Option& opt, ByteWriter& nak) override;
  void peer_request_acked(std::span<const Option> opts) override;
  void on_nak(std::span<const Option> opts) override;
  void on_reject(std::span<const Option> opts) override;
  void this_layer_up() override { listener_.layer_up(Protocol::kLcp); }
  void this_layer_down() override { listener_.layer_down(Protocol::kLcp); }
  void this_layer_started() override;
  void this_layer_finished() override { listener_.layer_finished(Protocol::kLcp); }
  std::uint32_t local_magic() const override { return magic_; }
  void on_echo_reply(std::uint32_t) override { ++echo_replies_; }
  bool on_protocol_reject(std::uint16_t protocol) override;

  /// The authentication protocol agreed: what we asked for (authenticator) or what the peer
  /// asked of us (peer role).
  [[nodiscard]] LinkRole role() const { return settings_.role; }
  [[nodiscard]] AuthMethod auth_method() const { return auth_; }
  /// The peer's MRU: the largest PPP payload we may send it.
  [[nodiscard]] std::uint16_t peer_mru() const { return peer_mru_; }
  [[nodiscard]] std::uint32_t peer_magic() const { return peer_magic_; }
  [[nodiscard]] std::uint64_t echo_replies() const { return echo_replies_; }
  /// True when the peer refused every authentication method we offered.
  [[nodiscard]] bool auth_refused() const { return auth_refused_; }
  /// The protocol of the last Protocol-Reject received, once (0: none since the last call):
  /// the link stops that NCP (RFC 1661 section 5.7).
  /// Async lines: the framing the peer agreed to receive (valid once LCP is Opened).
  [[nodiscard]] const AsyncSendOptions& async_send() const { return send_; }
  /// Async lines: the peer acked our request for FCS-32 (valid once LCP is Opened: the request
  /// the peer acked is the last one we wrote).
  [[nodiscard]] bool receive_fcs32() const { return ask_fcs32_; }
  /// A link resumed from saved state: the values negotiated before.
  void restore(std::uint32_t magic, std::uint32_t peer_magic, std::uint16_t peer_mru, AuthMethod auth) {
    magic_ = magic;
    peer_magic_ = peer_magic;
    peer_mru_ = peer_mru;
    auth_ = auth;
  }
  std::uint16_t take_rejected_protocol() { return std::exchange(rejected_protocol_, 0); }

 private:
  void reset();
  static void write_auth_option(ByteWriter& w, AuthMethod m);
  static std::optional<AuthMethod> read_auth_option(Bytes value);

  LayerListener& listener_;
  LcpSettings settings_;
  Xorshift rng_;
  std::uint32_t magic_ = 0;
  std::uint32_t peer_magic_ = 0;
  std::uint16_t request_mru_ = 0;  ///< 0 once the peer rejected MRU
  std::uint16_t peer_mru_ = 1492;
  std::size_t auth_index_ = 0;
  AuthMethod auth_ = AuthMethod::kNone;
  bool auth_refused_ = false;
  std::uint64_t echo_replies_ = 0;
  std::uint16_t rejected_protocol_ = 0;
  AsyncSendOptions send_;
  bool ask_accm_ = false, ask_acfc_ = false, ask_pfc_ = false, ask_fcs32_ = false;
};

}  // namespace pppoe::ppp
