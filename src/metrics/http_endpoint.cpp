#include "metrics/http_endpoint.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>

namespace pppoe::metrics {

namespace {
/// A scrape the master has not rendered within this gets 503 (the master is stuck: exactly
/// what a watchdog and an alert on `up` should see).
constexpr auto kRenderTimeout = std::chrono::seconds(5);

/// OpenMetrics when the scraper asks for it (Prometheus sends both, OpenMetrics first).
Format wanted(const httplib::Request& req) {
  return req.get_header_value("Accept").find("application/openmetrics-text") != std::string::npos ? Format::kOpenMetrics
                                                                                                   : Format::kPrometheus;
}
}  // namespace

struct HttpEndpoint::Scrape {
  Format format = Format::kPrometheus;
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::string text;
};

std::expected<std::unique_ptr<HttpEndpoint>, std::string> HttpEndpoint::start(SocketEndpoint listen) {
  std::unique_ptr<HttpEndpoint> e(new HttpEndpoint());
  e->listen_ = listen;
  e->event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (e->event_fd_ < 0) return std::unexpected(fmt::format("metrics: eventfd: {}", std::strerror(errno)));
  e->http_ = std::make_unique<httplib::Server>();
  // One connection at a time is plenty for a scraper or two, and costs one thread.
  e->http_->new_task_queue = [] { return new httplib::ThreadPool(1); };
  e->http_->set_read_timeout(5, 0);
  e->http_->set_write_timeout(5, 0);
  HttpEndpoint* self = e.get();
  e->http_->Get("/metrics", [self](const httplib::Request& req, httplib::Response& res) {
    auto scrape = std::make_shared<Scrape>();
    scrape->format = wanted(req);
    {
      std::lock_guard lock(self->mutex_);
      self->waiting_.push_back(scrape);
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto w = ::write(self->event_fd_, &one, sizeof one);
    std::unique_lock lock(scrape->mutex);
    if (!scrape->done_cv.wait_for(lock, kRenderTimeout, [&] { return scrape->done; })) {
      res.status = 503;
      res.set_content("pppoed's master did not answer in time\n", "text/plain");
      return;
    }
    res.set_content(std::move(scrape->text), Exposition::content_type(scrape->format));
  });
  e->http_->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pppoed: metrics at /metrics\n", "text/plain");
  });
  if (!e->http_->bind_to_port(listen.address.to_string(), listen.port))
    return std::unexpected(fmt::format("metrics-listen {}: cannot bind (address in use, or not ours?)", listen.to_string()));
  e->thread_ = std::thread([self] { self->http_->listen_after_bind(); });
  return e;
}

HttpEndpoint::~HttpEndpoint() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
  // Scrapes still waiting are answered with what they have (nothing): their threads are gone.
  if (event_fd_ >= 0) ::close(event_fd_);
}

void HttpEndpoint::serve(const Render& render) {
  std::uint64_t n = 0;
  [[maybe_unused]] auto r = ::read(event_fd_, &n, sizeof n);
  std::deque<std::shared_ptr<Scrape>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(waiting_);
  }
  for (auto& s : batch) {
    auto t0 = std::chrono::steady_clock::now();
    std::string text = render(s->format);
    last_render_ = std::chrono::steady_clock::now() - t0;
    {
      std::lock_guard lock(s->mutex);
      s->text = std::move(text);
      s->done = true;
    }
    s->done_cv.notify_one();
    ++scrapes_;
  }
}

void HttpEndpoint::close_in_child() const {
  // httplib keeps its listening socket to itself: find it among our descriptors by its address.
  ::close(event_fd_);
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return;
  std::vector<int> ours;
  while (dirent* d = ::readdir(dir)) {
    int fd = std::atoi(d->d_name);
    if (fd <= 2 || fd == ::dirfd(dir)) continue;
    sockaddr_in a{};
    socklen_t len = sizeof a;
    int listening = 0;
    socklen_t llen = sizeof listening;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0 || a.sin_family != AF_INET) continue;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &llen) != 0 || listening == 0) continue;
    if (ntohs(a.sin_port) == listen_.port) ours.push_back(fd);
  }
  ::closedir(dir);
  for (int fd : ours) ::close(fd);
}

}  // namespace pppoe::metrics
