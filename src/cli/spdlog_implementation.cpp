// spdlog's implementation, compiled into process-monitor here rather than
// loaded from libspdlog.so.1.10 (with libfmt.so.9 and the shared C++ runtime
// they need) at every start: bench/results/analysis.md. As spdlog's own
// compiled build does (its src/*.cpp): every file includes spdlog with
// SPDLOG_COMPILED_LIB (src/CMakeLists.txt) and sees declarations only, and
// this one includes the definitions (the *-inl.h headers) and instantiates
// the sinks process-monitor and its tests use. fmt is compiled in the same
// way (util/fmt_implementation.cpp).
#include <mutex>

#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/file_helper-inl.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/ansicolor_sink-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/basic_file_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/sinks/stdout_color_sinks-inl.h>
#include <spdlog/sinks/stdout_sinks-inl.h>
#include <spdlog/spdlog-inl.h>

// The sinks: stderr and a plain file (cli/logging.cpp), an ostream (tests),
// and the colour console sink spdlog's default logger is made of.
template class spdlog::sinks::base_sink<std::mutex>;
template class spdlog::sinks::basic_file_sink<std::mutex>;
template class spdlog::sinks::stdout_sink_base<spdlog::details::console_mutex>;
template class spdlog::sinks::stderr_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_stdout_sink<spdlog::details::console_mutex>;
