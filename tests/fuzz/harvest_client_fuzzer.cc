// Greenhouse Harvest's answers, as the notes service's Harvest client reads them: the
// fuzz input is a script (see scripted_http_server.h) whose first line names the call
// and whose answers a local server plays back for the token endpoint and the /v3 calls
// alike. Finds crashes, undefined behaviour, uncaught exceptions and hangs in the
// client's reading of tokens, status codes, rate-limit and Link headers and JSON bodies.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scripted_http_server.h"
#include "services/notes/harvest_client.h"

namespace {

using hiresync::fuzz::FakeClock;
using hiresync::fuzz::ScriptedHttpServer;
using hiresync::notes::HarvestClient;

constexpr std::string_view kOperations[] = {"verify_author", "list_notes", "create_note",
                                            "check_token"};

size_t OperationIndex(const std::string& name) {
  constexpr size_t kCount = sizeof(kOperations) / sizeof(kOperations[0]);
  for (size_t i = 0; i < kCount; ++i) {
    if (kOperations[i] == name) return i;
  }
  size_t sum = 0;
  for (unsigned char c : name) sum += c;
  return sum % kCount;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ScriptedHttpServer* server = new ScriptedHttpServer();
  auto script = hiresync::fuzz::ParseScript(
      std::string_view(reinterpret_cast<const char*>(data), size), server->origin());
  server->Play(std::move(script.answers));

  hiresync::notes::HarvestSettings settings;
  settings.connection_id = "fuzz";
  settings.client_id = "fuzz-client-id";
  settings.client_secret = "fuzz-client-secret";
  settings.base_url = server->origin() + "/v3";
  settings.token_url = server->origin() + "/token";
  settings.author_user_id = 456;
  settings.author_email = "hr@acme.test";
  hiresync::notes::HarvestOptions options;
  options.connect_timeout = absl::Seconds(2);
  options.read_timeout = absl::Seconds(5);
  options.write_timeout = absl::Seconds(5);
  auto client = HarvestClient::Create(settings, std::make_shared<FakeClock>(), options);
  if (!client.ok()) {
    std::fprintf(stderr, "HarvestClient::Create: %s\n", client.status().ToString().c_str());
    std::abort();
  }
  switch (OperationIndex(script.operation)) {
    case 0:
      (*client)->VerifyAuthor().IgnoreError();
      break;
    case 1:
      (*client)->ListNotes(35897443).status().IgnoreError();
      break;
    case 2:
      (*client)
          ->CreateNote(35897443, "Hired: Johnny Smith is now a GoCo employee.", "admin_only")
          .status()
          .IgnoreError();
      break;
    default:
      (*client)->CheckToken().IgnoreError();
      break;
  }
  return 0;
}
