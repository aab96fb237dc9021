// A counter family's children, added once per label set and kept: prometheus-cpp's
// Family::Add looks the labels up under a lock on every call, so hot paths keep them.
#pragma once

#include <map>
#include <mutex>

#include "prometheus/counter.h"
#include "prometheus/family.h"

namespace hiresync::metrics {

class CounterChildren {
 public:
  explicit CounterChildren(prometheus::Family<prometheus::Counter>& family) : family_(family) {}

  prometheus::Counter& Get(const prometheus::Labels& labels) {
    std::lock_guard<std::mutex> lock(mu_);
    prometheus::Counter*& child = children_[labels];
    if (child == nullptr) child = &family_.Add(labels);
    return *child;
  }
  void Increment(const prometheus::Labels& labels) { Get(labels).Increment(); }

 private:
  prometheus::Family<prometheus::Counter>& family_;
  std::mutex mu_;
  std::map<prometheus::Labels, prometheus::Counter*> children_;
};

}  // namespace hiresync::metrics
