#include "worker/worker_reload.hpp"

#include "common/log.hpp"
#include "master/aaa_settings.hpp"
#include "master/config_reload.hpp"
#include "master/config_source.hpp"
#include "master/pool_reload.hpp"

namespace pppoe::worker {

bool apply_reload(const WorkerProcessArgs& args, radius::Aaa& aaa, const MacAddress& mac, std::uint32_t generation) {
  auto texts = master::read_snapshot(args.config.reload_snapshot_path());
  if (!texts) {
    log::error("worker {}: reload {}: {}", args.slot, generation, texts.error());
    return false;
  }
  auto next = master::build_config(args.source, *texts);
  if (!next) {  // the master built it from the same texts: only a bug gets here
    log::error("worker {}: reload {}: {}", args.slot, generation, next.error());
    return false;
  }
  // The same settings as in the master: both start from the same lines and texts.
  master::ReloadReport report = master::apply_live(args.config, args.lines, next->config, next->lines,
                                                   master::pool_change(args.shared.pool, args.config.local_ip));
  if (report.radius_changed)
    if (auto r = aaa.reconfigure(master::aaa_settings(args.config, mac)); !r) {
      log::error("worker {}: reload {}: RADIUS: {}", args.slot, generation, r.error());
      return false;
    }
  args.secrets = std::move(next->secrets);  // the RADIUS client's fallback reads the same object
  log::set_level(args.config.log_level);
  log::use_syslog(args.config.log_syslog);
  log::debug("worker {}: reload {} applied ({} settings, {} local users)", args.slot, generation, report.applied.size(),
             args.secrets.size());
  return true;
}

}  // namespace pppoe::worker
