#pragma once
// [[alert]] tables: where state changes are announced.
//   [[alert]]
//   webhook = "https://hooks.example.com/..."   # or: exec = ["/usr/local/bin/page", "--team", "ops"]
//   format = "json"                             # or "slack" ({"text": ...}); webhooks only
//   headers = { Authorization = "Bearer ..." }  # webhooks only
//   events = ["gave-up", "recovered"]           # default: all of them
//   timeout = "5s"   retries = 1   retry_delay = "1s"
#include "alert/alert_channel.hpp"
#include "config/field_reader.hpp"
#include "config/toml.hpp"

namespace pm {

// Reads one [[alert]] table; problems go to `reader`.
AlertChannelConfig read_alert(FieldReader& reader, const toml::table& table);

}  // namespace pm
