#include "alert/alert_channel.hpp"

#include <algorithm>

#include "alert/redact.hpp"

namespace pm {

bool subscribes(const AlertChannelConfig& channel, std::string_view kind) {
  return channel.events.empty() || std::ranges::find(channel.events, kind) != channel.events.end();
}

std::string describe_channel(const AlertChannelConfig& channel) {
  if (channel.kind == AlertChannelConfig::Webhook) {
    return "webhook " + (channel.url.empty() ? std::string("(no URL)") : redact_url(channel.url));
  }
  // argv[0] can be a path with a token in it as easily as a URL can.
  return "exec " + (channel.argv.empty() ? std::string("(no command)") : redact_url(channel.argv.front()));
}

}  // namespace pm
