#pragma once
// The usual helper for std::visit with one lambda per alternative.
namespace pm {

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace pm
