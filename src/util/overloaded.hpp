#pragma once
// The usual helper for std::visit with one lambda per alternative.
namespace pm {

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// C++20 deduces this for aggregates; clang before 17 (the fuzz build's
// clang 16) still needs the guide.
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace pm
