#include "metrics/exposition.hpp"

#include <fmt/format.h>

#include <cmath>

namespace pppoe::metrics {

namespace {
const char* type_word(Type t, Format f) {
  switch (t) {
    case Type::kCounter: return "counter";
    case Type::kHistogram: return "histogram";
    case Type::kInfo: return f == Format::kOpenMetrics ? "info" : "gauge";
    case Type::kGauge: break;
  }
  return "gauge";
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<std::int64_t>(v));
  return fmt::format("{}", v);
}
}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

const char* Exposition::content_type(Format f) {
  return f == Format::kOpenMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                   : "text/plain; version=0.0.4; charset=utf-8";
}

void Exposition::family(std::string_view name, Type type, std::string_view help) {
  name_ = name;
  type_ = type;
  // The info type is OpenMetrics' own; Prometheus text shows it as a gauge named `_info`.
  std::string family = type == Type::kInfo && format_ == Format::kPrometheus ? name_ + "_info" : name_;
  if (type == Type::kCounter && format_ == Format::kPrometheus) family += "_total";
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family, help, family, type_word(type, format_));
}

void Exposition::write_labels(Labels labels, std::string_view extra_name, std::string_view extra_value) {
  if (labels.size() == 0 && extra_name.empty()) return;
  out_ += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out_ += ',';
    first = false;
    out_ += fmt::format("{}=\"{}\"", k, escape_label(v));
  }
  if (!extra_name.empty()) out_ += fmt::format("{}{}=\"{}\"", first ? "" : ",", extra_name, extra_value);
  out_ += '}';
}

void Exposition::sample(Labels labels, double value, std::string_view suffix) {
  out_ += name_;
  if (type_ == Type::kCounter) out_ += "_total";
  if (type_ == Type::kInfo) out_ += "_info";
  out_ += suffix;
  write_labels(labels);
  out_ += ' ';
  out_ += number(value);
  out_ += '\n';
}

void Exposition::histogram(Labels labels, const std::uint64_t* counts, const double* bounds, std::size_t n_bounds,
                           double sum) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= n_bounds; ++i) {
    cumulative += counts[i];
    out_ += name_ + "_bucket";
    write_labels(labels, "le", i < n_bounds ? number(bounds[i]) : "+Inf");
    out_ += fmt::format(" {}\n", cumulative);
  }
  out_ += name_ + "_sum";
  write_labels(labels);
  out_ += ' ' + number(sum) + '\n';
  out_ += name_ + "_count";
  write_labels(labels);
  out_ += fmt::format(" {}\n", cumulative);
}

std::string Exposition::finish() {
  if (format_ == Format::kOpenMetrics) out_ += "# EOF\n";
  return std::move(out_);
}

}  // namespace pppoe::metrics
