#include "sync/vrrp_notify.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace pppoe::sync {
namespace {
constexpr std::size_t kMaxLine = 512;
}

const char* to_string(VrrpState s) {
  switch (s) {
    case VrrpState::kMaster: return "MASTER";
    case VrrpState::kBackup: return "BACKUP";
    case VrrpState::kFault: return "FAULT";
    case VrrpState::kStop: return "STOP";
    case VrrpState::kOther: return "other";
  }
  return "?";
}

std::optional<VrrpNotice> parse_vrrp_notice(std::string_view line) {
  // KIND "NAME" STATE [PRIORITY]; the name is quoted and may hold blanks.
  if (line.size() > kMaxLine) return std::nullopt;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  auto space = line.find(' ');
  if (space == 0 || space == std::string_view::npos) return std::nullopt;
  VrrpNotice n;
  n.kind = std::string(line.substr(0, space));
  std::string_view rest = line.substr(space + 1);
  if (rest.size() < 2 || rest[0] != '"') return std::nullopt;
  auto close = rest.find('"', 1);
  if (close == std::string_view::npos) return std::nullopt;
  n.name = std::string(rest.substr(1, close - 1));
  rest = rest.substr(close + 1);
  if (rest.empty() || rest[0] != ' ') return std::nullopt;
  rest = rest.substr(1);
  std::string_view state = rest.substr(0, rest.find(' '));
  if (state.empty()) return std::nullopt;
  for (char c : n.kind)
    if (c < 'A' || c > 'Z') return std::nullopt;
  for (char c : state)
    if (c < 'A' || c > 'Z') return std::nullopt;
  n.state_text = std::string(state);
  if (state == "MASTER")
    n.state = VrrpState::kMaster;
  else if (state == "BACKUP")
    n.state = VrrpState::kBackup;
  else if (state == "FAULT")
    n.state = VrrpState::kFault;
  else if (state == "STOP")
    n.state = VrrpState::kStop;
  else
    n.state = VrrpState::kOther;
  return n;
}

std::expected<VrrpFifo, std::string> VrrpFifo::open(const std::string& path, std::string name) {
  if (::mkfifo(path.c_str(), 0600) != 0 && errno != EEXIST)
    return std::unexpected(fmt::format("vrrp fifo {}: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode))
    return std::unexpected(fmt::format("vrrp fifo {}: exists and is not a FIFO", path));
  // Read-write: we are a writer too, so the FIFO never reports end-of-file between
  // keepalived's writes (or its restarts), and its opening for writing never fails.
  int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::unexpected(fmt::format("vrrp fifo {}: {}", path, std::strerror(errno)));
  return VrrpFifo(fd, path, std::move(name));
}

VrrpFifo::VrrpFifo(VrrpFifo&& o) noexcept
    : fd_(o.fd_), path_(std::move(o.path_)), name_(std::move(o.name_)), partial_(std::move(o.partial_)), malformed_(o.malformed_) {
  o.fd_ = -1;
}

VrrpFifo::~VrrpFifo() {
  if (fd_ >= 0) ::close(fd_);
}

void VrrpFifo::read(const std::function<void(VrrpState, const std::string&)>& on_state) {
  std::array<char, 4096> buf{};
  for (;;) {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n <= 0) break;
    partial_.append(buf.data(), static_cast<std::size_t>(n));
    std::size_t at = 0;
    for (std::size_t nl; (nl = partial_.find('\n', at)) != std::string::npos; at = nl + 1) {
      std::string_view line(partial_.data() + at, nl - at);
      auto notice = parse_vrrp_notice(line);
      if (!notice) {
        ++malformed_;
        log::warn_limited(log_limit_, "vrrp fifo {}: a line not of the form KIND \"NAME\" STATE [PRIORITY]: ignored", path_);
        continue;
      }
      if (notice->name == name_) on_state(notice->state, notice->state_text);
    }
    partial_.erase(0, at);
    if (partial_.size() > kMaxLine) {  // no newline in sight: not keepalived's
      ++malformed_;
      partial_.clear();
    }
  }
}

}  // namespace pppoe::sync
