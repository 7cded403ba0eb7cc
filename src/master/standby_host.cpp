// The master's side of the standby pair (standby.hpp): muting, takeover and step-down through
// the worker pool, the split-brain partition of session IDs and pools.
#include "common/log.hpp"
#include "master/server.hpp"

namespace pppoe::master {

void Server::set_silent(bool silent) { shared_.settings().silent.store(silent ? 1 : 0, std::memory_order_relaxed); }

std::size_t Server::take_over(const std::vector<sync::SyncedSession>& sessions) {
  set_silent(false);
  pool_.stop_releasing();
  std::size_t continued = 0;
  for (const auto& s : sessions) {
    if (auto r = pool_.resume_session(s.record, s.down_packets, s.down_bytes); r) {
      ++continued;
    } else {
      log::warn("standby: session {} not continued: {}", s.record.session_id, r.error());
      // Ended properly (PADT to its client, accounting Stop), unless the ID runs here for the
      // same client: a PADT would end that session too; the old one gets its Stop only.
      if (pool_.runs_for(s.record.session_id, s.record.client_mac))
        stop_lost_session(s.record);
      else
        pool_.end_from_record(s.record, "not continued after a takeover");
    }
  }
  pool_.forget_taken_ids();
  socket_.flush();
  pool_.flush_channels();
  return continued;
}

std::expected<void, std::string> Server::open_standby(TimePoint now) {
  if (!config_.standby.enabled()) return {};
  Standby::Host host;
  host.take_over = [this](const std::vector<sync::SyncedSession>& s) { return take_over(s); };
  host.step_down = [this] {
    set_silent(true);
    pool_.release_all();
  };
  host.partition = [this](bool partitioned) {
    const bool side_a = config_.standby.side == 'a';
    std::optional<std::pair<std::uint16_t, std::uint16_t>> ids;
    if (partitioned) ids = side_a ? std::pair<std::uint16_t, std::uint16_t>{1, 32767} : std::pair<std::uint16_t, std::uint16_t>{32768, 65534};
    pool_.restrict_ids(ids);
    auto part = !partitioned ? dataplane::PoolPart::kWhole : side_a ? dataplane::PoolPart::kLower : dataplane::PoolPart::kUpper;
    shared_.settings().pool_part.store(static_cast<std::uint32_t>(part), std::memory_order_relaxed);
  };
  host.owns = [this](std::uint16_t sid) { return pool_.has_session(sid); };
  host.runs_for = [this](std::uint16_t sid, const MacAddress& mac) { return pool_.runs_for(sid, mac); };
  auto s = Standby::open(config_, socket_.mac(), shared_, std::move(host), now);
  if (!s) return std::unexpected(s.error());
  standby_ = std::move(*s);
  pool_.on_released = [this](const dataplane::SessionRecord& r, std::uint64_t packets, std::uint64_t bytes) {
    standby_->hold(r, packets, bytes);
  };
  return {};
}

}  // namespace pppoe::master
