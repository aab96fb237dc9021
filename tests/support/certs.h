// Test certificates made by the `openssl` command at test time: CAs and certificates
// signed by them (server and client auth, with subjectAltNames).
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace hiresync::testing {

struct CertFiles {
  std::string cert;  // PEM certificate
  std::string key;   // PEM private key (unencrypted)
};

// A self-signed CA, files `dir`/`name`.crt and .key.
absl::StatusOr<CertFiles> MakeCa(const std::string& dir, const std::string& name);

// A certificate for `sans` (e.g. "DNS:localhost,IP:127.0.0.1") signed by `ca`, good for
// both server and client auth; files `dir`/`name`.crt and .key (overwritten if present).
absl::StatusOr<CertFiles> MakeCert(const std::string& dir, const std::string& name,
                                   const CertFiles& ca, const std::string& sans);

// A CA, a server and a client certificate from it, and a second CA (that nothing trusts)
// with a client certificate of its own. Both leaves carry DNS:localhost and IP:127.0.0.1.
struct TestPki {
  CertFiles ca, server, client, other_ca, other_client;
};
absl::StatusOr<TestPki> MakeTestPki(const std::string& dir);

inline constexpr char kLoopbackSans[] = "DNS:localhost,IP:127.0.0.1";

}  // namespace hiresync::testing
