// greenhouse-sandbox: a local stand-in for Greenhouse. `serve` runs the HTTP sandbox;
// `send` delivers one signed webhook with Greenhouse's ping and retry behaviour.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tests/sandboxes/greenhouse/harvest_seed.h"
#include "tests/sandboxes/greenhouse/sandbox.h"
#include "tests/sandboxes/greenhouse/sender.h"
#include "tests/sandboxes/greenhouse/signing.h"

namespace hiresync::greenhouse_sandbox {
namespace {

constexpr int kExitUsage = 2;

constexpr char kUsage[] =
    "usage:\n"
    "  greenhouse-sandbox serve [--host 127.0.0.1] [--port 8091] [--public-url URL]\n"
    "                           [--url-key-file FILE] [--seed FILE]\n"
    "                           [--tls-cert-file PEM --tls-key-file PEM]\n"
    "  greenhouse-sandbox send --url URL --secret-file FILE [--event-id ID] [--ping]\n"
    "                          [--retry-scale X] [--max-attempts N] PAYLOAD.json\n"
    "See tests/sandboxes/greenhouse/README.md.\n";

int Usage(const std::string& problem) {
  std::cerr << "greenhouse-sandbox: " << problem << "\n" << kUsage;
  return kExitUsage;
}

struct Args {
  std::map<std::string, std::string> values;
  std::set<std::string> switches;
  std::vector<std::string> positional;
};

// Parses "--name value", "--name=value" and the given boolean switches.
std::optional<Args> ParseArgs(int argc, char** argv, const std::set<std::string>& valued,
                              const std::set<std::string>& switches, std::string* problem) {
  Args args;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      args.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (switches.count(name) && !value) {
      args.switches.insert(name);
    } else if (valued.count(name)) {
      if (!value) {
        if (i + 1 >= argc) {
          *problem = absl::StrCat("--", name, " needs a value");
          return std::nullopt;
        }
        value = argv[++i];
      }
      args.values[name] = *value;
    } else {
      *problem = absl::StrCat("unknown option '", arg, "'");
      return std::nullopt;
    }
  }
  return args;
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Serve(int argc, char** argv) {
  std::string problem;
  auto args = ParseArgs(argc, argv,
                        {"host", "port", "public-url", "url-key-file", "seed", "seed-file",
                         "tls-cert-file", "tls-key-file"},
                        {}, &problem);
  if (!args) return Usage(problem);
  if (!args->positional.empty()) return Usage("serve takes no positional arguments");

  SandboxOptions options;
  if (args->values.count("host")) options.host = args->values["host"];
  if (args->values.count("port") && (!absl::SimpleAtoi(args->values["port"], &options.port) ||
                                     options.port < 0 || options.port > 65535)) {
    return Usage(
        absl::StrCat("--port must be a TCP port number, got '", args->values["port"], "'"));
  }
  if (args->values.count("public-url")) options.public_url = args->values["public-url"];
  options.tls_cert_file = args->values["tls-cert-file"];
  options.tls_key_file = args->values["tls-key-file"];
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Usage("--tls-cert-file and --tls-key-file go together: give both to serve HTTPS");
  }
  while (!options.public_url.empty() && options.public_url.back() == '/') {
    options.public_url.pop_back();
  }
  if (args->values.count("url-key-file")) {
    const std::string& path = args->values["url-key-file"];
    auto key = ReadWholeFile(path);
    if (!key) {
      std::cerr << "greenhouse-sandbox: cannot read --url-key-file " << path
                << ": check the path and its permissions\n";
      return 1;
    }
    options.url_key = std::string(absl::StripTrailingAsciiWhitespace(*key));
    if (options.url_key.empty()) {
      std::cerr << "greenhouse-sandbox: --url-key-file " << path
                << " is empty: put a random string in it, or omit the flag for a random key\n";
      return 1;
    }
  } else {
    options.url_key = RandomBytes(32);
  }

  if (args->values.count("seed") && args->values.count("seed-file")) {
    return Usage("--seed-file is another name for --seed; give one of them");
  }
  if (args->values.count("seed") || args->values.count("seed-file")) {
    const std::string path =
        args->values.count("seed") ? args->values["seed"] : args->values["seed-file"];
    auto text = ReadWholeFile(path);
    if (!text) {
      std::cerr << "greenhouse-sandbox: cannot read --seed " << path
                << ": check the path and its permissions\n";
      return 1;
    }
    nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      std::cerr << "greenhouse-sandbox: --seed " << path
                << " is not valid JSON; see tests/sandboxes/greenhouse/README.md for its shape\n";
      return 1;
    }
    const size_t slash = path.rfind('/');
    const std::string base_dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    absl::StatusOr<Seed> seed = ParseSeed(doc, base_dir);
    if (!seed.ok()) {
      std::cerr << "greenhouse-sandbox: --seed " << path << ": " << seed.status().message() << "\n";
      return 1;
    }
    options.harvest_seed = std::move(*seed);
  }

  // Block the stop signals in every thread (httplib's workers inherit this mask) and take
  // them synchronously in one thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Sandbox sandbox(options);
  if (absl::Status bound = sandbox.Bind(); !bound.ok()) {
    std::cerr << "greenhouse-sandbox: " << bound.message() << "\n";
    return 1;
  }
  std::thread([&sandbox, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    sandbox.Stop();
  }).detach();
  std::cerr << "greenhouse-sandbox: listening on " << options.host << ":" << sandbox.port()
            << ", attachment URLs under " << sandbox.public_url()
            << "/attachments/, Harvest v3 under " << sandbox.public_url() << "/v3/\n";
  if (absl::Status served = sandbox.Serve(); !served.ok()) {
    std::cerr << "greenhouse-sandbox: " << served.message() << "\n";
    return 1;
  }
  return 0;
}

int Send(int argc, char** argv) {
  std::string problem;
  auto args =
      ParseArgs(argc, argv, {"url", "secret-file", "event-id", "retry-scale", "max-attempts"},
                {"ping"}, &problem);
  if (!args) return Usage(problem);
  if (args->positional.size() != 1) return Usage("send needs exactly one PAYLOAD.json file");
  if (!args->values.count("url")) return Usage("send needs --url");
  if (!args->values.count("secret-file")) return Usage("send needs --secret-file");

  SenderOptions options;
  options.url = args->values["url"];
  options.ping = args->switches.count("ping") > 0;
  if (args->values.count("event-id")) options.event_id = args->values["event-id"];
  if (args->values.count("retry-scale") &&
      !absl::SimpleAtod(args->values["retry-scale"], &options.retry_scale)) {
    return Usage(
        absl::StrCat("--retry-scale must be a number, got '", args->values["retry-scale"], "'"));
  }
  if (args->values.count("max-attempts") &&
      !absl::SimpleAtoi(args->values["max-attempts"], &options.max_attempts)) {
    return Usage(absl::StrCat("--max-attempts must be a whole number, got '",
                              args->values["max-attempts"], "'"));
  }
  const std::string& secret_path = args->values["secret-file"];
  auto secret = ReadWholeFile(secret_path);
  if (!secret) {
    std::cerr << "greenhouse-sandbox: cannot read --secret-file " << secret_path
              << ": check the path and its permissions\n";
    return kExitUsage;
  }
  options.secret = std::string(absl::StripTrailingAsciiWhitespace(*secret));
  if (options.secret.empty()) {
    std::cerr << "greenhouse-sandbox: --secret-file " << secret_path
              << " is empty: put the webhook's secret key in it\n";
    return kExitUsage;
  }
  const std::string& payload_path = args->positional[0];
  auto body = ReadWholeFile(payload_path);
  if (!body) {
    std::cerr << "greenhouse-sandbox: cannot read payload " << payload_path
              << ": check the path and its permissions\n";
    return kExitUsage;
  }

  signal(SIGPIPE, SIG_IGN);
  WebhookSender sender(options, std::cerr);
  absl::StatusOr<SendResult> result = sender.Send(*body);
  if (!result.ok()) return Usage(std::string(result.status().message()));
  switch (result->outcome) {
    case SendResult::Outcome::kDelivered:
      std::cout << result->status << "\n" << result->body;
      if (!result->body.empty() && result->body.back() != '\n') std::cout << "\n";
      return 0;
    case SendResult::Outcome::kPingRejected:
      return 3;
    case SendResult::Outcome::kGaveUp:
      return 1;
  }
  return 1;
}

}  // namespace
}  // namespace hiresync::greenhouse_sandbox

int main(int argc, char** argv) {
  using namespace hiresync::greenhouse_sandbox;
  if (argc < 2) return Usage("missing subcommand: serve or send");
  std::string command = argv[1];
  if (command == "serve") return Serve(argc, argv);
  if (command == "send") return Send(argc, argv);
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  return Usage(absl::StrCat("unknown subcommand '", command, "'"));
}
