#pragma once
// Delivers alert events to the configured channels. The caller decides what
// happened (state changes only: see restart_policy.hpp's PolicyEvent, plus
// the restarts it made); AlertSender only delivers, at most once per event
// and channel, retrying within the deadline it is given.
//
// Channels are independent: each is served by its own thread, so a channel
// that hangs or fails delays no other, and its failure is a warning in the
// log and a DeliveryResult, never an exception or an exit code.
#include <string>
#include <vector>

#include "alert/alert_channel.hpp"
#include "alert/alert_event.hpp"
#include "util/deadline.hpp"
#include "util/exec.hpp"

namespace pm {

// What became of one event at one channel.
struct DeliveryResult {
  std::string channel;  // describe_channel(): secrets hidden
  std::string event;    // the event's kind
  std::string service;
  bool delivered = false;
  int attempts = 0;   // tries made; 0 when none could be (bad channel, deadline already passed)
  std::string error;  // why it was not delivered, secrets hidden; empty when delivered
};

class AlertSender {
 public:
  // `runner` runs the exec channels' commands; it must outlive the sender and
  // may be called from several threads at once (ProcessRunner can be).
  AlertSender(std::vector<AlertChannelConfig> channels, CommandRunner& runner);

  // Gives every channel the events it subscribes to, in their order, one
  // delivery per event. Each try takes at most min(channel timeout, time
  // left); a failed try is repeated up to `retries` times, `retry_delay`
  // apart, while another one could help and time is left. Returns when every
  // channel is done: by the deadline for webhooks; an exec hook may take up
  // to 0.7 s more (ProcessRunner's TERM-to-KILL grace and output drain).
  // One result per (channel, subscribed event): channels in config order,
  // events in the given order. Each undelivered one is also logged with
  // spdlog::warn. Retry delays are plain sleeps: a stop request (SIGTERM)
  // does not cut them short.
  std::vector<DeliveryResult> send(const std::vector<AlertEvent>& events, Deadline deadline);

 private:
  std::vector<DeliveryResult> deliver_to(const AlertChannelConfig& channel,
                                         const std::vector<const AlertEvent*>& events, Deadline deadline);
  DeliveryResult deliver_one(const AlertChannelConfig& channel, const AlertEvent& event, Deadline deadline);

  std::vector<AlertChannelConfig> channels_;
  CommandRunner& runner_;
};

}  // namespace pm
