#include "tests/sandboxes/greenhouse/attachment_store.h"

#include "tests/sandboxes/greenhouse/signing.h"

namespace hiresync::greenhouse_sandbox {

AttachmentInfo AttachmentStore::Put(const std::string& name, std::string bytes) {
  AttachmentInfo info{name, bytes.size(), Sha256Hex(bytes), 0};
  auto shared = std::make_shared<const std::string>(std::move(bytes));
  std::lock_guard lock(mu_);
  entries_[name] = Entry{std::move(shared), info};
  return info;
}

bool AttachmentStore::Contains(const std::string& name) const {
  std::lock_guard lock(mu_);
  return entries_.count(name) > 0;
}

std::shared_ptr<const std::string> AttachmentStore::Download(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return nullptr;
  ++it->second.info.downloads;
  return it->second.bytes;
}

std::vector<AttachmentInfo> AttachmentStore::List() const {
  std::lock_guard lock(mu_);
  std::vector<AttachmentInfo> out;
  out.reserve(entries_.size());
  for (const auto& [name, entry] : entries_) out.push_back(entry.info);
  return out;
}

void AttachmentStore::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

}  // namespace hiresync::greenhouse_sandbox
