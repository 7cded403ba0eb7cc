#include "proto/ppp/control_protocol.hpp"

#include <algorithm>
#include <cstring>

namespace pppoe::ppp {

ControlProtocol::ControlProtocol(Protocol protocol, CpHandler& handler, CpOutput& output,
                                 CpConfig config)
    : handler_(handler), output_(output), config_(config), protocol_(protocol) {}

void ControlProtocol::dispatch(Event event, TimePoint now) {
  now_ = now;
  const Transition& t = transition(state_, event);
  if (!t.legal) {
    ++counters_.illegal_events;
    return;
  }
  // The RFC lists actions in the order they happen; the state changes after them, except
  // that tlu/tld callbacks must observe the new state (a layer above may query it).
  state_ = t.next;
  for (std::uint8_t i = 0; i < t.action_count; ++i) run(t.actions[i], t);
  if (!timer_runs_in(state_)) deadline_.reset();
}

void ControlProtocol::run(Action action, const Transition& t) {
  switch (action) {
    case Action::kTlu: handler_.this_layer_up(); break;
    case Action::kTld: handler_.this_layer_down(); break;
    case Action::kTls: handler_.this_layer_started(); break;
    case Action::kTlf: handler_.this_layer_finished(); break;
    case Action::kIrc: {
      // Section 4.6: Max-Terminate when a Terminate-Request follows, else Max-Configure.
      bool terminating = std::any_of(t.actions.begin(), t.actions.begin() + t.action_count,
                                     [](Action a) { return a == Action::kStr; });
      restart_counter_ = terminating ? config_.max_terminate : config_.max_configure;
      if (!terminating) naks_sent_ = 0;
      break;
    }
    case Action::kZrc:
      restart_counter_ = 0;
      restart_timer(now_);
      break;
    case Action::kScr: {
      ByteWriter w(request_);
      handler_.write_request(w);
      request_size_ = static_cast<std::uint8_t>(w.overflow() ? 0 : w.size());
      request_id_ = next_id_++;
      send(static_cast<std::uint8_t>(Code::kConfigureRequest), request_id_,
           Bytes(request_.data(), request_size_));
      if (restart_counter_ > 0) --restart_counter_;
      restart_timer(now_);
      break;
    }
    case Action::kSca:
      send(static_cast<std::uint8_t>(Code::kConfigureAck), received_.packet.id, received_.packet.data);
      break;
    case Action::kScn:
      send(received_.reply_code, received_.packet.id, Bytes(received_.reply.data(), received_.reply_size));
      break;
    case Action::kStr:
      send(static_cast<std::uint8_t>(Code::kTerminateRequest), next_id_++, {});
      if (restart_counter_ > 0) --restart_counter_;
      restart_timer(now_);
      break;
    case Action::kSta:
      send(static_cast<std::uint8_t>(Code::kTerminateAck), received_.packet.id, {});
      break;
    case Action::kScj: {
      // Section 5.6: the rejected packet, truncated so the reply fits the peer's MRU.
      std::size_t n = std::min<std::size_t>(received_.raw.size(), 1492 - 4);
      send(static_cast<std::uint8_t>(Code::kCodeReject), next_id_++, received_.raw.first(n));
      break;
    }
    case Action::kSer: {
      if (received_.packet.code != static_cast<std::uint8_t>(Code::kEchoRequest)) break;  // RXR by Echo-Reply/Discard
      std::array<std::uint8_t, 1500> data{};
      ByteWriter w(data);
      w.u32(handler_.local_magic());
      if (received_.packet.data.size() > 4) w.bytes(received_.packet.data.subspan(4).first(std::min<std::size_t>(received_.packet.data.size() - 4, 1400)));
      send(static_cast<std::uint8_t>(Code::kEchoReply), received_.packet.id, w.written());
      break;
    }
  }
}

void ControlProtocol::send(std::uint8_t code, std::uint8_t id, Bytes data) {
  std::array<std::uint8_t, 1500> buf{};
  std::size_t n = encode_cp(buf, code, id, data);
  if (n == 0) return;
  output_.send_control(protocol_, Bytes(buf.data(), n));
}

thread_local ControlProtocol::Received ControlProtocol::received_{};

void ControlProtocol::judge_request(std::span<const Option> opts) {
  // Section 5.2-5.4: any Reject wins over Nak, any Nak over Ack. After Max-Failure
  // Configure-Naks in a row, naked options are rejected instead (section 4.6).
  std::array<std::uint8_t, 1500> nak_buf{};
  ByteWriter nak(nak_buf);
  ByteWriter rej(received_.reply);
  bool any_reject = false;
  const bool naks_exhausted = naks_sent_ >= config_.max_failure;
  for (const Option& o : opts) {
    std::array<std::uint8_t, 258> suggestion_buf{};
    ByteWriter suggestion(suggestion_buf);
    OptionVerdict verdict = handler_.check_option(o, suggestion);
    if (verdict == OptionVerdict::kNak && naks_exhausted) verdict = OptionVerdict::kReject;
    switch (verdict) {
      case OptionVerdict::kAck: break;
      case OptionVerdict::kNak: nak.bytes(suggestion.written()); break;
      case OptionVerdict::kReject:
        any_reject = true;
        encode_option(rej, o.type, o.value);
        break;
    }
  }
  if (!any_reject) handler_.check_missing(opts, nak);
  if (any_reject) {
    received_.reply_code = static_cast<std::uint8_t>(Code::kConfigureReject);
    received_.reply_size = rej.overflow() ? 0 : rej.size();
  } else if (nak.size() > 0) {
    received_.reply_code = static_cast<std::uint8_t>(Code::kConfigureNak);
    received_.reply_size = nak.overflow() ? 0 : nak.size();
    std::memcpy(received_.reply.data(), nak_buf.data(), received_.reply_size);
    ++naks_sent_;
  } else {
    received_.reply_code = static_cast<std::uint8_t>(Code::kConfigureAck);
    received_.reply_size = 0;
  }
}

void ControlProtocol::receive(Bytes packet, TimePoint now) {
  auto pkt = decode_cp(packet);
  if (!pkt) {
    ++counters_.rx_malformed;
    return;
  }
  received_.packet = *pkt;
  received_.raw = packet.first(std::min<std::size_t>(packet.size(), 4u + pkt->data.size()));
  const bool lcp = protocol_ == Protocol::kLcp;

  switch (received_.packet.code) {
    case static_cast<std::uint8_t>(Code::kConfigureRequest): {
      auto opts = decode_options(received_.packet.data);
      if (!opts) {
        ++counters_.rx_malformed;
        return;
      }
      judge_request(*opts);
      bool good = received_.reply_code == static_cast<std::uint8_t>(Code::kConfigureAck);
      if (good) {
        naks_sent_ = 0;
        // Adopt the peer's values only where the automaton will acknowledge them.
        State s = state_;
        if (s == State::kStopped || s == State::kReqSent || s == State::kAckRcvd ||
            s == State::kAckSent || s == State::kOpened)
          handler_.peer_request_acked(*opts);
      }
      dispatch(good ? Event::kRcrPlus : Event::kRcrMinus, now);
      return;
    }
    case static_cast<std::uint8_t>(Code::kConfigureAck): {
      // Section 5.2: the Ack must answer our last request and repeat it exactly.
      bool same = received_.packet.id == request_id_ && received_.packet.data.size() == request_size_ &&
                  std::equal(received_.packet.data.begin(), received_.packet.data.end(), request_.begin());
      if (!same) {
        ++counters_.rx_bad_id;
        return;
      }
      dispatch(Event::kRca, now);
      return;
    }
    case static_cast<std::uint8_t>(Code::kConfigureNak):
    case static_cast<std::uint8_t>(Code::kConfigureReject): {
      if (received_.packet.id != request_id_) {
        ++counters_.rx_bad_id;
        return;
      }
      auto opts = decode_options(received_.packet.data);
      if (!opts) {
        ++counters_.rx_malformed;
        return;
      }
      if (received_.packet.code == static_cast<std::uint8_t>(Code::kConfigureNak))
        handler_.on_nak(*opts);
      else
        handler_.on_reject(*opts);
      dispatch(Event::kRcn, now);
      return;
    }
    case static_cast<std::uint8_t>(Code::kTerminateRequest): dispatch(Event::kRtr, now); return;
    case static_cast<std::uint8_t>(Code::kTerminateAck): dispatch(Event::kRta, now); return;
    case static_cast<std::uint8_t>(Code::kCodeReject): {
      // Section 5.6: rejecting a code we need for negotiation is catastrophic.
      ByteReader r(received_.packet.data);
      auto rejected = r.u8();
      if (!rejected) {
        ++counters_.rx_malformed;
        return;
      }
      bool fatal = *rejected >= 1 && *rejected <= 7;
      dispatch(fatal ? Event::kRxjMinus : Event::kRxjPlus, now);
      return;
    }
    default: break;
  }

  if (lcp) {
    switch (received_.packet.code) {
      case static_cast<std::uint8_t>(Code::kProtocolReject): {
        ByteReader r(received_.packet.data);
        auto proto = r.u16();
        if (!proto) {
          ++counters_.rx_malformed;
          return;
        }
        dispatch(handler_.on_protocol_reject(*proto) ? Event::kRxjMinus : Event::kRxjPlus, now);
        return;
      }
      case static_cast<std::uint8_t>(Code::kEchoRequest):
      case static_cast<std::uint8_t>(Code::kEchoReply):
      case static_cast<std::uint8_t>(Code::kDiscardRequest): {
        ByteReader r(received_.packet.data);
        auto magic = r.u32();
        if (!magic) {
          ++counters_.rx_malformed;
          return;
        }
        // Section 5.8: a peer magic equal to ours means the link is looped back.
        std::uint32_t ours = handler_.local_magic();
        if (ours != 0 && *magic == ours) {
          ++counters_.loops_detected;
          return;
        }
        if (received_.packet.code == static_cast<std::uint8_t>(Code::kEchoReply) && state_ == State::kOpened)
          handler_.on_echo_reply(*magic);
        dispatch(Event::kRxr, now);
        return;
      }
      default: break;
    }
  }
  ++counters_.rx_unknown_code;
  dispatch(Event::kRuc, now);
}

void ControlProtocol::tick(TimePoint now) {
  if (!deadline_ || now < *deadline_) return;
  deadline_.reset();
  dispatch(restart_counter_ > 0 ? Event::kTimeoutPlus : Event::kTimeoutMinus, now);
}

void ControlProtocol::send_protocol_reject(std::uint16_t rejected_protocol, Bytes information) {
  if (state_ != State::kOpened) return;  // section 5.7: only in the Opened state
  std::array<std::uint8_t, 1500> data{};
  ByteWriter w(data);
  w.u16(rejected_protocol);
  w.bytes(information.first(std::min<std::size_t>(information.size(), 1400)));
  send(static_cast<std::uint8_t>(Code::kProtocolReject), next_id_++, w.written());
}

void ControlProtocol::send_echo_request() {
  std::array<std::uint8_t, 4> data{};
  ByteWriter w(data);
  w.u32(handler_.local_magic());
  send(static_cast<std::uint8_t>(Code::kEchoRequest), echo_id_++, w.written());
}

}  // namespace pppoe::ppp
