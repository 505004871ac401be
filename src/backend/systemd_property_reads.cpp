#include "backend/systemd_property_reads.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace pm {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kServiceInterface = "org.freedesktop.systemd1.Service";

// One property read of every unit, and where its value goes (one of text,
// number, counter is set, by the property's D-Bus type "s", "u" or "t").
// Every one is a Service property: absent on other unit types (and
// NRestarts before systemd 235), so an error answer leaves it unset.
struct Wanted {
  SystemdReads group;
  const char* property;
  std::string SystemdUnitProperties::*text = nullptr;
  long SystemdUnitProperties::*number = nullptr;
  std::optional<std::uint64_t> SystemdUnitProperties::*counter = nullptr;
  bool SystemdUnitProperties::*answered = nullptr;  // set when this one was read
};

using P = SystemdUnitProperties;
const Wanted kWanted[] = {
    {.group = SystemdReads::Result, .property = "Result", .text = &P::result},
    {.group = SystemdReads::Processes, .property = "NRestarts", .number = &P::n_restarts},
    {.group = SystemdReads::Processes,
     .property = "MainPID",
     .number = &P::main_pid,
     .answered = &P::processes_read},
    {.group = SystemdReads::Usage, .property = "MemoryCurrent", .counter = &P::memory_current},
    {.group = SystemdReads::Usage, .property = "CPUUsageNSec", .counter = &P::cpu_usage_nsec},
};

}  // namespace

std::expected<std::unique_ptr<PropertyReads>, std::string> PropertyReads::prepare(
    const std::vector<std::string>& units, SystemdReads group, std::size_t window) {
  std::unique_ptr<PropertyReads> reads(new PropertyReads());
  for (std::size_t i = 0; i < std::size(kWanted); ++i) {
    if (kWanted[i].group == group) reads->wanted_.push_back(i);
  }
  reads->units_.reserve(units.size());
  for (const auto& name : units) {
    char* path = nullptr;
    if (int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", name.c_str(), &path); r < 0)
      return std::unexpected(fmt::format("no D-Bus object path for unit {}: {}", name, std::strerror(-r)));
    reads->units_.push_back(Unit{path, &reads->properties_[name], &reads->failures_[name]});
    std::free(path);
  }
  window = std::clamp<std::size_t>(window, 1, kMaxCallsInFlight);
  reads->free_.reserve(window);
  for (std::size_t i = 0; i < window; ++i) {
    reads->window_[i].owner = reads.get();
    reads->free_.push_back(&reads->window_[i]);
  }
  return reads;
}

PropertyReads::~PropertyReads() {
  for (auto& call : window_) sd_bus_slot_unref(call.slot);  // cancels a call still out
}

int PropertyReads::send_more(sd_bus* bus) {
  const std::size_t per_unit = wanted_.size();
  const std::size_t total = units_.size() * per_unit;
  while (next_ < total && !free_.empty()) {
    Call& call = *free_.back();
    call.unit = next_ / per_unit;
    call.property = next_ % per_unit;
    const Wanted& want = kWanted[wanted_[call.property]];
    int r = sd_bus_call_method_async(bus, &call.slot, kService, units_[call.unit].path.c_str(),
                                     "org.freedesktop.DBus.Properties", "Get", on_answer, &call, "ss",
                                     kServiceInterface, want.property);
    if (r < 0) return r;
    free_.pop_back();
    ++in_flight_;
    ++next_;
  }
  return 0;
}

bool PropertyReads::finished() const { return next_ == units_.size() * wanted_.size() && in_flight_ == 0; }

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
  const Wanted& want = kWanted[wanted_[call.property]];
  const Unit& unit = units_[call.unit];
  if (sd_bus_message_is_method_error(reply, nullptr)) return;  // not a service, or an old systemd
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
  if (r < 0) {
    if (unit.failure->empty())
      *unit.failure = fmt::format("{}: unexpected type ({})", want.property, std::strerror(-r));
  } else if (want.answered != nullptr) {
    properties.*want.answered = true;
  }
}

}  // namespace pm
