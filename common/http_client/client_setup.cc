#include "common/http_client/client_setup.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace hiresync::http_client {
namespace {

std::chrono::microseconds Micros(absl::Duration duration) {
  return std::chrono::microseconds(absl::ToInt64Microseconds(duration));
}

std::string TrustedBy(const std::string& ca_bundle) {
  return ca_bundle.empty() ? "the system's trust store" : absl::StrCat("--ca_bundle ", ca_bundle);
}

}  // namespace

void ConfigureClient(httplib::Client& client, const Timeouts& timeouts) {
  client.set_connection_timeout(Micros(timeouts.connect));
  client.set_read_timeout(Micros(timeouts.read));
  client.set_write_timeout(Micros(timeouts.write));
  client.set_url_encode(false);
}

void VerifyServer(httplib::Client& client, const std::string& ca_bundle) {
  client.enable_server_certificate_verification(true);
  if (!ca_bundle.empty()) client.set_ca_cert_path(ca_bundle);
}

absl::Status CheckCaBundle(const std::string& ca_bundle) {
  if (ca_bundle.empty()) return absl::OkStatus();
  BIO* bio = BIO_new_file(ca_bundle.c_str(), "r");
  if (bio == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--ca_bundle ", ca_bundle,
        " cannot be read: give a PEM file of CA certificates, or leave it empty for the system's "
        "trust store"));
  }
  X509* first = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (first == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("--ca_bundle ", ca_bundle,
                     " holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA "
                     "certificates that sign GoCo's and Greenhouse's servers"));
  }
  X509_free(first);
  return absl::OkStatus();
}

std::optional<std::string> TlsFailure(const httplib::Client& client, httplib::Error error,
                                      absl::string_view api, absl::string_view url,
                                      const std::string& ca_bundle) {
  switch (error) {
    case httplib::Error::SSLServerVerification: {
      long result = client.get_openssl_verify_result();
      std::string why = result == X509_V_OK ? absl::StrCat("it does not name the host of ", url)
                                            : X509_verify_cert_error_string(result);
      return absl::StrCat(api, "'s TLS certificate could not be verified at ", url, " (", why,
                          ", checked against ", TrustedBy(ca_bundle),
                          "): if the server uses a private CA, set --ca_bundle to a PEM file "
                          "with that CA; check that the URL's host is the one in its certificate");
    }
    case httplib::Error::SSLLoadingCerts:
      return absl::StrCat("the CA certificates to verify ", api, " could not be loaded from ",
                          TrustedBy(ca_bundle), ": fix --ca_bundle (a PEM file)",
                          ca_bundle.empty() ? " or install the ca-certificates package" : "");
    case httplib::Error::SSLConnection:
      return absl::StrCat("the TLS handshake with ", api, " at ", url,
                          " failed: check that the URL's port speaks HTTPS (or use http://)");
    default:
      return std::nullopt;
  }
}

}  // namespace hiresync::http_client
