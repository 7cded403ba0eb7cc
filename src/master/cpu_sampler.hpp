// cpu_usage of the governor (net.graph.pppoe_lb.governor.cpu_usage), computed as:
//
//   for each live worker w:  busy_w = (utime + stime ticks now - ticks 5 s ago) / (CLK_TCK * 5 s)
//   cpu_usage               = 100 * average of busy_w over the live workers, rounded
//
// i.e. how busy the average worker process was over the last 5 seconds (the seed's "monitors
// CPU every 5 seconds"). A worker is single-threaded, so its share is at most 100 %. Workers
// younger than the window are measured over their lifetime. Read from /proc/PID/stat.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

namespace pppoe::master {

class CpuSampler {
 public:
  static constexpr double kWindowSeconds = 5.0;

  /// Records one sample per worker; `now` in seconds (monotonic).
  void sample(double now, const std::vector<pid_t>& workers);
  [[nodiscard]] unsigned usage() const { return usage_; }
  /// Busy share of one worker in percent over the window.
  [[nodiscard]] unsigned usage_of(pid_t pid) const;

  /// utime + stime of `pid` in clock ticks.
  static std::optional<std::uint64_t> cpu_ticks(pid_t pid);

 private:
  struct Point {
    double t;
    std::uint64_t ticks;
  };
  std::unordered_map<pid_t, std::deque<Point>> history_;
  std::unordered_map<pid_t, unsigned> per_worker_;
  unsigned usage_ = 0;
};

}  // namespace pppoe::master
