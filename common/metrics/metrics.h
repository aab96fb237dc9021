// The process's one metrics owner: the prometheus-cpp registry and the families
// every service shares. Families are built once; children are added per label set
// and kept by the caller (Family::Add is slow).
#pragma once

#include <memory>
#include <string>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace hiresync::metrics {

// The process-wide registry.
std::shared_ptr<prometheus::Registry> Registry();

// Prometheus text exposition of everything in Registry().
std::string Serialize();

// Latency buckets in seconds for calls and end-to-end times (5 ms .. 10 min).
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

}  // namespace hiresync::metrics
