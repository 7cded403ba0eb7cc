#include "metrics/exposition.hpp"

#include <gtest/gtest.h>

namespace pppoe::metrics {
namespace {

TEST(Exposition, PrometheusTextWithCountersGaugesInfoAndEscapedLabels) {
  Exposition m(Format::kPrometheus);
  m.family("pppoed_sessions_ended", Type::kCounter, "Sessions ended, by cause.");
  m.sample({{"cause", "peer \"padt\"\\x\n"}}, 3);
  m.family("pppoed_sessions", Type::kGauge, "Sessions.");
  m.sample(0.25);
  m.family("pppoed_build", Type::kInfo, "Version.");
  m.sample({{"version", "0.1.0"}}, 1);
  EXPECT_EQ(m.finish(),
            "# HELP pppoed_sessions_ended_total Sessions ended, by cause.\n"
            "# TYPE pppoed_sessions_ended_total counter\n"
            "pppoed_sessions_ended_total{cause=\"peer \\\"padt\\\"\\\\x\\n\"} 3\n"
            "# HELP pppoed_sessions Sessions.\n"
            "# TYPE pppoed_sessions gauge\n"
            "pppoed_sessions 0.25\n"
            "# HELP pppoed_build_info Version.\n"
            "# TYPE pppoed_build_info gauge\n"
            "pppoed_build_info{version=\"0.1.0\"} 1\n");
}

TEST(Exposition, OpenMetricsNamesCounterFamiliesWithoutTotalAndEnds) {
  Exposition m(Format::kOpenMetrics);
  m.family("pppoed_reloads", Type::kCounter, "Reloads.");
  m.sample(2);
  m.family("pppoed_build", Type::kInfo, "Version.");
  m.sample({{"version", "1"}}, 1);
  EXPECT_EQ(m.finish(),
            "# HELP pppoed_reloads Reloads.\n# TYPE pppoed_reloads counter\npppoed_reloads_total 2\n"
            "# HELP pppoed_build Version.\n# TYPE pppoed_build info\npppoed_build_info{version=\"1\"} 1\n# EOF\n");
  EXPECT_STREQ(Exposition::content_type(Format::kOpenMetrics), "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

TEST(Exposition, HistogramBucketsAreCumulativeWithInfAndCount) {
  Exposition m(Format::kPrometheus);
  m.family("pppoed_radius_server_latency_seconds", Type::kHistogram, "Latency.");
  const std::uint64_t counts[] = {2, 0, 3};
  const double bounds[] = {0.005, 0.1};
  m.histogram({{"server", "a"}}, counts, bounds, 2, 0.75);
  std::string text = m.finish();
  EXPECT_NE(text.find("pppoed_radius_server_latency_seconds_bucket{server=\"a\",le=\"0.005\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pppoed_radius_server_latency_seconds_bucket{server=\"a\",le=\"0.1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("pppoed_radius_server_latency_seconds_bucket{server=\"a\",le=\"+Inf\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("pppoed_radius_server_latency_seconds_sum{server=\"a\"} 0.75\n"), std::string::npos);
  EXPECT_NE(text.find("pppoed_radius_server_latency_seconds_count{server=\"a\"} 5\n"), std::string::npos);
}

}  // namespace
}  // namespace pppoe::metrics
