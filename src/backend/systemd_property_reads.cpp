#include "backend/systemd_property_reads.hpp"

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace pm {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kUnitInterface = "org.freedesktop.systemd1.Unit";
constexpr const char* kServiceInterface = "org.freedesktop.systemd1.Service";

// One property read of every unit, and where its value goes (one of text,
// number, counter is set, by the property's D-Bus type "s", "u" or "t").
struct Wanted {
  const char* interface;
  const char* property;
  std::string SystemdUnitProperties::*text = nullptr;
  long SystemdUnitProperties::*number = nullptr;
  std::optional<std::uint64_t> SystemdUnitProperties::*counter = nullptr;
  bool optional = false;  // Service properties: absent on other unit types and old systemd
};

using P = SystemdUnitProperties;
const Wanted kWanted[] = {
    {.interface = kUnitInterface, .property = "Id", .text = &P::id},
    {.interface = kUnitInterface, .property = "LoadState", .text = &P::load_state},
    {.interface = kUnitInterface, .property = "ActiveState", .text = &P::active_state},
    {.interface = kUnitInterface, .property = "SubState", .text = &P::sub_state},
    {.interface = kServiceInterface, .property = "Result", .text = &P::result, .optional = true},
    {.interface = kServiceInterface, .property = "NRestarts", .number = &P::n_restarts, .optional = true},
    {.interface = kServiceInterface, .property = "MainPID", .number = &P::main_pid, .optional = true},
    {.interface = kServiceInterface,
     .property = "MemoryCurrent",
     .counter = &P::memory_current,
     .optional = true},
    {.interface = kServiceInterface,
     .property = "CPUUsageNSec",
     .counter = &P::cpu_usage_nsec,
     .optional = true},
};
constexpr std::size_t kPerUnit = std::size(kWanted);

}  // namespace

std::expected<std::unique_ptr<PropertyReads>, std::string> PropertyReads::prepare(
    const std::vector<std::string>& units) {
  std::unique_ptr<PropertyReads> reads(new PropertyReads());
  reads->units_.reserve(units.size());
  for (const auto& name : units) {
    char* path = nullptr;
    if (int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", name.c_str(), &path); r < 0)
      return std::unexpected(fmt::format("no D-Bus object path for unit {}: {}", name, std::strerror(-r)));
    reads->units_.push_back(Unit{path, &reads->properties_[name], &reads->failures_[name]});
    std::free(path);
  }
  reads->free_.reserve(kMaxCallsInFlight);
  for (auto& call : reads->window_) {
    call.owner = reads.get();
    reads->free_.push_back(&call);
  }
  return reads;
}

PropertyReads::~PropertyReads() {
  for (auto& call : window_) sd_bus_slot_unref(call.slot);  // cancels a call still out
}

int PropertyReads::send_more(sd_bus* bus) {
  const std::size_t total = units_.size() * kPerUnit;
  while (next_ < total && !free_.empty()) {
    Call& call = *free_.back();
    call.unit = next_ / kPerUnit;
    call.property = next_ % kPerUnit;
    const Wanted& want = kWanted[call.property];
    int r = sd_bus_call_method_async(bus, &call.slot, kService, units_[call.unit].path.c_str(),
                                     "org.freedesktop.DBus.Properties", "Get", on_answer, &call, "ss",
                                     want.interface, want.property);
    if (r < 0) return r;
    free_.pop_back();
    ++in_flight_;
    ++next_;
  }
  return 0;
}

bool PropertyReads::finished() const { return next_ == units_.size() * kPerUnit && in_flight_ == 0; }

const std::pair<const std::string, std::string>* PropertyReads::first_failure() const {
  for (const auto& entry : failures_) {
    if (!entry.second.empty()) return &entry;
  }
  return nullptr;
}

int PropertyReads::on_answer(sd_bus_message* reply, void* userdata, sd_bus_error*) {
  auto& call = *static_cast<Call*>(userdata);
  PropertyReads& reads = *call.owner;
  reads.read_answer(reply, call);
  // sd-bus holds its own reference to the slot while this callback runs.
  call.slot = sd_bus_slot_unref(call.slot);
  --reads.in_flight_;
  reads.free_.push_back(&call);
  return 0;
}

void PropertyReads::read_answer(sd_bus_message* reply, const Call& call) {
  const Wanted& want = kWanted[call.property];
  const Unit& unit = units_[call.unit];
  std::string& failure = *unit.failure;
  if (sd_bus_message_is_method_error(reply, nullptr)) {
    const sd_bus_error* error = sd_bus_message_get_error(reply);
    if (!want.optional && failure.empty()) {
      failure = fmt::format("{}: {}", want.property, error->message != nullptr ? error->message : "");
    }
    return;
  }
  SystemdUnitProperties& properties = *unit.properties;
  int r = 0;
  if (want.text != nullptr) {
    const char* value = nullptr;
    r = sd_bus_message_read(reply, "v", "s", &value);
    if (r >= 0) properties.*want.text = value;
  } else if (want.number != nullptr) {
    uint32_t value = 0;
    r = sd_bus_message_read(reply, "v", "u", &value);
    if (r >= 0) properties.*want.number = value;
  } else {
    uint64_t value = 0;
    r = sd_bus_message_read(reply, "v", "t", &value);
    if (r >= 0 && value != UINT64_MAX) properties.*want.counter = value;
  }
  if (r < 0 && failure.empty()) {
    failure = fmt::format("{}: unexpected type ({})", want.property, std::strerror(-r));
  }
}

}  // namespace pm
