#include "proto/ppp/fsm.hpp"

#include <initializer_list>

namespace pppoe::ppp {
namespace {

using enum Action;
using S = State;

constexpr Transition T(S next, std::initializer_list<Action> actions = {}) {
  Transition t;
  t.legal = true;
  t.next = next;
  for (Action a : actions) t.actions[t.action_count++] = a;
  return t;
}
constexpr Transition kNone{};  // "-": the event cannot occur in this state

// clang-format off
// Columns: Initial, Starting, Closed, Stopped, Closing, Stopping, Req-Sent, Ack-Rcvd, Ack-Sent, Opened
constexpr Transition kTable[kEventCount][kStateCount] = {
  /* Up   */ {T(S::kClosed), T(S::kReqSent, {kIrc, kScr}), kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone},
  /* Down */ {kNone, kNone, T(S::kInitial), T(S::kStarting, {kTls}), T(S::kInitial), T(S::kStarting),
              T(S::kStarting), T(S::kStarting), T(S::kStarting), T(S::kStarting, {kTld})},
  /* Open */ {T(S::kStarting, {kTls}), T(S::kStarting), T(S::kReqSent, {kIrc, kScr}), T(S::kStopped),
              T(S::kStopping), T(S::kStopping), T(S::kReqSent), T(S::kAckRcvd), T(S::kAckSent), T(S::kOpened)},
  /* Close*/ {T(S::kInitial), T(S::kInitial, {kTlf}), T(S::kClosed), T(S::kClosed), T(S::kClosing),
              T(S::kClosing), T(S::kClosing, {kIrc, kStr}), T(S::kClosing, {kIrc, kStr}),
              T(S::kClosing, {kIrc, kStr}), T(S::kClosing, {kTld, kIrc, kStr})},
  /* TO+  */ {kNone, kNone, kNone, kNone, T(S::kClosing, {kStr}), T(S::kStopping, {kStr}),
              T(S::kReqSent, {kScr}), T(S::kReqSent, {kScr}), T(S::kAckSent, {kScr}), kNone},
  /* TO-  */ {kNone, kNone, kNone, kNone, T(S::kClosed, {kTlf}), T(S::kStopped, {kTlf}),
              T(S::kStopped, {kTlf}), T(S::kStopped, {kTlf}), T(S::kStopped, {kTlf}), kNone},
  /* RCR+ */ {kNone, kNone, T(S::kClosed, {kSta}), T(S::kAckSent, {kIrc, kScr, kSca}), T(S::kClosing),
              T(S::kStopping), T(S::kAckSent, {kSca}), T(S::kOpened, {kSca, kTlu}), T(S::kAckSent, {kSca}),
              T(S::kAckSent, {kTld, kScr, kSca})},
  /* RCR- */ {kNone, kNone, T(S::kClosed, {kSta}), T(S::kReqSent, {kIrc, kScr, kScn}), T(S::kClosing),
              T(S::kStopping), T(S::kReqSent, {kScn}), T(S::kAckRcvd, {kScn}), T(S::kReqSent, {kScn}),
              T(S::kReqSent, {kTld, kScr, kScn})},
  /* RCA  */ {kNone, kNone, T(S::kClosed, {kSta}), T(S::kStopped, {kSta}), T(S::kClosing), T(S::kStopping),
              T(S::kAckRcvd, {kIrc}), T(S::kReqSent, {kScr}), T(S::kOpened, {kIrc, kTlu}),
              T(S::kReqSent, {kTld, kScr})},
  /* RCN  */ {kNone, kNone, T(S::kClosed, {kSta}), T(S::kStopped, {kSta}), T(S::kClosing), T(S::kStopping),
              T(S::kReqSent, {kIrc, kScr}), T(S::kReqSent, {kScr}), T(S::kAckSent, {kIrc, kScr}),
              T(S::kReqSent, {kTld, kScr})},
  /* RTR  */ {kNone, kNone, T(S::kClosed, {kSta}), T(S::kStopped, {kSta}), T(S::kClosing, {kSta}),
              T(S::kStopping, {kSta}), T(S::kReqSent, {kSta}), T(S::kReqSent, {kSta}), T(S::kReqSent, {kSta}),
              T(S::kStopping, {kTld, kZrc, kSta})},
  /* RTA  */ {kNone, kNone, T(S::kClosed), T(S::kStopped), T(S::kClosed, {kTlf}), T(S::kStopped, {kTlf}),
              T(S::kReqSent), T(S::kReqSent), T(S::kAckSent), T(S::kReqSent, {kTld, kScr})},
  /* RUC  */ {kNone, kNone, T(S::kClosed, {kScj}), T(S::kStopped, {kScj}), T(S::kClosing, {kScj}),
              T(S::kStopping, {kScj}), T(S::kReqSent, {kScj}), T(S::kAckRcvd, {kScj}), T(S::kAckSent, {kScj}),
              T(S::kOpened, {kScj})},
  /* RXJ+ */ {kNone, kNone, T(S::kClosed), T(S::kStopped), T(S::kClosing), T(S::kStopping), T(S::kReqSent),
              T(S::kReqSent), T(S::kAckSent), T(S::kOpened)},
  /* RXJ- */ {kNone, kNone, T(S::kClosed, {kTlf}), T(S::kStopped, {kTlf}), T(S::kClosed, {kTlf}),
              T(S::kStopped, {kTlf}), T(S::kStopped, {kTlf}), T(S::kStopped, {kTlf}), T(S::kStopped, {kTlf}),
              T(S::kStopping, {kTld, kIrc, kStr})},
  /* RXR  */ {kNone, kNone, T(S::kClosed), T(S::kStopped), T(S::kClosing), T(S::kStopping), T(S::kReqSent),
              T(S::kAckRcvd), T(S::kAckSent), T(S::kOpened, {kSer})},
};
// clang-format on

}  // namespace

const Transition& transition(State state, Event event) {
  return kTable[static_cast<std::size_t>(event)][static_cast<std::size_t>(state)];
}

const char* to_string(State s) {
  switch (s) {
    case State::kInitial: return "Initial";
    case State::kStarting: return "Starting";
    case State::kClosed: return "Closed";
    case State::kStopped: return "Stopped";
    case State::kClosing: return "Closing";
    case State::kStopping: return "Stopping";
    case State::kReqSent: return "Req-Sent";
    case State::kAckRcvd: return "Ack-Rcvd";
    case State::kAckSent: return "Ack-Sent";
    case State::kOpened: return "Opened";
  }
  return "?";
}

const char* to_string(Event e) {
  switch (e) {
    case Event::kUp: return "Up";
    case Event::kDown: return "Down";
    case Event::kOpen: return "Open";
    case Event::kClose: return "Close";
    case Event::kTimeoutPlus: return "TO+";
    case Event::kTimeoutMinus: return "TO-";
    case Event::kRcrPlus: return "RCR+";
    case Event::kRcrMinus: return "RCR-";
    case Event::kRca: return "RCA";
    case Event::kRcn: return "RCN";
    case Event::kRtr: return "RTR";
    case Event::kRta: return "RTA";
    case Event::kRuc: return "RUC";
    case Event::kRxjPlus: return "RXJ+";
    case Event::kRxjMinus: return "RXJ-";
    case Event::kRxr: return "RXR";
  }
  return "?";
}

const char* to_string(Action a) {
  switch (a) {
    case Action::kTlu: return "tlu";
    case Action::kTld: return "tld";
    case Action::kTls: return "tls";
    case Action::kTlf: return "tlf";
    case Action::kIrc: return "irc";
    case Action::kZrc: return "zrc";
    case Action::kScr: return "scr";
    case Action::kSca: return "sca";
    case Action::kScn: return "scn";
    case Action::kStr: return "str";
    case Action::kSta: return "sta";
    case Action::kScj: return "scj";
    case Action::kSer: return "ser";
  }
  return "?";
}

}  // namespace pppoe::ppp
