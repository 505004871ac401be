#pragma once
// The Docker keys of a [[service]] (container, label, compose_project,
// compose_service, stop_timeout): checked together and turned into the
// service's target (see backend/docker_selector.hpp for its forms).
#include "config/field_reader.hpp"
#include "config/key_table.hpp"

namespace pm {

// Docker's own rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool is_container_name(std::string_view name);
// Compose project names: lower-case letters, digits, '_' and '-', starting
// with a letter or digit (Compose normalises to this).
bool is_compose_project(std::string_view name);
// A compose_service value: not empty, no '/', no space or control character.
bool is_compose_service(std::string_view name);

// For backend "docker": at most one of container / label / compose_project
// (none: the container is named like the service), compose_service only
// with compose_project, no 'target' (it is 'container' here), and no
// [service.health] on a selector that can match several containers. For
// other backends: none of these keys. Problems are recorded on `reader`.
void resolve_docker_selection(FieldReader& reader, ServiceDraft& service);

}  // namespace pm
