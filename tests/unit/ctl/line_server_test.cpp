// The control servers never block the master: silent, slow and surplus clients are handled
// by a LineServer with injected time.
#include "ctl/line_server.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>

#include "ctl/control_socket.hpp"
#include "ctl/remote_control.hpp"

namespace pppoe::ctl {
namespace {

using namespace std::chrono_literals;

class LineServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/pppoe-line-server-test-" + std::to_string(::getpid());
    ::unlink(path_.c_str());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(fd, 64), 0);
    server_.emplace(fd, LineServer::Limits{.max_connections = 3, .max_request = 100, .idle_timeout = 5s});
  }
  void TearDown() override { ::unlink(path_.c_str()); }

  int connect_client() const {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  void serve(TimePoint now) {
    server_->serve([] { return std::string("hello\n"); },
                   [this](std::string_view line, const std::string& greeting) {
                     ++answered_;
                     EXPECT_EQ(greeting, "hello\n");
                     return "echo " + std::string(line) + reply_padding_;
                   },
                   [] { return std::string("too long"); }, now);
  }
  /// Everything the peer can read now (non-blocking).
  static std::string drain(int fd) {
    std::string s;
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) return s;
      s.append(buf, static_cast<std::size_t>(n));
    }
  }
  static bool closed_by_server(int fd) {
    char c;
    return ::recv(fd, &c, 1, MSG_DONTWAIT) == 0;
  }

  std::string path_;
  std::optional<LineServer> server_;
  int answered_ = 0;
  std::string reply_padding_;
  TimePoint t0_{};
};

TEST_F(LineServerTest, SilentClientDoesNotDelayOthers) {
  int silent = connect_client();
  serve(t0_);
  EXPECT_EQ(server_->open_connections(), 1U);
  int busy = connect_client();
  serve(t0_);
  ASSERT_EQ(::send(busy, "ping\n", 5, 0), 5);
  serve(t0_);
  EXPECT_EQ(drain(busy), "hello\necho ping\n");
  EXPECT_TRUE(closed_by_server(busy));
  EXPECT_EQ(answered_, 1);
  EXPECT_EQ(server_->open_connections(), 1U);  // the silent one, still waiting
  ::close(silent);
  ::close(busy);
}

TEST_F(LineServerTest, RequestInPiecesIsAssembled) {
  int c = connect_client();
  serve(t0_);
  ASSERT_EQ(::send(c, "pi", 2, 0), 2);
  serve(t0_);
  EXPECT_EQ(answered_, 0);
  ASSERT_EQ(::send(c, "ng\nignored after the request", 29, 0), 29);
  serve(t0_);
  EXPECT_EQ(drain(c), "hello\necho ping\n");
  ::close(c);
}

TEST_F(LineServerTest, IdleConnectionsExpire) {
  int c = connect_client();
  serve(t0_);
  server_->expire(t0_ + 4s);
  EXPECT_EQ(server_->open_connections(), 1U);
  server_->expire(t0_ + 6s);
  EXPECT_EQ(server_->open_connections(), 0U);
  EXPECT_EQ(server_->timed_out, 1U);
  drain(c);
  EXPECT_TRUE(closed_by_server(c));
  ::close(c);
}

TEST_F(LineServerTest, SurplusConnectionsAreRefused) {
  int c[5];
  for (int& fd : c) fd = connect_client();
  serve(t0_);
  EXPECT_EQ(server_->open_connections(), 3U);
  EXPECT_EQ(server_->refused_busy, 2U);
  for (int fd : c) ::close(fd);
}

TEST_F(LineServerTest, OverlongRequestIsRefused) {
  int c = connect_client();
  serve(t0_);
  std::string big(200, 'x');
  ASSERT_EQ(::send(c, big.data(), big.size(), 0), 200);
  serve(t0_);
  EXPECT_EQ(drain(c), "hello\ntoo long\n");
  EXPECT_EQ(server_->too_long, 1U);
  EXPECT_EQ(answered_, 0);
  ::close(c);
}

TEST_F(LineServerTest, LargeAnswerToSlowReaderIsWrittenAsItReads) {
  reply_padding_ = std::string(4 * 1024 * 1024, 'p');  // far more than a socket buffer holds
  int c = connect_client();
  serve(t0_);
  ASSERT_EQ(::send(c, "x\n", 2, 0), 2);
  serve(t0_);  // must return at once with most of the answer still buffered
  std::string got;
  for (int i = 0; i < 10000 && server_->open_connections() > 0; ++i) {
    got += drain(c);
    serve(t0_ + std::chrono::milliseconds(i));
  }
  got += drain(c);
  EXPECT_EQ(server_->open_connections(), 0U);
  EXPECT_EQ(got.size(), 6 + 7 + reply_padding_.size());
  ::close(c);
}

TEST(ControlServerTest, AnswersOverTheRealSocketAndSurvivesBadInput) {
  std::string path = "/tmp/pppoe-control-test-" + std::to_string(::getpid());
  auto server = ControlServer::listen(path);
  ASSERT_TRUE(server) << server.error();
  TimePoint now{};
  auto handler = [](const Json& req) {
    // A user name from the wire may be any bytes: the answer must still be written.
    return Json{{"ok", true}, {"cmd", text_field(req, "cmd")}, {"user", std::string("\xff\xfe bad utf-8")}};
  };
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_TRUE(write_line(fd, {{"cmd", "show"}}));
  for (int i = 0; i < 100; ++i) {
    pollfd p{server->fd(), POLLIN, 0};
    ::poll(&p, 1, 10);
    server->serve(handler, now);
    if (i > 0 && server->lines().open_connections() == 0) break;
  }
  auto line = read_line(fd, 1000);
  ASSERT_TRUE(line) << line.error();
  Json res = Json::parse(*line);
  EXPECT_EQ(res["cmd"], "show");
  EXPECT_TRUE(res["ok"].get<bool>());
  ::close(fd);
}

}  // namespace
}  // namespace pppoe::ctl
