// IPv6CP (RFC 5072): interface identifiers, so that link-local IPv6 works over a session.
#pragma once

#include <cstdint>
#include <functional>

#include "proto/ppp/control_protocol.hpp"
#include "proto/ppp/layer_listener.hpp"

namespace pppoe::ppp {

inline constexpr std::uint8_t kIpv6cpInterfaceIdentifier = 1;  ///< RFC 5072 section 4.1

class Ipv6cpHandler final : public CpHandler {
 public:
  /// `local_id` is our interface identifier (non-zero).
  Ipv6cpHandler(LayerListener& listener, std::uint64_t local_id, std::uint32_t seed);

  /// Identifiers the peer may not take because another link uses them: on a shared TUN the
  /// AC finds a session by its link-local address, so identifiers must be unique per AC.
  void set_in_use_check(std::function<bool(std::uint64_t)> in_use) { in_use_ = std::move(in_use); }

  void write_request(ByteWriter& w) override;
  OptionVerdict check_option(const Option& opt, ByteWriter& nak) override;
  void peer_request_acked(std::span<const Option> opts) override;
  void on_nak(std::span<const Option> opts) override;
  void on_reject(std::span<const Option> opts) override;
  void this_layer_up() override { listener_.layer_up(Protocol::kIpv6cp); }
  void this_layer_down() override { listener_.layer_down(Protocol::kIpv6cp); }
  void this_layer_started() override { listener_.layer_started(Protocol::kIpv6cp); }
  void this_layer_finished() override { listener_.layer_finished(Protocol::kIpv6cp); }

  [[nodiscard]] std::uint64_t local_id() const { return local_id_; }
  [[nodiscard]] std::uint64_t peer_id() const { return peer_id_; }
  /// A link resumed from saved state: the identifiers negotiated before.
  void restore(std::uint64_t local_id, std::uint64_t peer_id) {
    local_id_ = local_id;
    peer_id_ = peer_id;
  }

 private:
  std::uint64_t fresh_id();
  LayerListener& listener_;
  std::uint64_t local_id_;
  std::uint64_t peer_id_ = 0;
  Xorshift rng_;
  bool send_id_ = true;
  std::function<bool(std::uint64_t)> in_use_;
};

}  // namespace pppoe::ppp
