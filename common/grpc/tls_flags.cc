#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc/flags.h"

ABSL_FLAG(std::string, tls_cert_file, "",
          "This service's certificate (PEM, e.g. /etc/hiresync/tls/tls.crt). With "
          "--tls_key_file and --tls_ca_file: gRPC uses mTLS (the server requires client "
          "certificates signed by the CA, channels present this one). All three unset: plaintext.");
ABSL_FLAG(std::string, tls_key_file, "", "The private key of --tls_cert_file (PEM, tls.key).");
ABSL_FLAG(std::string, tls_ca_file, "",
          "The CA certificate(s) that sign every hiresync service's certificate (PEM, ca.crt).");
ABSL_FLAG(int, tls_refresh_seconds, 60,
          "How often the --tls_* files are checked for changes (a renewed certificate is used "
          "for new connections without a restart).");
ABSL_FLAG(std::string, tls_server_name, "",
          "Outgoing gRPC channels (ingress to mapper/writer/notes): the name expected in the "
          "servers' certificates; empty: the host of each target (e.g. hiresync-mapper).");

namespace hiresync::grpcutil {

absl::StatusOr<std::shared_ptr<const Tls>> TlsFromFlags() {
  TlsOptions options;
  options.files = {absl::GetFlag(FLAGS_tls_cert_file), absl::GetFlag(FLAGS_tls_key_file),
                   absl::GetFlag(FLAGS_tls_ca_file)};
  std::vector<std::string> missing;
  if (options.files.cert_file.empty()) missing.push_back("--tls_cert_file");
  if (options.files.key_file.empty()) missing.push_back("--tls_key_file");
  if (options.files.ca_file.empty()) missing.push_back("--tls_ca_file");
  if (missing.size() == 3) return std::shared_ptr<const Tls>();
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mTLS needs --tls_cert_file, --tls_key_file and --tls_ca_file together, but ",
        absl::StrJoin(missing, " and "), missing.size() == 1 ? " is" : " are",
        " not set: give all three (the service's certificate, its key and the CA), or none "
        "for plaintext gRPC"));
  }
  int refresh = absl::GetFlag(FLAGS_tls_refresh_seconds);
  if (refresh < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_refresh_seconds=", refresh, " must be 1 or more"));
  }
  options.refresh = absl::Seconds(refresh);
  options.server_name = absl::GetFlag(FLAGS_tls_server_name);
  return Tls::Create(std::move(options));
}

}  // namespace hiresync::grpcutil
