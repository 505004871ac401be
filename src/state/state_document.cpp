#include "state/state_document.hpp"

#include <fmt/format.h>

namespace pm {
namespace {

std::unexpected<StateDecodeError> not_a_state(std::string reason) {
  return std::unexpected(StateDecodeError{.newer_format = false, .format = 0, .reason = std::move(reason)});
}

}  // namespace

std::expected<StateDocument, StateDecodeError> decode_state(std::string_view text) {
  nlohmann::json root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return not_a_state(text.empty() ? "the file is empty" : "not JSON (truncated or garbage)");
  }
  if (!root.is_object()) return not_a_state("not a JSON object");
  // The format is judged first and alone: a newer format may have changed
  // every other field, and must be recognised as newer, never as corrupt.
  auto format = root.find("format");
  if (format == root.end() || !format->is_number_integer()) {
    return not_a_state("no integer 'format' field");
  }
  const std::int64_t number = format->get<std::int64_t>();
  if (number > kStateFormat) {
    return std::unexpected(StateDecodeError{.newer_format = true, .format = number, .reason = {}});
  }
  if (number < 1) return not_a_state(fmt::format("unknown format {}", number));

  StateDocument document;
  auto written_at = root.find("written_at");
  if (written_at == root.end() || !written_at->is_number_integer()) {
    return not_a_state("no integer 'written_at' field");
  }
  document.written_at = written_at->get<std::int64_t>();
  auto services = root.find("services");
  if (services == root.end() || !services->is_object()) return not_a_state("'services' is not an object");
  for (auto& [name, payload] : services->items()) {
    if (!payload.is_object()) return not_a_state(fmt::format("service '{}' is not an object", name));
    document.services.emplace(name, std::move(payload));
  }
  if (auto rotation = root.find("rotation"); rotation != root.end()) {
    if (!rotation->is_object()) return not_a_state("'rotation' is not an object");
    document.rotation = std::move(*rotation);
  }
  if (auto resources = root.find("resources"); resources != root.end()) {
    if (!resources->is_object()) return not_a_state("'resources' is not an object");
    document.resources = std::move(*resources);
  }
  return document;
}

std::string encode_state(const StateDocument& document, std::int64_t written_at) {
  nlohmann::json services = nlohmann::json::object();
  for (const auto& [name, payload] : document.services) services[name] = payload;
  nlohmann::json root = {{"format", kStateFormat}, {"written_at", written_at}, {"services", services}};
  if (!document.rotation.empty()) root["rotation"] = document.rotation;
  if (!document.resources.empty()) root["resources"] = document.resources;
  // Indented for the admin who opens it; invalid UTF-8 is replaced rather
  // than throwing halfway through a save.
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace pm
