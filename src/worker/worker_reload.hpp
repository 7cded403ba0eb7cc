// A worker's side of a reload (master/config_reload.hpp): the master has read and checked the
// files and left their texts in a snapshot; the worker builds the same configuration from it
// and applies the same live settings to its copy, so that its new sessions see them.
#pragma once

#include <cstdint>

#include "common/mac.hpp"
#include "radius/aaa.hpp"
#include "worker/worker_process.hpp"

namespace pppoe::worker {

/// Applies reload `generation`; false (and a log line saying why) if the snapshot could not be
/// read or built, in which case nothing changed.
bool apply_reload(const WorkerProcessArgs& args, radius::Aaa& aaa, const MacAddress& mac, std::uint32_t generation);

}  // namespace pppoe::worker
