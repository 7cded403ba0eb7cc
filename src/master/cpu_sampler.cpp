#include "master/cpu_sampler.hpp"

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

namespace pppoe::master {

std::optional<std::uint64_t> CpuSampler::cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // Fields after the command name, which may contain blanks, start after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return utime + stime;
}

void CpuSampler::sample(double now, const std::vector<pid_t>& workers) {
  static const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::unordered_map<pid_t, std::deque<Point>> next;
  double total = 0;
  unsigned counted = 0;
  per_worker_.clear();
  for (pid_t pid : workers) {
    auto ticks = cpu_ticks(pid);
    if (!ticks) continue;
    auto& h = next[pid];
    if (auto it = history_.find(pid); it != history_.end()) h = std::move(it->second);
    h.push_back({now, *ticks});
    while (h.size() > 2 && now - h[1].t >= kWindowSeconds) h.pop_front();
    if (h.size() < 2 || h.back().t <= h.front().t) continue;
    double busy = static_cast<double>(h.back().ticks - h.front().ticks) / hz / (h.back().t - h.front().t);
    busy = std::min(1.0, std::max(0.0, busy));
    per_worker_[pid] = static_cast<unsigned>(std::lround(busy * 100));
    total += busy;
    ++counted;
  }
  history_ = std::move(next);
  usage_ = counted == 0 ? 0 : static_cast<unsigned>(std::lround(100 * total / counted));
}

unsigned CpuSampler::usage_of(pid_t pid) const {
  auto it = per_worker_.find(pid);
  return it == per_worker_.end() ? 0 : it->second;
}

}  // namespace pppoe::master
