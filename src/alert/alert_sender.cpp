#include "alert/alert_sender.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <exception>
#include <expected>
#include <iterator>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/alert_attempt.hpp"
#include "util/curl_global.hpp"

namespace pm {
namespace {

// What a channel will send for `event` (the webhook body; nothing for a
// command), or what is wrong with the channel before anything is tried.
std::expected<std::string, std::string> prepare(const AlertChannelConfig& channel, const AlertEvent& event) {
  if (channel.kind == AlertChannelConfig::Exec) {
    if (channel.argv.empty()) return std::unexpected(std::string("no command to run"));
    return std::string();
  }
  if (channel.url.empty()) return std::unexpected(std::string("no URL to post to"));
  return webhook_body(event, channel.format);
}

}  // namespace

AlertSender::AlertSender(std::vector<AlertChannelConfig> channels, CommandRunner& runner)
    : channels_(std::move(channels)), runner_(runner) {
  // Before any thread of ours uses curl; only when there is a webhook to post
  // to. A library that cannot be loaded is reported by each post.
  bool any_webhook = std::ranges::any_of(channels_, [](const AlertChannelConfig& channel) {
    return channel.kind == AlertChannelConfig::Webhook;
  });
  if (any_webhook) (void)ensure_curl_initialized();
}

std::vector<DeliveryResult> AlertSender::send(const std::vector<AlertEvent>& events, Deadline deadline) {
  std::vector<std::vector<const AlertEvent*>> wanted(channels_.size());
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    for (const AlertEvent& event : events) {
      if (subscribes(channels_[i], event.kind)) wanted[i].push_back(&event);
    }
  }
  std::vector<std::vector<DeliveryResult>> results(channels_.size());
  std::vector<std::exception_ptr> failures(channels_.size());
  {
    // One thread per channel with work: a hanging receiver holds up only itself.
    std::vector<std::jthread> workers;
    for (std::size_t i = 0; i < channels_.size(); ++i) {
      if (wanted[i].empty()) continue;
      workers.emplace_back([&, i] {
        try {
          results[i] = deliver_to(channels_[i], wanted[i], deadline);
        } catch (...) {
          // Out of memory and the like are no channel's failure: they reach main like any other.
          failures[i] = std::current_exception();
        }
      });
    }
  }  // every worker joined
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  std::vector<DeliveryResult> all;
  for (auto& channel_results : results) std::ranges::move(channel_results, std::back_inserter(all));
  return all;
}

std::vector<DeliveryResult> AlertSender::deliver_to(const AlertChannelConfig& channel,
                                                    const std::vector<const AlertEvent*>& events,
                                                    Deadline deadline) {
  // In order, one after the other: "recovered" must not overtake "became-unhealthy".
  std::vector<DeliveryResult> results;
  for (const AlertEvent* event : events) {
    DeliveryResult result = deliver_one(channel, *event, deadline);
    if (result.delivered) {
      spdlog::debug("alert: {} for {} delivered to {}", result.event, result.service, result.channel);
    } else {
      spdlog::warn("alert: {} for {} not delivered to {}: {}", result.event, result.service, result.channel,
                   result.error);
    }
    results.push_back(std::move(result));
  }
  return results;
}

DeliveryResult AlertSender::deliver_one(const AlertChannelConfig& channel, const AlertEvent& event,
                                        Deadline deadline) {
  DeliveryResult result;
  result.channel = describe_channel(channel);
  result.event = event.kind;
  result.service = event.service;
  const auto body = prepare(channel, event);
  if (!body) {
    result.error = body.error();
    return result;
  }
  const int max_attempts = 1 + std::max(channel.retries, 0);
  AttemptResult attempt;
  std::string stopped_because;
  while (true) {
    if (deadline.expired()) {
      stopped_because = result.attempts == 0 ? "the alert deadline passed before it could be sent"
                                             : "no time left to try again";
      break;
    }
    ++result.attempts;
    if (channel.kind == AlertChannelConfig::Webhook) {
      const Duration left = deadline.remaining();
      attempt = post_webhook(channel, *body, std::min(channel.timeout, left), left < channel.timeout);
    } else {
      attempt = run_hook(channel, event, runner_, deadline.capped(channel.timeout));
    }
    if (attempt.delivered || !attempt.worth_retrying || result.attempts >= max_attempts) break;
    // A try that would start at the deadline cannot finish: better to say so now.
    if (deadline.remaining() <= channel.retry_delay) {
      stopped_because = "no time left to try again";
      break;
    }
    std::this_thread::sleep_for(channel.retry_delay);
  }
  result.delivered = attempt.delivered;
  if (result.delivered) return result;
  std::vector<std::string> parts;
  if (!attempt.error.empty()) parts.push_back(attempt.error);
  if (result.attempts > 1) parts.push_back(fmt::format("after {} attempts", result.attempts));
  if (!stopped_because.empty()) parts.push_back(stopped_because);
  result.error = parts.empty() ? "not delivered" : fmt::format("{}", fmt::join(parts, "; "));
  return result;
}

}  // namespace pm
