#pragma once
// Which containers a docker service means. The config encodes its choice in
// ServiceConfig::target:
//   "web"                     the container named web
//   "label:KEY" / "label:KEY=VALUE"   every container with that label
//   "compose:PROJECT"         every container of a Compose project
//   "compose:PROJECT/SERVICE" the containers of one service of it
// Container names cannot contain ':', so the forms never collide.
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "backend/docker_containers.hpp"

namespace pm {

inline constexpr std::string_view kComposeProjectLabel = "com.docker.compose.project";
inline constexpr std::string_view kComposeServiceLabel = "com.docker.compose.service";

struct DockerSelector {
  enum class Kind { Name, Label, Compose };
  Kind kind = Kind::Name;
  std::string name;                        // Kind::Name
  std::string label_key;                   // Kind::Label
  std::optional<std::string> label_value;  // Kind::Label; unset: any value
  std::string project;                     // Kind::Compose
  std::string service;                     // Kind::Compose; empty: every service

  // Whether it can match several containers, each then reported on its own.
  bool is_group() const { return kind == Kind::Label || (kind == Kind::Compose && service.empty()); }
  bool matches(const ContainerSummary& container) const;
  // For a target that matches nothing: "no container named 'web'",
  // "no container has label com.example.monitor=true", "no container of
  // Compose project 'sar'".
  std::string nothing_matches() const;
  // The engine-side filter that narrows the list to this selector, as the
  // JSON the filters= parameter takes ({"label":["k=v"]}), or "" for names
  // (the engine's name filter matches substrings, so names are matched here).
  std::string list_filter() const;
};

// Unexpected: an unknown prefix or an empty part.
std::expected<DockerSelector, std::string> parse_docker_target(std::string_view target);

}  // namespace pm
