# PM_FUZZ=ON: everything (the library included) is built with ASan, UBSan
# and libFuzzer's coverage instrumentation; the targets in fuzz/ add the
# libFuzzer main (-fsanitize=fuzzer) at link time.
#
# Why clang 16 and not Debian 12's default clang 14: libstdc++ 12's
# <expected> needs conditionally trivial destructors (P0848R3), which clang
# implements from 16 on; clang 14 rejects every std::expected of a
# non-trivial type ("destructor ... implicitly deleted"). Debian 12 ships
# clang-16 and libclang-rt-16-dev in main (scripts/install-deps.sh).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
  message(FATAL_ERROR "PM_FUZZ=ON needs clang++ 16 or newer (CMAKE_CXX_COMPILER=clang++-16), "
                      "found ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
endif()
# libstdc++ 12 declares std::expected only when __cpp_concepts >= 202002L;
# clang 16 implements what <expected> uses but still reports 201907L.
add_compile_options(-U__cpp_concepts -D__cpp_concepts=202002L)
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
