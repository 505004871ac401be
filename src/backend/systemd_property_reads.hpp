#pragma once
// Service properties of many units (one group of them: SystemdReads), read
// with Properties.Get calls pipelined on one sd-bus connection:
// SystemdBus::read_units drives it. A cycle's state comes from one
// ListUnitsByNames call; these reads are for the few units that need more
// (the Result of a failed unit, the processes of a restarted one, the usage
// of a limited one). At most kMaxCallsInFlight calls are out at once, and
// each answer makes room for the next. Memory stays bounded by that window,
// not by the number of calls: each call's slot is released as its answer is
// read. Sending all 9000 calls of 1000 units up front held every call
// message in sd-bus's write queue (8.9 MB of heap), and keeping each call's
// slot and bookkeeping to the end another 1.4 MB (massif), for no speed.
#include <systemd/sd-bus.h>

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "backend/systemd_bus.hpp"

namespace pm {

class PropertyReads {
 public:
  static constexpr std::size_t kMaxCallsInFlight = SystemdBus::kMaxReadsInFlight;

  // Reads of `group` for `units`, at most `window` calls out at once (at
  // most kMaxCallsInFlight; smaller only in tests, to cross the window with
  // few units). Unexpected: a unit name sd-bus cannot make a path of.
  static std::expected<std::unique_ptr<PropertyReads>, std::string> prepare(
      const std::vector<std::string>& units, SystemdReads group, std::size_t window = kMaxCallsInFlight);
  // Cancels the calls still in flight: their answers never reach this object.
  ~PropertyReads();
  PropertyReads(const PropertyReads&) = delete;
  PropertyReads& operator=(const PropertyReads&) = delete;

  // Sends calls on `bus` until the window is full or all are sent. Negative
  // errno when sending failed (nothing more is sent then).
  int send_more(sd_bus* bus);
  // Every call sent and answered.
  bool finished() const;
  // The calls sent so far.
  std::size_t sent() const { return next_; }
  // Per unit: its properties (an error answer leaves one unset: not a
  // service, or an older systemd). Call once finished().
  std::map<std::string, SystemdUnitProperties>& properties() { return properties_; }
  // The first unit with an answer of the wrong type, and which; nullptr when none.
  const std::pair<const std::string, std::string>* first_failure() const;

 private:
  // One call out: which unit and which property it reads.
  struct Call {
    PropertyReads* owner = nullptr;
    std::size_t unit = 0;
    std::size_t property = 0;
    sd_bus_slot* slot = nullptr;  // nullptr: this entry of the window is free
  };
  struct Unit {
    std::string path;  // its object path
    SystemdUnitProperties* properties;
    std::string* failure;
  };

  PropertyReads() = default;
  static int on_answer(sd_bus_message* reply, void* userdata, sd_bus_error*);
  void read_answer(sd_bus_message* reply, const Call& call);

  std::map<std::string, SystemdUnitProperties> properties_;
  std::map<std::string, std::string> failures_;
  std::vector<Unit> units_;
  std::vector<std::size_t> wanted_;  // the group's properties (their index in the .cpp's table)
  std::size_t next_ = 0;  // the next call to send: unit next_ / properties, property next_ % properties
  std::size_t in_flight_ = 0;
  std::array<Call, kMaxCallsInFlight> window_{};
  std::vector<Call*> free_;  // entries of window_ without a call
};

}  // namespace pm
