// Restart and upgrade without dropping sessions (operator guide "High availability"): SIGUSR2
// makes pppoed write its sessions to the state file (state_file.hpp) and exit without ending
// them; the next pppoed on the interface reads the file at start and continues them in its own
// workers, as a crashed worker's replacement does. SIGTERM still ends every session.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.hpp"
#include "master/server.hpp"
#include "master/state_file.hpp"

namespace pppoe::master {
namespace {

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The state file's directory, made if missing (mode 0700: the file names users).
void make_parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return;
  std::string dir = path.substr(0, slash);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) log::warn("{}: {}", dir, std::strerror(errno));
}

}  // namespace

bool Server::hand_over_sessions() {
  auto records = pool_.hand_over_all(seconds(5));
  StateFile f;
  f.interface = config_.interface;
  f.ac_mac = socket_.mac();
  for (const auto& r : records)
    f.sessions.push_back({r,
                          {shared_.downstream[r.session_id].packets.load(std::memory_order_relaxed),
                           shared_.downstream[r.session_id].bytes.load(std::memory_order_relaxed)}});
  const std::string path = config_.state_file_path();
  make_parent_dir(path);
  f.written_unix_ms = now_unix_ms();
  if (auto w = write_state_file(path, f); !w) {
    log::error("handover: {}; ending the {} sessions instead", w.error(), records.size());
    for (const auto& r : records) pool_.end_from_record(r, "handover failed");
    return false;
  }
  log::info("handed over {} sessions in {}: the next pppoed on {} continues them", records.size(), path,
            config_.interface);
  return true;
}

std::size_t Server::resume_sessions() {
  const std::string path = config_.state_file_path();
  make_parent_dir(path);
  auto bytes = read_file_bytes(path);
  if (!bytes) {
    log::error("state file {}", bytes.error());
    return 0;
  }
  if (bytes->empty()) return 0;
  // Consumed whatever happens next: a second start must never continue the same sessions.
  if (::unlink(path.c_str()) != 0) log::warn("{}: {}", path, std::strerror(errno));
  auto file = decode_state_file(*bytes);
  if (!file) {
    log::error("state file {} refused: {}; its sessions cannot be read, not even to end them (their clients "
               "will find out by their keep-alive)",
               path, file.error());
    return 0;
  }
  if (file->interface != config_.interface || file->ac_mac != socket_.mac()) {
    log::error("state file {} is for {} ({}), not for {} ({}): refused", path, file->interface,
               file->ac_mac.to_string(), config_.interface, socket_.mac().to_string());
    return 0;
  }
  const std::int64_t age_ms = now_unix_ms() - file->written_unix_ms;
  std::string why;
  if (!file->continuable)
    why = fmt::format("format version {} is not this pppoed's ({}): an upgrade that changed the session record",
                      file->format_version, kStateFormatVersion);
  else if (age_ms > std::int64_t{config_.state_max_age} * 1000 || age_ms < -5000)
    why = fmt::format("written {} ms ago, state-max-age is {} s", age_ms, config_.state_max_age);
  for (const auto& s : file->sessions) {
    shared_.downstream[s.record.session_id].packets = s.downstream.packets;
    shared_.downstream[s.record.session_id].bytes = s.downstream.bytes;
  }
  if (!why.empty()) {
    log::error("state file {}: {}; ending its {} sessions properly (PADT, accounting Stop) instead of continuing them",
               path, why, file->sessions.size());
    for (const auto& s : file->sessions) pool_.end_from_record(s.record, "not continued after a restart");
    socket_.flush();
    return 0;
  }
  std::size_t continued = 0, ended = 0;
  for (const auto& s : file->sessions) {
    if (standby_ && standby_->role() != sync::StandbyRole::kMaster) {
      // A standby pair's BACKUP that was MASTER before the restart: the peer has taken over
      // meanwhile (or will, or gives them back): held, not run.
      standby_->hold(s.record, s.downstream.packets, s.downstream.bytes);
      continue;
    }
    if (auto r = pool_.resume_session(s.record, s.downstream.packets, s.downstream.bytes); r) {
      ++continued;
    } else {
      ++ended;
      log::warn("state file: session {} not continued: {}", s.record.session_id, r.error());
      pool_.end_from_record(s.record, "not continued after a restart");
    }
  }
  pool_.forget_taken_ids();
  socket_.flush();
  pool_.flush_channels();
  log::info("continued {} sessions handed over by the previous pppoed {} ms ago ({} ended)", continued, age_ms, ended);
  return continued;
}

}  // namespace pppoe::master
