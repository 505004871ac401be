#include "backend/docker_selector.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pm {

bool DockerSelector::matches(const ContainerSummary& container) const {
  switch (kind) {
    case Kind::Name: return container.name == name;
    case Kind::Label: {
      auto it = container.labels.find(label_key);
      return it != container.labels.end() && (!label_value || it->second == *label_value);
    }
    case Kind::Compose:
      return container_label(container, kComposeProjectLabel) == project &&
             (service.empty() || container_label(container, kComposeServiceLabel) == service);
  }
  return false;
}

std::string DockerSelector::nothing_matches() const {
  switch (kind) {
    case Kind::Name: return fmt::format("no container named '{}'", name);
    case Kind::Label:
      return label_value ? fmt::format("no container has label {}={}", label_key, *label_value)
                         : fmt::format("no container has label {}", label_key);
    case Kind::Compose:
      return service.empty()
                 ? fmt::format("no container of Compose project '{}'", project)
                 : fmt::format("no container of Compose service '{}' in project '{}'", service, project);
  }
  return "no container";
}

std::string DockerSelector::list_filter() const {
  nlohmann::json labels = nlohmann::json::array();
  switch (kind) {
    case Kind::Name: return "";
    case Kind::Label: labels.push_back(label_value ? label_key + "=" + *label_value : label_key); break;
    case Kind::Compose:
      labels.push_back(fmt::format("{}={}", kComposeProjectLabel, project));
      if (!service.empty()) labels.push_back(fmt::format("{}={}", kComposeServiceLabel, service));
      break;
  }
  return nlohmann::json{{"label", labels}}.dump();
}

std::expected<DockerSelector, std::string> parse_docker_target(std::string_view target) {
  DockerSelector selector;
  if (target.starts_with("label:")) {
    std::string_view rest = target.substr(6);
    auto equals = rest.find('=');
    selector.kind = DockerSelector::Kind::Label;
    selector.label_key = std::string(rest.substr(0, equals));
    if (equals != std::string_view::npos) selector.label_value = std::string(rest.substr(equals + 1));
    if (selector.label_key.empty()) return std::unexpected(fmt::format("empty label key in '{}'", target));
    return selector;
  }
  if (target.starts_with("compose:")) {
    std::string_view rest = target.substr(8);
    auto slash = rest.find('/');
    selector.kind = DockerSelector::Kind::Compose;
    selector.project = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) selector.service = std::string(rest.substr(slash + 1));
    if (selector.project.empty() || (slash != std::string_view::npos && selector.service.empty())) {
      return std::unexpected(fmt::format("incomplete Compose selector '{}'", target));
    }
    return selector;
  }
  if (target.empty() || target.find(':') != std::string_view::npos) {
    return std::unexpected(fmt::format("'{}' is not a container name", target));
  }
  selector.name = std::string(target);
  return selector;
}

}  // namespace pm
