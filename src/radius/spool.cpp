#include "radius/spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace pppoe::radius {
namespace {
constexpr std::string_view kMagic = "PPPOED-ACCT-1\n";
constexpr std::string_view kSuffix = ".acct";
namespace fs = std::filesystem;
}  // namespace

std::expected<void, std::string> Spool::prepare() const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return std::unexpected(fmt::format("accounting spool {}: {}", dir_, ec.message()));
  ::chmod(dir_.c_str(), 0700);
  return {};
}

std::expected<void, std::string> Spool::store(std::string_view name, std::int64_t event_unix, Bytes attributes) const {
  std::string final_path = fmt::format("{}/{}{}", dir_, name, kSuffix);
  std::string tmp = final_path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(fmt::format("accounting spool {}: {}", tmp, std::strerror(errno)));
  std::vector<std::uint8_t> data(kMagic.begin(), kMagic.end());
  for (int shift = 56; shift >= 0; shift -= 8) data.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(event_unix) >> shift));
  data.insert(data.end(), attributes.begin(), attributes.end());
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), final_path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return std::unexpected(fmt::format("accounting spool {}: cannot write", final_path));
  }
  return {};
}

std::optional<SpooledRecord> Spool::parse(Bytes content) {
  if (content.size() < kMagic.size() + 8 || content.size() > kMagic.size() + 8 + kMaxPacketSize - kHeaderSize)
    return std::nullopt;
  if (as_text(content.first(kMagic.size())) != kMagic) return std::nullopt;
  ByteReader r(content.subspan(kMagic.size()));
  std::uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = (t << 8) | *r.u8();
  Bytes attrs = r.rest();
  bool has_status = false;
  if (!for_each_attribute(attrs, [&](std::uint8_t type, Bytes v) {
        if (type == static_cast<std::uint8_t>(Attr::kAcctStatusType) && v.size() == 4) has_status = true;
      }) ||
      !has_status)
    return std::nullopt;
  SpooledRecord rec;
  rec.event_unix = static_cast<std::int64_t>(t);
  rec.attributes.assign(attrs.begin(), attrs.end());
  return rec;
}

std::vector<SpooledRecord> Spool::load(std::size_t max) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    std::string n = e.path().filename().string();
    if (n.ends_with(kSuffix) && e.is_regular_file(ec)) names.push_back(e.path().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<SpooledRecord> out;
  for (const auto& path : names) {
    if (out.size() >= max) break;
    std::optional<SpooledRecord> rec;
    if (fs::file_size(path, ec) <= 2 * kMaxPacketSize && !ec) {
      std::ifstream in(path, std::ios::binary);
      std::vector<std::uint8_t> content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      rec = parse(Bytes(content));
    }
    if (!rec) {
      log::warn("accounting spool: {} is damaged; moved to {}.bad", path, path);
      ::rename(path.c_str(), (path + ".bad").c_str());
      continue;
    }
    rec->path = path;
    out.push_back(std::move(*rec));
  }
  return out;
}

void Spool::remove(const SpooledRecord& r) const { ::unlink(r.path.c_str()); }

std::size_t Spool::count() const {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (e.path().filename().string().ends_with(kSuffix)) ++n;
  return n;
}

}  // namespace pppoe::radius
