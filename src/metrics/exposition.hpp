// The Prometheus text exposition format (version 0.0.4) and OpenMetrics 1.0 text, written
// family by family. Counter families are named without `_total` and their samples with it
// (both formats accept that); label values are escaped; OpenMetrics ends with "# EOF".
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace pppoe::metrics {

enum class Format : std::uint8_t { kPrometheus, kOpenMetrics };
enum class Type : std::uint8_t { kCounter, kGauge, kHistogram, kInfo };

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Exposition {
 public:
  explicit Exposition(Format format) : format_(format) {}
  /// Starts a family: `# HELP` and `# TYPE` lines. `name` without `_total`.
  void family(std::string_view name, Type type, std::string_view help);
  /// A sample of the current family: counters get `_total`, info gets `_info`; `suffix` adds
  /// to the name (a histogram's `_bucket`, `_sum`, `_count`).
  void sample(Labels labels, double value, std::string_view suffix = {});
  void sample(double value) { sample({}, value); }
  /// A histogram from per-bucket counts (not cumulative) and their upper bounds; the last
  /// count is the bucket above every bound.
  void histogram(Labels labels, const std::uint64_t* counts, const double* bounds, std::size_t n_bounds, double sum);
  /// The text; OpenMetrics gets its "# EOF".
  std::string finish();
  static const char* content_type(Format f);

 private:
  void write_labels(Labels labels, std::string_view extra_name = {}, std::string_view extra_value = {});
  Format format_;
  Type type_ = Type::kGauge;
  std::string name_;
  std::string out_;
};

/// Prometheus label value escaping: backslash, double quote and newline.
std::string escape_label(std::string_view value);

}  // namespace pppoe::metrics
