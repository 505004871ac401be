// The sd-bus functions the systemd backend calls, defined here and forwarded
// to libsystemd opened with dlopen (why: systemd_library.hpp). As with
// libcurl (util/curl_library.cpp): the program is not linked with
// libsystemd and does not export these, so libsystemd's calls to itself
// stay inside it. The three variadic functions forward to their va_list
// forms (sd_bus_message_readv, ...), which sd-bus provides for this.
//
// To add a function: a member in SdBusApi, its name in resolve_all, and a
// forwarding definition below.
#include "backend/systemd_library.hpp"

#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstdarg>

#include <fmt/format.h>

#include "util/dynamic_library.hpp"

namespace pm {
namespace {

struct SdBusApi {
  int (*message_readv)(sd_bus_message*, const char*, va_list) = nullptr;
  sd_bus_slot* (*slot_unref)(sd_bus_slot*) = nullptr;
  sd_bus_message* (*message_unref)(sd_bus_message*) = nullptr;
  int (*message_new_method_call)(sd_bus*, sd_bus_message**, const char*, const char*, const char*,
                                 const char*) = nullptr;
  int (*message_appendv)(sd_bus_message*, const char*, va_list) = nullptr;
  int (*message_is_method_error)(sd_bus_message*, const char*) = nullptr;
  const sd_bus_error* (*message_get_error)(sd_bus_message*) = nullptr;
  int (*message_exit_container)(sd_bus_message*) = nullptr;
  int (*message_enter_container)(sd_bus_message*, char, const char*) = nullptr;
  int (*message_append_strv)(sd_bus_message*, char**) = nullptr;
  int (*error_is_set)(const sd_bus_error*) = nullptr;
  void (*error_free)(sd_bus_error*) = nullptr;
  int (*wait)(sd_bus*, uint64_t) = nullptr;
  sd_bus* (*unref)(sd_bus*) = nullptr;
  int (*start)(sd_bus*) = nullptr;
  int (*set_address)(sd_bus*, const char*) = nullptr;
  int (*process)(sd_bus*, sd_bus_message**) = nullptr;
  int (*path_encode)(const char*, const char*, char**) = nullptr;
  int (*open_user)(sd_bus**) = nullptr;
  int (*open_system)(sd_bus**) = nullptr;
  int (*new_bus)(sd_bus**) = nullptr;
  int (*match_signal)(sd_bus*, sd_bus_slot**, const char*, const char*, const char*, const char*,
                      sd_bus_message_handler_t, void*) = nullptr;
  int (*error_copy)(sd_bus_error*, const sd_bus_error*) = nullptr;
  sd_bus* (*close_unref)(sd_bus*) = nullptr;
  int (*call_method_asyncv)(sd_bus*, sd_bus_slot**, const char*, const char*, const char*, const char*,
                            sd_bus_message_handler_t, void*, const char*, va_list) = nullptr;
  int (*call_async)(sd_bus*, sd_bus_slot**, sd_bus_message*, sd_bus_message_handler_t, void*,
                    uint64_t) = nullptr;
};

void resolve_all(DynamicLibrary& library, SdBusApi& api) {
  library.resolve("sd_bus_message_readv", api.message_readv);
  library.resolve("sd_bus_slot_unref", api.slot_unref);
  library.resolve("sd_bus_message_unref", api.message_unref);
  library.resolve("sd_bus_message_new_method_call", api.message_new_method_call);
  library.resolve("sd_bus_message_appendv", api.message_appendv);
  library.resolve("sd_bus_message_is_method_error", api.message_is_method_error);
  library.resolve("sd_bus_message_get_error", api.message_get_error);
  library.resolve("sd_bus_message_exit_container", api.message_exit_container);
  library.resolve("sd_bus_message_enter_container", api.message_enter_container);
  library.resolve("sd_bus_message_append_strv", api.message_append_strv);
  library.resolve("sd_bus_error_is_set", api.error_is_set);
  library.resolve("sd_bus_error_free", api.error_free);
  library.resolve("sd_bus_wait", api.wait);
  library.resolve("sd_bus_unref", api.unref);
  library.resolve("sd_bus_start", api.start);
  library.resolve("sd_bus_set_address", api.set_address);
  library.resolve("sd_bus_process", api.process);
  library.resolve("sd_bus_path_encode", api.path_encode);
  library.resolve("sd_bus_open_user", api.open_user);
  library.resolve("sd_bus_open_system", api.open_system);
  library.resolve("sd_bus_new", api.new_bus);
  library.resolve("sd_bus_match_signal", api.match_signal);
  library.resolve("sd_bus_error_copy", api.error_copy);
  library.resolve("sd_bus_close_unref", api.close_unref);
  library.resolve("sd_bus_call_method_asyncv", api.call_method_asyncv);
  library.resolve("sd_bus_call_async", api.call_async);
}

// What an int-returning function answers while the library is not loaded:
// a negative errno, as sd-bus answers ("Can not access a needed shared library").
constexpr int kNotLoaded = -ELIBACC;

LoadedOnce<SdBusApi>& loaded() {
  static LoadedOnce<SdBusApi> library(
      "libsystemd was used before it was loaded (a missing ensure_sd_bus_loaded call)");
  return library;
}

const SdBusApi* api() { return loaded().api(); }

std::expected<DynamicLibrary, std::string> open_systemd_library(SdBusApi& api) {
  auto library = DynamicLibrary::open(kSystemdSoname, "libsystemd0");
  if (!library) return std::unexpected(library.error());
  resolve_all(*library, api);
  if (!library->missing_function().empty()) {
    return std::unexpected(fmt::format(
        "{} is not a usable libsystemd: it has no {} (process-monitor needs systemd 246 or newer)",
        kSystemdSoname, library->missing_function()));
  }
  return library;
}

}  // namespace

std::expected<void, std::string> ensure_sd_bus_loaded() { return loaded().ensure(open_systemd_library); }

}  // namespace pm

using pm::api;
using pm::kNotLoaded;

extern "C" {

int sd_bus_message_read(sd_bus_message* m, const char* types, ...) {
  if (!api()) return kNotLoaded;
  va_list ap;
  va_start(ap, types);
  int result = api()->message_readv(m, types, ap);
  va_end(ap);
  return result;
}

sd_bus_slot* sd_bus_slot_unref(sd_bus_slot* slot) { return api() ? api()->slot_unref(slot) : nullptr; }

sd_bus_message* sd_bus_message_unref(sd_bus_message* m) { return api() ? api()->message_unref(m) : nullptr; }

int sd_bus_message_new_method_call(sd_bus* bus, sd_bus_message** m, const char* destination, const char* path,
                                   const char* interface, const char* member) {
  return api() ? api()->message_new_method_call(bus, m, destination, path, interface, member) : kNotLoaded;
}

int sd_bus_message_append(sd_bus_message* m, const char* types, ...) {
  if (!api()) return kNotLoaded;
  va_list ap;
  va_start(ap, types);
  int result = api()->message_appendv(m, types, ap);
  va_end(ap);
  return result;
}

int sd_bus_message_is_method_error(sd_bus_message* m, const char* name) {
  return api() ? api()->message_is_method_error(m, name) : kNotLoaded;
}

const sd_bus_error* sd_bus_message_get_error(sd_bus_message* m) {
  return api() ? api()->message_get_error(m) : nullptr;
}

int sd_bus_message_exit_container(sd_bus_message* m) {
  return api() ? api()->message_exit_container(m) : kNotLoaded;
}

int sd_bus_message_enter_container(sd_bus_message* m, char type, const char* contents) {
  return api() ? api()->message_enter_container(m, type, contents) : kNotLoaded;
}

int sd_bus_message_append_strv(sd_bus_message* m, char** l) {
  return api() ? api()->message_append_strv(m, l) : kNotLoaded;
}

int sd_bus_error_is_set(const sd_bus_error* e) { return api() ? api()->error_is_set(e) : 0; }

void sd_bus_error_free(sd_bus_error* e) {
  if (api()) api()->error_free(e);
}

int sd_bus_wait(sd_bus* bus, uint64_t timeout_usec) {
  return api() ? api()->wait(bus, timeout_usec) : kNotLoaded;
}

sd_bus* sd_bus_unref(sd_bus* bus) { return api() ? api()->unref(bus) : nullptr; }

int sd_bus_start(sd_bus* bus) { return api() ? api()->start(bus) : kNotLoaded; }

int sd_bus_set_address(sd_bus* bus, const char* address) {
  return api() ? api()->set_address(bus, address) : kNotLoaded;
}

int sd_bus_process(sd_bus* bus, sd_bus_message** r) { return api() ? api()->process(bus, r) : kNotLoaded; }

int sd_bus_path_encode(const char* prefix, const char* external_id, char** ret_path) {
  return api() ? api()->path_encode(prefix, external_id, ret_path) : kNotLoaded;
}

int sd_bus_open_user(sd_bus** ret) { return api() ? api()->open_user(ret) : kNotLoaded; }

int sd_bus_open_system(sd_bus** ret) { return api() ? api()->open_system(ret) : kNotLoaded; }

int sd_bus_new(sd_bus** ret) { return api() ? api()->new_bus(ret) : kNotLoaded; }

int sd_bus_match_signal(sd_bus* bus, sd_bus_slot** ret, const char* sender, const char* path,
                        const char* interface, const char* member, sd_bus_message_handler_t callback,
                        void* userdata) {
  return api() ? api()->match_signal(bus, ret, sender, path, interface, member, callback, userdata)
               : kNotLoaded;
}

int sd_bus_error_copy(sd_bus_error* dest, const sd_bus_error* e) {
  return api() ? api()->error_copy(dest, e) : kNotLoaded;
}

sd_bus* sd_bus_close_unref(sd_bus* bus) { return api() ? api()->close_unref(bus) : nullptr; }

int sd_bus_call_method_async(sd_bus* bus, sd_bus_slot** slot, const char* destination, const char* path,
                             const char* interface, const char* member, sd_bus_message_handler_t callback,
                             void* userdata, const char* types, ...) {
  if (!api()) return kNotLoaded;
  va_list ap;
  va_start(ap, types);
  int result = api()->call_method_asyncv(bus, slot, destination, path, interface, member, callback, userdata,
                                         types, ap);
  va_end(ap);
  return result;
}

int sd_bus_call_async(sd_bus* bus, sd_bus_slot** slot, sd_bus_message* m, sd_bus_message_handler_t callback,
                      void* userdata, uint64_t usec) {
  return api() ? api()->call_async(bus, slot, m, callback, userdata, usec) : kNotLoaded;
}

}  // extern "C"
