#include "common/grpc/tls.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"

namespace hiresync::grpcutil {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

absl::StatusOr<std::string> Read(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  if (in) contents << in.rdbuf();
  if (!in || contents.str().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--", flag, " ", path,
                     " cannot be read or is empty: mount the TLS Secret there, or fix the path"));
  }
  return contents.str();
}

// Every certificate in a PEM text.
std::vector<X509Ptr> Certificates(const std::string& pem) {
  std::vector<X509Ptr> certificates;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    certificates.emplace_back(cert);
  }
  BIO_free(bio);
  ERR_clear_error();
  return certificates;
}

}  // namespace

absl::Status CheckTlsFiles(const TlsFiles& files) {
  auto cert_pem = Read(files.cert_file, "tls_cert_file");
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = Read(files.key_file, "tls_key_file");
  if (!key_pem.ok()) return key_pem.status();
  auto ca_pem = Read(files.ca_file, "tls_ca_file");
  if (!ca_pem.ok()) return ca_pem.status();

  std::vector<X509Ptr> chain = Certificates(*cert_pem);
  if (chain.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--tls_cert_file ", files.cert_file,
        " holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the service's certificate"));
  }
  std::vector<X509Ptr> authorities = Certificates(*ca_pem);
  if (authorities.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--tls_ca_file ", files.ca_file,
                     " holds no PEM certificate: give the CA certificate that signs the services' "
                     "certificates"));
  }
  BIO* bio = BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size()));
  std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  ERR_clear_error();
  if (!key) {
    return absl::FailedPreconditionError(
        absl::StrCat("--tls_key_file ", files.key_file,
                     " holds no unencrypted PEM private key: give the key of --tls_cert_file"));
  }
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(
        absl::StrCat("--tls_key_file ", files.key_file, " is not the key of --tls_cert_file ",
                     files.cert_file, ": give the certificate and key issued together"));
  }

  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  for (const X509Ptr& authority : authorities) X509_STORE_add_cert(store.get(), authority.get());
  std::unique_ptr<STACK_OF(X509), StackFree> intermediates(sk_X509_new_null());
  for (size_t i = 1; i < chain.size(); ++i) sk_X509_push(intermediates.get(), chain[i].get());
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), chain.front().get(), intermediates.get());
  if (X509_verify_cert(context.get()) != 1) {
    int error = X509_STORE_CTX_get_error(context.get());
    ERR_clear_error();
    return absl::FailedPreconditionError(
        absl::StrCat("--tls_cert_file ", files.cert_file, " does not verify against --tls_ca_file ",
                     files.ca_file, " (", X509_verify_cert_error_string(error),
                     "): issue the certificate from that CA, or renew it if it expired"));
  }
  return absl::OkStatus();
}

Tls::Tls(TlsOptions options)
    : options_(std::move(options)),
      provider_(std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          options_.files.key_file, options_.files.cert_file, options_.files.ca_file,
          static_cast<unsigned int>(
              std::max<int64_t>(1, absl::ToInt64Seconds(options_.refresh))))) {}

absl::StatusOr<std::shared_ptr<const Tls>> Tls::Create(TlsOptions options) {
  if (absl::Status checked = CheckTlsFiles(options.files); !checked.ok()) return checked;
  return std::shared_ptr<const Tls>(new Tls(std::move(options)));
}

std::shared_ptr<grpc::ServerCredentials> Tls::ServerCredentials() const {
  grpc::experimental::TlsServerCredentialsOptions options(provider_);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> Tls::ChannelCredentials() const {
  // Without a verifier set, gRPC checks the server's certificate against the target's
  // host (or GRPC_SSL_TARGET_NAME_OVERRIDE_ARG).
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider_);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace hiresync::grpcutil
