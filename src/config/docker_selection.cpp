#include "config/docker_selection.hpp"

#include <cctype>

#include <fmt/format.h>

#include "config/text_rules.hpp"

namespace pm {
namespace {

bool has_space_or_control(std::string_view text) {
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return true;
  }
  return false;
}

}  // namespace

bool is_container_name(std::string_view name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

bool is_compose_project(std::string_view name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    bool ok = std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_compose_service(std::string_view name) {
  return !name.empty() && !has_space_or_control(name) && name.find('/') == std::string_view::npos;
}

void resolve_docker_selection(FieldReader& reader, ServiceDraft& service) {
  using Written = ServiceDraft::Written;
  const std::optional<Written>* keys[] = {&service.container, &service.label, &service.compose_project,
                                          &service.compose_service, &service.stop_timeout};
  constexpr std::string_view names[] = {"container", "label", "compose_project", "compose_service",
                                        "stop_timeout"};
  ServiceConfig& config = service.config;
  if (config.backend != "docker") {
    for (std::size_t i = 0; i < std::size(keys); ++i) {
      if (*keys[i]) {
        reader.fail((*keys[i])->at, fmt::format("'{}' only applies to backend \"docker\" (this service has "
                                                "backend \"{}\")",
                                                names[i], config.backend));
      }
    }
    return;
  }

  const Written* chosen = nullptr;
  for (const auto* key : {&service.container, &service.label, &service.compose_project}) {
    if (!*key) continue;
    if (chosen != nullptr) {
      reader.fail((*key)->at,
                  "give one of 'container', 'label' or 'compose_project': each selects the "
                  "containers on its own");
      return;
    }
    chosen = &**key;
  }
  if (service.target_at) {
    reader.fail(*service.target_at,
                "for backend \"docker\" name the container with 'container' (or select "
                "with 'label' / 'compose_project') instead of 'target'");
    return;
  }
  if (service.compose_service && !service.compose_project) {
    reader.fail(service.compose_service->at,
                "'compose_service' needs 'compose_project' (the project it "
                "belongs to)");
    return;
  }

  bool group = false;
  if (service.label) {
    const std::string& label = service.label->text;
    std::string_view key = std::string_view(label).substr(0, label.find('='));
    if (key.empty() || has_space_or_control(key)) {
      reader.fail(service.label->at, fmt::format("invalid label {}: write KEY or KEY=VALUE, e.g. "
                                                 "\"com.example.monitor=true\"",
                                                 quoted(label)));
      return;
    }
    config.target = "label:" + label;
    group = true;
  } else if (service.compose_project) {
    const std::string& project = service.compose_project->text;
    if (!is_compose_project(project)) {
      reader.fail(service.compose_project->at,
                  fmt::format("invalid compose_project {}: Compose project names are lower-case letters, "
                              "digits, '_' and '-'",
                              quoted(project)));
      return;
    }
    config.target = "compose:" + project;
    if (service.compose_service) {
      const std::string& name = service.compose_service->text;
      if (!is_compose_service(name)) {
        reader.fail(service.compose_service->at, fmt::format("invalid compose_service {}", quoted(name)));
        return;
      }
      config.target += "/" + name;
    } else {
      group = true;
    }
  } else {
    const std::string& name = service.container ? service.container->text : config.name;
    if (!is_container_name(name)) {
      reader.fail(service.container ? service.container->at : service.name_at.value_or(service.header),
                  fmt::format("{} is not a valid container name (letters, digits, '_', '.' and '-', starting "
                              "with a letter or digit){}",
                              quoted(name), service.container ? "" : "; set 'container'"));
      return;
    }
    config.target = name;
  }
  if (group && config.health) {
    reader.fail(service.health_at.value_or(service.header),
                "a [service.health] check cannot apply to every container a label or Compose project "
                "selects; give 'compose_service' (or 'container') and one [[service]] per health URL");
  }
}

}  // namespace pm
