#include "common/file_io.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace pppoe {

std::expected<void, std::string> write_file_atomically(const std::string& path, Bytes content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(fmt::format("{}: {}", tmp, std::strerror(errno)));
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return std::unexpected(fmt::format("{}: {}", tmp, std::strerror(e)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return std::unexpected(fmt::format("{}: {}", tmp, std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return std::unexpected(fmt::format("{}: {}", path, std::strerror(e)));
  }
  return {};
}

std::expected<std::vector<std::uint8_t>, std::string> read_whole_file(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::vector<std::uint8_t>{};
    return std::unexpected(fmt::format("{}: {}", path, std::strerror(errno)));
  }
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 65536> buf{};
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return std::unexpected(fmt::format("{}: {}", path, std::strerror(e)));
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      ::close(fd);
      return std::unexpected(fmt::format("{}: larger than {} MiB", path, max_bytes >> 20));
    }
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  ::close(fd);
  return out;
}

}  // namespace pppoe
