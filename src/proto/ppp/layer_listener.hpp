// How a control protocol reports its layer events to the link that owns it.
#pragma once

#include "proto/ppp/cp_packet.hpp"

namespace pppoe::ppp {

/// Which end of the link we are: the access concentrator authenticates, the CPE is the peer.
enum class LinkRole : std::uint8_t { kAuthenticator, kPeer };

class LayerListener {
 public:
  virtual ~LayerListener() = default;
  virtual void layer_up(Protocol p) = 0;
  virtual void layer_down(Protocol p) = 0;
  virtual void layer_started(Protocol p) = 0;
  virtual void layer_finished(Protocol p) = 0;
};

/// Small deterministic generator for magic numbers and identifiers (xorshift32); seeded by
/// the caller so that tests are repeatable and production seeds from getrandom().
class Xorshift {
 public:
  explicit Xorshift(std::uint32_t seed) : state_(seed == 0 ? 0x9e3779b9u : seed) {}
  std::uint32_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }

 private:
  std::uint32_t state_;
};

}  // namespace pppoe::ppp
