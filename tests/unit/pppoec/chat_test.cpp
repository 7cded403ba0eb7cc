#include "pppoec/chat.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pppoe::pppoec {
namespace {

TEST(Chat, ParsesAbortTimeoutAndSubExpects) {
  auto steps = parse_chat({"ABORT BUSY ABORT NO\\sCARRIER TIMEOUT 5 \"\" AT OK-AT-OK ATDT\\T CONNECT"});
  ASSERT_TRUE(steps) << steps.error();
  ASSERT_EQ(steps->size(), 8u);
  EXPECT_EQ((*steps)[0].kind, ChatStep::Kind::kAbort);
  EXPECT_EQ((*steps)[1].text, "NO CARRIER");
  EXPECT_EQ((*steps)[2].seconds, 5u);
  EXPECT_EQ((*steps)[3].kind, ChatStep::Kind::kExpect);
  EXPECT_EQ((*steps)[3].expect, std::vector<std::string>{""});
  EXPECT_EQ((*steps)[4].text, "AT");
  EXPECT_EQ((*steps)[5].expect, (std::vector<std::string>{"OK", "OK"}));
  EXPECT_EQ((*steps)[5].retry_sends, std::vector<std::string>{"AT"});
  EXPECT_EQ((*steps)[6].text, "ATDT\\T");
  EXPECT_EQ((*steps)[7].expect, std::vector<std::string>{"CONNECT"});
  EXPECT_FALSE(parse_chat({"TIMEOUT", "x"}));
  EXPECT_FALSE(parse_chat({"ABORT"}));
  EXPECT_FALSE(parse_chat({"OK-AT", "x"}));
  EXPECT_FALSE(parse_chat({"\"unterminated and more"}));
}

TEST(Chat, ExpandsSendEscapes) {
  ChatValues v{"5551234", "dave", "pw"};
  EXPECT_EQ(expand_send("ATDT\\T", v), "ATDT5551234\r");
  EXPECT_EQ(expand_send("\\U\\s\\P\\c", v), "dave pw");
  EXPECT_EQ(expand_send("a\\db", v), "a\xff\xff\xff\xff" "b\r");
}

TEST(Chat, RunsAgainstAModemAndStopsOnAbort) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ::fcntl(sv[0], F_SETFL, O_NONBLOCK);
  // The modem's answers, already waiting: CONNECT and the login prompt in one read.
  std::string modem = "OK\r\nCONNECT 115200\r\nlogin: ";
  ASSERT_EQ(::write(sv[1], modem.data(), modem.size()), static_cast<ssize_t>(modem.size()));
  auto steps = parse_chat({"TIMEOUT", "2", "", "AT", "OK", "ATDT\\T", "CONNECT", "", "login:", "\\U"});
  ASSERT_TRUE(steps);
  ASSERT_TRUE(run_chat(sv[0], *steps, {"42", "dave", "pw"}));
  char buf[128] = {};
  ssize_t n = ::read(sv[1], buf, sizeof buf);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), "AT\rATDT42\r\rdave\r");
  std::string busy = "BUSY\r\n";
  ASSERT_EQ(::write(sv[1], busy.data(), busy.size()), static_cast<ssize_t>(busy.size()));
  auto aborting = parse_chat({"ABORT", "BUSY", "TIMEOUT", "2", "CONNECT", "x"});
  auto r = run_chat(sv[0], *aborting, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("BUSY"), std::string::npos);
  auto timing_out = parse_chat({"TIMEOUT", "1", "NEVER", "x"});
  auto t = run_chat(sv[0], *timing_out, {});
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().find("timed out"), std::string::npos);
  ::close(sv[0]);
  ::close(sv[1]);
}

}  // namespace
}  // namespace pppoe::pppoec
