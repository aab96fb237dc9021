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

// Latency buckets in seconds for calls (1 ms .. 10 min).
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

// Buckets in seconds for a hire's whole way through the pipeline, retries included
// (0.25 s .. 3 days, the default retry budget).
const prometheus::Histogram::BucketBoundaries& PipelineBuckets();

}  // namespace hiresync::metrics
