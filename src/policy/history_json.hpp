#pragma once
// ServiceHistory <-> the per-service JSON object of the state file
// (state/state_document.hpp). Times are unix milliseconds.
#include <expected>
#include <string>

#include <nlohmann/json.hpp>

#include "policy/service_history.hpp"

namespace pm {

nlohmann::json history_to_json(const ServiceHistory& history);

// Unexpected: a field of the wrong type or an unknown state word; the message
// names the field. Missing fields take their defaults (older files).
std::expected<ServiceHistory, std::string> history_from_json(const nlohmann::json& json);

}  // namespace pm
