// The body of a worker process, run in the child right after the master forks it.
#pragma once

#include <cstdint>

#include "dataplane/bpf_dispatch.hpp"
#include "dataplane/fast_path.hpp"
#include "dataplane/l2tp_dispatch.hpp"
#include "dataplane/shared_state.hpp"
#include "master/config.hpp"
#include "master/config_source.hpp"
#include "session/secrets.hpp"

namespace pppoe::worker {

struct WorkerProcessArgs {
  /// The master's objects in this process's copy of its memory: a reload changes them here.
  master::Config& config;
  dataplane::SharedState& shared;
  const dataplane::SessionDispatchMap& dispatch;
  const std::vector<dataplane::L2tpDispatch>& l2tp_dispatch;  ///< LAC: one per tunnel source
  session::LocalSecrets& secrets;
  master::SettingLines& lines;           ///< what the running configuration's settings were given
  const master::ConfigSource& source;    ///< the command-line overrides a reload applies again
  std::uint8_t slot;
  int channel_fd;  ///< our end of the socketpair with the master
  dataplane::FastPath* fast_path;  ///< the kernel fast path's maps (null: none)
};

/// Opens the worker's own packet socket (with its dispatch filter) and TUN queue, serves its
/// sessions until told to stop or the master goes away, and exits the process. Never returns.
[[noreturn]] void run_worker_process(const WorkerProcessArgs& args);

}  // namespace pppoe::worker
