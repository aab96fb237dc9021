// The files the sandbox serves at presigned URLs, kept in memory.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hiresync::greenhouse_sandbox {

struct AttachmentInfo {
  std::string name;
  size_t size_bytes = 0;
  std::string sha256;
  int64_t downloads = 0;
};

class AttachmentStore {
 public:
  // Stores (or replaces) `name`; a replaced file's download count starts again at 0.
  AttachmentInfo Put(const std::string& name, std::string bytes);
  bool Contains(const std::string& name) const;
  // The bytes of `name`, counting one download; nullptr when unknown.
  std::shared_ptr<const std::string> Download(const std::string& name);
  std::vector<AttachmentInfo> List() const;
  void Clear();

 private:
  struct Entry {
    std::shared_ptr<const std::string> bytes;
    AttachmentInfo info;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace hiresync::greenhouse_sandbox
