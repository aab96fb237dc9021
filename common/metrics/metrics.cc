#include "common/metrics/metrics.h"

#include "prometheus/text_serializer.h"

namespace hiresync::metrics {

std::shared_ptr<prometheus::Registry> Registry() {
  static auto registry = std::make_shared<prometheus::Registry>();
  return registry;
}

std::string Serialize() {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(Registry()->Collect());
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
  return kBuckets;
}

const prometheus::Histogram::BucketBoundaries& PipelineBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86400, 3 * 86400};
  return kBuckets;
}

}  // namespace hiresync::metrics
