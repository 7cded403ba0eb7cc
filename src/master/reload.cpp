// Server: reload without dropping anyone (operator guide "Reload"). The master reads and checks
// the files, applies the live settings to itself, and leaves the texts in a snapshot from
// which every worker builds the same configuration (worker/worker_reload.hpp).
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>

#include "common/join.hpp"
#include "common/log.hpp"
#include "master/aaa_settings.hpp"
#include "master/config_reload.hpp"
#include "master/pool_reload.hpp"
#include "master/server.hpp"

namespace pppoe::master {

namespace {
constexpr auto kReloadWait = seconds(10);

std::string names_or_none(const std::vector<std::string>& names) {
  return names.empty() ? std::string("none") : join(names, ", ");
}
}  // namespace

void Server::watch_fd(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
}

std::string Server::status_line() const {
  std::size_t total = pool_.session_count(), up = pool_.up_count();
  return fmt::format("{} sessions up, {} negotiating; {} workers", up, total - up, pool_.current_workers());
}

ctl::Json Server::reload(std::string_view why) {
  notify_.reloading();
  // READY=1 again however the reload ends: systemd waits for it after RELOADING=1.
  struct Ready {
    const Server& s;
    ~Ready() { s.notify_.ready(s.status_line()); }
  } ready{*this};
  auto read = read_config(options_.source);
  if (!read) {
    log::error("reload ({}): {}; nothing changed", why, read.error());
    return {{"ok", false}, {"error", read.error() + "; nothing changed"}};
  }
  auto& [texts, next] = *read;
  // The workers follow through the snapshot: without it nothing may change anywhere.
  if (auto r = write_snapshot(config_.reload_snapshot_path(), texts); !r) {
    log::error("reload ({}): {}; nothing changed", why, r.error());
    return {{"ok", false}, {"error", r.error() + "; nothing changed"}};
  }
  std::vector<std::pair<Ipv4Address, int>> routes_before = pool_routes(config_);
  ReloadReport report = apply_live(config_, lines_, next.config, next.lines, pool_change(shared_.pool, config_.local_ip));
  if (report.pools_changed && config_.tun_configure) add_pool_routes(routes_before, why);
  std::size_t users_before = secrets_.size();
  secrets_ = std::move(next.secrets);
  shared_.settings().ppp_control_rate.store(config_.ppp_control_rate, std::memory_order_relaxed);
  log::set_level(config_.log_level);
  log::use_syslog(config_.log_syslog);
  if (report.radius_changed && aaa_) {
    radius::AaaSettings as = aaa_settings(config_, socket_.mac());
    as.auth_servers.clear();  // the master only accounts
    std::vector<int> before = aaa_->fds();
    if (auto r = aaa_->reconfigure(std::move(as)); !r)
      log::error("reload ({}): RADIUS accounting keeps its servers: {}", why, r.error());
    for (int fd : aaa_->fds())
      if (std::find(before.begin(), before.end(), fd) == before.end()) watch_fd(fd);
  }
  ++reload_.generation;
  reload_.waiting = pool_.reload_workers(reload_.generation);
  reload_.failed = 0;
  reload_.started = Clock::now();
  reload_.last_unix = std::time(nullptr);
  if (reload_.waiting == 0) ::unlink(config_.reload_snapshot_path().c_str());
  log::info("reload {} ({}): {} local users (were {}); applied: {}", reload_.generation, why, secrets_.size(), users_before,
            names_or_none(report.applied));
  if (!report.need_restart.empty())
    log::warn("reload {}: changed but not applied, a restart applies them (running as before): {}{}{}",
              reload_.generation, join(report.need_restart, ", "), report.why.empty() ? "" : "; ", join(report.why, "; "));
  return {{"ok", true},
          {"generation", reload_.generation},
          {"applied", report.applied},
          {"need_restart", report.need_restart},
          {"why", report.why},
          {"users", secrets_.size()},
          {"workers", reload_.waiting}};
}

void Server::add_pool_routes(const std::vector<std::pair<Ipv4Address, int>>& before, std::string_view why) {
  // Routes of addresses that left a pool never exist (a pool only grows); old routes that the
  // new ranges cover with other prefixes stay, pointing at the same TUN.
  for (const auto& route : pool_routes(config_)) {
    if (std::find(before.begin(), before.end(), route) != before.end()) continue;
    if (auto r = routed_.net().add_route(route.first, route.second); !r)
      log::error("reload ({}): route {}/{} to {}: {}; the new addresses get no traffic from the kernel", why,
                 route.first.to_string(), route.second, config_.tun_name, r.error());
  }
}

void Server::on_worker_reloaded(unsigned slot, std::uint32_t generation, bool ok) {
  if (generation != reload_.generation || reload_.waiting == 0) return;  // an earlier reload's answer
  --reload_.waiting;
  if (!ok) {
    ++reload_.failed;
    log::error("reload {}: worker {} could not apply it (its log says why)", generation, slot);
  }
  if (reload_.waiting == 0) {
    ::unlink(config_.reload_snapshot_path().c_str());
    log::info("reload {}: applied by the workers ({} failed)", generation, reload_.failed);
  }
}

void Server::finish_reload(TimePoint now) {
  if (reload_.waiting == 0 || now - reload_.started < kReloadWait) return;
  log::warn("reload {}: {} workers did not answer in {} s", reload_.generation, reload_.waiting,
            std::chrono::duration_cast<std::chrono::seconds>(kReloadWait).count());
  reload_.waiting = 0;
  ::unlink(config_.reload_snapshot_path().c_str());
}

}  // namespace pppoe::master
