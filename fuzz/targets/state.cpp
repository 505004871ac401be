// The state file (state/state_document.hpp: decode_state, which load_state
// and peek_state run on the file's text), then what each module reads out
// of its opaque parts: every service's history (policy/history_json.hpp)
// the rotation state (rotate/rotation_state.hpp) and the host checks' CPU
// sample (resources/host_checks.hpp, on a fixed /proc/stat). A document
// that decodes must encode and decode again to the same content, and
// reading it service by service (the ServiceSink a run uses) must give what
// the whole parse gives: the same services, or the same error and none.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "policy/history_json.hpp"
#include "resources/host_checks.hpp"
#include "rotate/rotation_state.hpp"
#include "state/state_document.hpp"

namespace {

// A host whose CPU counters are fixed: the check reads the previous sample
// from the document, then takes its own.
class FixedHost : public pm::HostSource {
 public:
  std::expected<std::string, std::string> read_proc(std::string_view) override {
    return "cpu  4705 356 584 3699 23 23 0 0 0 0\nbtime 1764000000\n";
  }
  std::expected<struct statvfs, std::string> stat_filesystem(const std::string&) override {
    return std::unexpected("no disks here");
  }
  int online_cpus() override { return 1; }
  void wait(pm::Duration) override {}
};

// What a run keeps of the services handed over: the later of a repeated name.
struct CollectingSink : pm::ServiceSink {
  std::map<std::string, nlohmann::json> services;
  void take(const std::string& name, nlohmann::json&& payload) override {
    FUZZ_CHECK(payload.is_object());
    services.insert_or_assign(name, std::move(payload));
  }
  void drop_all() override { services.clear(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto document = pm::decode_state(text);
  CollectingSink sink;
  auto streamed = pm::decode_state(text, sink);
  FUZZ_CHECK(streamed.has_value() == document.has_value());
  if (streamed) {
    FUZZ_CHECK(streamed->services.empty());
    FUZZ_CHECK(sink.services.size() == document->services.size());
    for (const auto& [name, payload] : document->services) FUZZ_CHECK(sink.services.at(name) == payload);
  } else {
    FUZZ_CHECK(streamed.error().reason == document.error().reason);
    FUZZ_CHECK(streamed.error().newer_format == document.error().newer_format);
    FUZZ_CHECK(sink.services.empty());
  }
  if (!document) {
    FUZZ_CHECK(document.error().newer_format ? document.error().format > pm::kStateFormat
                                             : !document.error().reason.empty());
    return 0;
  }
  for (const auto& [name, payload] : document->services) {
    if (auto history = pm::history_from_json(payload)) (void)pm::history_to_json(*history);
  }
  if (auto rotation = pm::rotation_state_from_json(document->rotation)) {
    (void)pm::rotation_state_to_json(*rotation);
  }
  pm::ResourceSettings settings;
  settings.cpu.warn = 0.9;
  FixedHost host;
  nlohmann::json memory = document->resources;
  (void)pm::check_host(settings, host, memory, pm::WallTime(std::chrono::seconds(1764150000)));

  auto again = pm::decode_state(pm::encode_state(*document, document->written_at));
  FUZZ_CHECK(again);
  FUZZ_CHECK(again->written_at == document->written_at);
  FUZZ_CHECK(again->services.size() == document->services.size());
  return 0;
}
