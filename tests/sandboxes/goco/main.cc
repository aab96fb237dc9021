// goco-sandbox: a local test double of the GoCo API (see README.md next to this file).
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tests/sandboxes/goco/http_frontend.h"
#include "tests/sandboxes/goco/sandbox.h"

namespace {

struct Flags {
  std::string host = "127.0.0.1";
  int port = 8090;
  std::string company = "demo";
  std::vector<std::string> api_key_files;
  std::string seed_file;
  std::string tls_cert_file;
  std::string tls_key_file;
};

constexpr char kUsage[] =
    "usage: goco-sandbox [--host 127.0.0.1] [--port 8090] [--company demo] "
    "[--api-key-file PATH]... [--seed FILE] [--tls-cert-file PEM --tls-key-file PEM]";

int Fail(const std::string& message) {
  nlohmann::json fields = {{"error", message}};
  std::string members = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  hiresync::goco_sandbox::LogLine("error", "startup failed", members.substr(1, members.size() - 2));
  std::fprintf(stderr, "goco-sandbox: %s\n", message.c_str());
  return 1;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

bool ParseFlags(int argc, char** argv, Flags& flags, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg == "--help" || arg == "-h") {
      error = kUsage;
      return false;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      error = absl::StrCat(arg, " needs a value; ", kUsage);
      return false;
    }
    if (arg == "--host") {
      flags.host = value;
    } else if (arg == "--port") {
      if (!absl::SimpleAtoi(value, &flags.port) || flags.port < 0 || flags.port > 65535) {
        error = absl::StrCat("--port must be a number from 0 to 65535, got \"", value, "\"");
        return false;
      }
    } else if (arg == "--company") {
      if (value.empty()) {
        error = "--company must not be empty";
        return false;
      }
      flags.company = value;
    } else if (arg == "--api-key-file") {
      flags.api_key_files.push_back(value);
    } else if (arg == "--seed") {
      flags.seed_file = value;
    } else if (arg == "--tls-cert-file") {
      flags.tls_cert_file = value;
    } else if (arg == "--tls-key-file") {
      flags.tls_key_file = value;
    } else {
      error = absl::StrCat("unknown flag \"", arg, "\"; ", kUsage);
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using hiresync::goco_sandbox::HttpFrontend;
  using hiresync::goco_sandbox::Sandbox;

  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, flags, error)) return Fail(error);
  if (flags.tls_cert_file.empty() != flags.tls_key_file.empty()) {
    return Fail("--tls-cert-file and --tls-key-file go together: give both to serve HTTPS");
  }

  // Block the stop signals before any thread starts, so that only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Sandbox sandbox;
  sandbox.EnsureCompany(flags.company);
  for (const std::string& path : flags.api_key_files) {
    std::optional<std::string> contents = ReadFile(path);
    if (!contents) {
      return Fail(absl::StrCat("cannot read --api-key-file ", path,
                               "; check that the file exists and is readable"));
    }
    std::string key(absl::StripAsciiWhitespace(*contents));
    if (key.empty()) {
      return Fail(absl::StrCat("--api-key-file ", path, " is empty; write the API key into it"));
    }
    sandbox.AddStartupApiKey(flags.company, key);
  }
  if (!flags.seed_file.empty()) {
    std::optional<std::string> contents = ReadFile(flags.seed_file);
    if (!contents) {
      return Fail(absl::StrCat("cannot read --seed ", flags.seed_file,
                               "; check that the file exists and is readable"));
    }
    absl::Status loaded = sandbox.LoadSeed(*contents);
    if (!loaded.ok()) {
      return Fail(absl::StrCat("--seed ", flags.seed_file, ": ", loaded.message()));
    }
  }

  HttpFrontend frontend(sandbox, flags.tls_cert_file, flags.tls_key_file);
  if (absl::Status bound = frontend.Bind(flags.host, flags.port); !bound.ok()) {
    return Fail(std::string(bound.message()));
  }
  nlohmann::json fields = {{"host", flags.host},
                           {"port", flags.port},
                           {"company", flags.company},
                           {"https", !flags.tls_cert_file.empty()}};
  std::string members = fields.dump();
  hiresync::goco_sandbox::LogLine("info", "listening", members.substr(1, members.size() - 2));

  std::thread server([&frontend] { frontend.Run(); });
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  hiresync::goco_sandbox::LogLine("info", "stopping", absl::StrCat("\"signal\":", signal_number));
  frontend.Stop();
  server.join();
  return 0;
}
