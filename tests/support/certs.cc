#include "tests/support/certs.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/process.h"

namespace hiresync::testing {
namespace {

std::string OpensslBinary() {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = absl::StrCat(dir, "/openssl");
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "/usr/bin/openssl";
}

absl::Status Openssl(const std::string& dir, const std::vector<std::string>& args) {
  std::string log = dir + "/openssl.log";
  auto process = Process::Start(OpensslBinary(), args, {}, log);
  if (!process.ok()) return process.status();
  int code = (*process)->Wait(absl::Seconds(30));
  if (code != 0) {
    return absl::InternalError(
        absl::StrCat("openssl ", args.front(), " exited ", code, ": ", (*process)->Log()));
  }
  return absl::OkStatus();
}

// A fresh P-256 key and a certificate signing request for it.
std::vector<std::string> NewKeyArgs(const CertFiles& files) {
  return {"-newkey", "ec",      "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes",  "-keyout", files.key};
}

}  // namespace

absl::StatusOr<CertFiles> MakeCa(const std::string& dir, const std::string& name) {
  CertFiles ca{absl::StrCat(dir, "/", name, ".crt"), absl::StrCat(dir, "/", name, ".key")};
  std::vector<std::string> args = {"req", "-x509"};
  for (std::string& arg : NewKeyArgs(ca)) args.push_back(std::move(arg));
  args.insert(args.end(), {"-out", ca.cert, "-days", "2", "-subj", "/CN=" + name, "-addext",
                           "basicConstraints=critical,CA:TRUE", "-addext",
                           "keyUsage=critical,keyCertSign,cRLSign"});
  if (absl::Status s = Openssl(dir, args); !s.ok()) return s;
  return ca;
}

absl::StatusOr<CertFiles> MakeCert(const std::string& dir, const std::string& name,
                                   const CertFiles& ca, const std::string& sans) {
  static std::atomic<int> serial{1000};
  CertFiles leaf{absl::StrCat(dir, "/", name, ".crt"), absl::StrCat(dir, "/", name, ".key")};
  std::string csr = absl::StrCat(dir, "/", name, ".csr");
  std::string extensions = absl::StrCat(dir, "/", name, ".ext");
  WriteFile(extensions, absl::StrCat("subjectAltName=", sans,
                                     "\nextendedKeyUsage=serverAuth,clientAuth\n"
                                     "basicConstraints=CA:FALSE\n"
                                     "keyUsage=critical,digitalSignature,keyEncipherment\n"));
  std::vector<std::string> request = {"req", "-new"};
  for (std::string& arg : NewKeyArgs(leaf)) request.push_back(std::move(arg));
  request.insert(request.end(), {"-out", csr, "-subj", "/CN=" + name});
  if (absl::Status s = Openssl(dir, request); !s.ok()) return s;
  if (absl::Status s = Openssl(
          dir, {"x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial",
                std::to_string(serial++), "-days", "2", "-extfile", extensions, "-out", leaf.cert});
      !s.ok()) {
    return s;
  }
  return leaf;
}

absl::StatusOr<TestPki> MakeTestPki(const std::string& dir) {
  TestPki pki;
  absl::Status status = absl::OkStatus();
  auto keep = [&status](absl::StatusOr<CertFiles> made, CertFiles& into) {
    if (made.ok()) into = *made;
    if (status.ok()) status = made.status();
  };
  keep(MakeCa(dir, "ca"), pki.ca);
  keep(MakeCa(dir, "other-ca"), pki.other_ca);
  if (!status.ok()) return status;
  keep(MakeCert(dir, "server", pki.ca, kLoopbackSans), pki.server);
  keep(MakeCert(dir, "client", pki.ca, kLoopbackSans), pki.client);
  keep(MakeCert(dir, "other-client", pki.other_ca, kLoopbackSans), pki.other_client);
  if (!status.ok()) return status;
  return pki;
}

}  // namespace hiresync::testing
