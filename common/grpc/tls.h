// mTLS between the services: gRPC server and channel credentials from mounted PEM files,
// re-read when they change (a Kubernetes Secret update swaps a symlink).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace grpc::experimental {
class FileWatcherCertificateProvider;
}

namespace hiresync::grpcutil {

struct TlsFiles {
  std::string cert_file;  // this service's certificate (chain), PEM
  std::string key_file;   // its private key, PEM
  std::string ca_file;    // the CA(s) that sign every service's certificate, PEM
};

struct TlsOptions {
  TlsFiles files;
  // How often the files are checked for changes.
  absl::Duration refresh = absl::Seconds(60);
  // The name channels expect in the server's certificate; empty: the target's host.
  std::string server_name;
};

// Reads the three files as they are now: each readable PEM, the key matching the
// certificate, the certificate signed by the CA and not expired. The error names the file
// and what to fix.
absl::Status CheckTlsFiles(const TlsFiles& files);

// One set of certificate files shared by a process's gRPC server and channels.
class Tls {
 public:
  // Checks the files (CheckTlsFiles) and starts watching them.
  static absl::StatusOr<std::shared_ptr<const Tls>> Create(TlsOptions options);

  // Requires a client certificate signed by the CA.
  std::shared_ptr<grpc::ServerCredentials> ServerCredentials() const;
  // Presents the certificate and verifies the server's against the CA and its name.
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() const;
  const TlsOptions& options() const { return options_; }

 private:
  explicit Tls(TlsOptions options);

  TlsOptions options_;
  std::shared_ptr<grpc::experimental::FileWatcherCertificateProvider> provider_;
};

}  // namespace hiresync::grpcutil
