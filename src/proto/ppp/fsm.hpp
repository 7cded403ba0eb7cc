// The RFC 1661 option-negotiation automaton (section 4), shared by LCP, IPCP and IPv6CP.
//
// One constexpr table [event][state] -> {actions, next state}, transcribed from the state
// transition table of RFC 1661 section 4.1. Actions are named as in the RFC:
//
//   tlu This-Layer-Up        tld This-Layer-Down       tls This-Layer-Started
//   tlf This-Layer-Finished  irc Initialize-Restart-Count  zrc Zero-Restart-Count
//   scr Send-Configure-Request  sca Send-Configure-Ack  scn Send-Configure-Nak/Rej
//   str Send-Terminate-Request  sta Send-Terminate-Ack  scj Send-Code-Reject
//   ser Send-Echo-Reply
//
// The restart option ("r" in the RFC table) is not implemented: Open in Stopped, Stopping,
// Closing and Opened keeps the state, as the RFC allows. "-" cells are events that cannot
// occur in that state; the engine counts them and leaves the state unchanged.
#pragma once

#include <array>
#include <cstdint>

namespace pppoe::ppp {

enum class State : std::uint8_t {
  kInitial, kStarting, kClosed, kStopped, kClosing, kStopping, kReqSent, kAckRcvd, kAckSent, kOpened
};
inline constexpr std::size_t kStateCount = 10;

enum class Event : std::uint8_t {
  kUp, kDown, kOpen, kClose, kTimeoutPlus, kTimeoutMinus, kRcrPlus, kRcrMinus, kRca, kRcn, kRtr,
  kRta, kRuc, kRxjPlus, kRxjMinus, kRxr
};
inline constexpr std::size_t kEventCount = 16;

enum class Action : std::uint8_t { kTlu, kTld, kTls, kTlf, kIrc, kZrc, kScr, kSca, kScn, kStr, kSta, kScj, kSer };

struct Transition {
  std::array<Action, 4> actions{};
  std::uint8_t action_count = 0;
  State next = State::kInitial;
  bool legal = false;
};

/// The transition for `event` in `state` (RFC 1661 section 4.1).
[[nodiscard]] const Transition& transition(State state, Event event);

const char* to_string(State s);
const char* to_string(Event e);
const char* to_string(Action a);

/// True in the states where the restart timer runs (RFC 1661 section 4.6).
[[nodiscard]] constexpr bool timer_runs_in(State s) {
  switch (s) {
    case State::kClosing:
    case State::kStopping:
    case State::kReqSent:
    case State::kAckRcvd:
    case State::kAckSent:
      return true;
    case State::kInitial:
    case State::kStarting:
    case State::kClosed:
    case State::kStopped:
    case State::kOpened:
      return false;
  }
  return false;
}

}  // namespace pppoe::ppp
