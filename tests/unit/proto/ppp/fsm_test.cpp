// Every cell of the RFC 1661 section 4.1 state transition table, transcribed from the RFC's
// text ("irc,scr/6", "-" for impossible events) and compared with the automaton's table.
#include "proto/ppp/fsm.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace pppoe::ppp {
namespace {

// Rows: events in RFC order; columns: states 0..9. The RFC's restart option ("r"), passive
// ("p") and crossed ("x") markers do not change the transition and are left out.
const char* kRfcTable[kEventCount][kStateCount] = {
    /* Up    */ {"2", "irc,scr/6", "-", "-", "-", "-", "-", "-", "-", "-"},
    /* Down  */ {"-", "-", "0", "tls/1", "0", "1", "1", "1", "1", "tld/1"},
    /* Open  */ {"tls/1", "1", "irc,scr/6", "3", "5", "5", "6", "7", "8", "9"},
    /* Close */ {"0", "tlf/0", "2", "2", "4", "4", "irc,str/4", "irc,str/4", "irc,str/4", "tld,irc,str/4"},
    /* TO+   */ {"-", "-", "-", "-", "str/4", "str/5", "scr/6", "scr/6", "scr/8", "-"},
    /* TO-   */ {"-", "-", "-", "-", "tlf/2", "tlf/3", "tlf/3", "tlf/3", "tlf/3", "-"},
    /* RCR+  */ {"-", "-", "sta/2", "irc,scr,sca/8", "4", "5", "sca/8", "sca,tlu/9", "sca/8", "tld,scr,sca/8"},
    /* RCR-  */ {"-", "-", "sta/2", "irc,scr,scn/6", "4", "5", "scn/6", "scn/7", "scn/6", "tld,scr,scn/6"},
    /* RCA   */ {"-", "-", "sta/2", "sta/3", "4", "5", "irc/7", "scr/6", "irc,tlu/9", "tld,scr/6"},
    /* RCN   */ {"-", "-", "sta/2", "sta/3", "4", "5", "irc,scr/6", "scr/6", "irc,scr/8", "tld,scr/6"},
    /* RTR   */ {"-", "-", "sta/2", "sta/3", "sta/4", "sta/5", "sta/6", "sta/6", "sta/6", "tld,zrc,sta/5"},
    /* RTA   */ {"-", "-", "2", "3", "tlf/2", "tlf/3", "6", "6", "8", "tld,scr/6"},
    /* RUC   */ {"-", "-", "scj/2", "scj/3", "scj/4", "scj/5", "scj/6", "scj/7", "scj/8", "scj/9"},
    /* RXJ+  */ {"-", "-", "2", "3", "4", "5", "6", "6", "8", "9"},
    /* RXJ-  */ {"-", "-", "tlf/2", "tlf/3", "tlf/2", "tlf/3", "tlf/3", "tlf/3", "tlf/3", "tld,irc,str/5"},
    /* RXR   */ {"-", "-", "2", "3", "4", "5", "6", "7", "8", "ser/9"},
};

std::string render(const Transition& t) {
  if (!t.legal) return "-";
  std::ostringstream s;
  for (std::uint8_t i = 0; i < t.action_count; ++i) s << (i ? "," : "") << to_string(t.actions[i]);
  if (t.action_count > 0) s << "/";
  s << static_cast<int>(t.next);
  return s.str();
}

TEST(FsmTable, EveryTransitionMatchesRfc1661) {
  for (std::size_t e = 0; e < kEventCount; ++e)
    for (std::size_t s = 0; s < kStateCount; ++s)
      EXPECT_EQ(render(transition(static_cast<State>(s), static_cast<Event>(e))), kRfcTable[e][s])
          << "event " << to_string(static_cast<Event>(e)) << " in state " << to_string(static_cast<State>(s));
}

TEST(FsmTable, TimerRunsOnlyInWaitingStates) {
  EXPECT_TRUE(timer_runs_in(State::kReqSent));
  EXPECT_TRUE(timer_runs_in(State::kStopping));
  EXPECT_FALSE(timer_runs_in(State::kOpened));
  EXPECT_FALSE(timer_runs_in(State::kStopped));
}

}  // namespace
}  // namespace pppoe::ppp
