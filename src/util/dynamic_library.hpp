#pragma once
// A shared library opened with dlopen, for the libraries process-monitor
// loads only when a run needs them (libcurl, libsystemd: curl_global.hpp and
// systemd_library.hpp say why), and the check that it has every function.
#include <expected>
#include <mutex>
#include <string>
#include <utility>

namespace pm {

class DynamicLibrary {
 public:
  // dlopen(soname, RTLD_LAZY | RTLD_LOCAL); the message names the library,
  // the loader's reason and `package`, the Debian package that has it.
  // Lazy, as the loader binds a program's own libraries at start: binding
  // every function of libcurl's 40 libraries up front costs 2.6 M
  // instructions (17 % of opening it) for functions never called. The
  // functions process-monitor calls are looked up (resolve) at once.
  static std::expected<DynamicLibrary, std::string> open(const char* soname, const char* package);

  DynamicLibrary(DynamicLibrary&& other) noexcept;
  DynamicLibrary& operator=(DynamicLibrary&& other) noexcept;
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;
  ~DynamicLibrary();  // dlclose, unless kept

  // Sets `slot` to the function `name`, or to null; the first name not found
  // is remembered for missing_function().
  template <typename Function>
  void resolve(const char* name, Function& slot) {
    slot = reinterpret_cast<Function>(symbol(name));
  }
  // "" when every resolve found its function.
  const std::string& missing_function() const { return missing_; }

  // Never closed, not even by the destructor: for the process-wide copies,
  // whose functions may be called until exit.
  void keep() { kept_ = true; }

 private:
  explicit DynamicLibrary(void* handle) : handle_(handle) {}
  void* symbol(const char* name);

  void* handle_ = nullptr;
  std::string missing_;
  bool kept_ = false;
};

// A library's function table, filled once per process on first need and
// kept until exit, or why it could not be. `open(Api&)` returns the opened
// DynamicLibrary after filling the table, or the message.
template <typename Api>
class LoadedOnce {
 public:
  explicit LoadedOnce(std::string before_load) : error_(std::move(before_load)) {}

  // The first call runs `open`; every call returns its outcome. Thread-safe.
  template <typename Open>
  std::expected<void, std::string> ensure(Open open) {
    std::call_once(once_, [&] {
      Api candidate;
      auto library = open(candidate);
      if (!library) {
        error_ = library.error();
        return;
      }
      library->keep();
      api_ = candidate;
      error_.clear();
    });
    if (!error_.empty()) return std::unexpected(error_);
    return {};
  }

  // The table once ensure() succeeded (in this thread or before it), else null.
  const Api* api() const { return error_.empty() ? &api_ : nullptr; }
  // Why api() is null: not loaded yet, or the reason it could not be.
  const std::string& error() const { return error_; }

 private:
  std::once_flag once_;
  Api api_{};
  std::string error_;
};

}  // namespace pm
