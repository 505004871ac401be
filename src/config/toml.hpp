#pragma once
// toml++, as every file of process-monitor includes it (never
// <toml++/toml.h> directly: tests/lint/toml_include_test.sh).
//
// toml++ 3.3.0 (Debian 12) checks its parser's preconditions with
// TOML_ASSERT_ASSUME, and one of them is wrong: parse_table_header calls
// parse_key on whatever follows '[' or '[[', and parse_key asserts that it
// starts a key, before its own branch that reports "expected bare key
// starting character". So `[#a]`, `[=a]` or a NUL there (the `config` fuzz
// target found it) aborts a build without NDEBUG, and with NDEBUG becomes
// __builtin_assume where the compiler has it (clang): undefined behaviour
// on a malformed config. Fixed upstream in marzer/tomlplusplus#301 (2026),
// not in Debian 12.
//
// The checks are therefore no-ops in every build, without NDEBUG (so that
// toml++ uses TOML_ASSERT, not an assumption): the parser then reaches its
// error branch and the operator gets the syntax error with its line and
// column, as g++'s release builds already did (g++ 12 has no
// __builtin_assume). NDEBUG is restored after the include.
#ifdef TOML_ASSERT
#error "config/toml.hpp must be the first to include toml++"
#endif
#define TOML_ASSERT(expr) static_assert(true)
#pragma push_macro("NDEBUG")
#undef NDEBUG
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")
