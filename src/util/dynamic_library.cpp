#include "util/dynamic_library.hpp"

#include <dlfcn.h>

#include <utility>

#include <fmt/format.h>

namespace pm {

std::expected<DynamicLibrary, std::string> DynamicLibrary::open(const char* soname, const char* package) {
  dlerror();
  void* handle = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return std::unexpected(fmt::format("cannot load {}: {} (it is in Debian's {} package)", soname,
                                       why != nullptr ? why : "unknown error", package));
  }
  return DynamicLibrary(handle);
}

DynamicLibrary::DynamicLibrary(DynamicLibrary&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      missing_(std::move(other.missing_)),
      kept_(other.kept_) {}

DynamicLibrary& DynamicLibrary::operator=(DynamicLibrary&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr && !kept_) dlclose(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    missing_ = std::move(other.missing_);
    kept_ = other.kept_;
  }
  return *this;
}

DynamicLibrary::~DynamicLibrary() {
  if (handle_ != nullptr && !kept_) dlclose(handle_);
}

void* DynamicLibrary::symbol(const char* name) {
  void* address = handle_ != nullptr ? dlsym(handle_, name) : nullptr;
  if (address == nullptr && missing_.empty()) missing_ = name;
  return address;
}

}  // namespace pm
