# Shared build helpers. Every target gets the same warnings; tests get labels and timeouts.

set(VIGIL_WARNINGS -Wall -Wextra -Wno-unused-parameter)
if(VIGIL_WERROR)
  list(APPEND VIGIL_WARNINGS -Werror)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 at -O2 reports false positives from inlined libstdc++ code (GCC bugs 105329,
    # 105651, 106199): keep them visible as warnings, but not fatal.
    list(APPEND VIGIL_WARNINGS -Wno-error=restrict -Wno-error=maybe-uninitialized
         -Wno-error=stringop-overflow -Wno-error=array-bounds -Wno-error=dangling-pointer)
  endif()
endif()
if(VIGIL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(VIGIL_FUZZ)
  # Instrument every library for coverage; the fuzz targets add -fsanitize=fuzzer at link.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# vigil_library(NAME area SOURCES ... DEPS ...)
# One static library per src/<area>/, named vigil_<area>, include root at src/.
function(vigil_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(vigil_${name} STATIC ${ARG_SOURCES})
  target_include_directories(vigil_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(vigil_${name} PRIVATE ${VIGIL_WARNINGS})
  target_link_libraries(vigil_${name} PUBLIC ${ARG_DEPS})
endfunction()

# vigil_test(NAME SOURCES ... DEPS ... [LABELS unit|integration|kernel|browser|slow]
#            [TIMEOUT s] [RESOURCE_LOCK name])
# A gtest binary registered as one ctest entry. The default label is `unit`; per-test
# timeout never above 120 s (CI budget, issue 2).
function(vigil_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;RESOURCE_LOCK" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${VIGIL_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  _vigil_test_properties(${name} "${ARG_LABELS}" "${ARG_TIMEOUT}" "${ARG_RESOURCE_LOCK}")
endfunction()

# Labels (default `unit`), timeout (default 60 s, never above the 120 s budget), an optional
# RESOURCE_LOCK, and the environment every test reads: VIGIL_SOURCE_DIR, VIGIL_BUILD_DIR
# (cached fixtures live under it) and VIGIL_BIN (the real `vigil` binary).
function(_vigil_test_properties name labels timeout lock)
  if(NOT labels)
    set(labels unit)
  endif()
  if(NOT timeout)
    set(timeout 60)
  endif()
  if(timeout GREATER 120)
    message(FATAL_ERROR "test ${name}: timeout ${timeout}s exceeds the 120s budget")
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT ${timeout}
    ENVIRONMENT "VIGIL_SOURCE_DIR=${PROJECT_SOURCE_DIR};VIGIL_BUILD_DIR=${PROJECT_BINARY_DIR};VIGIL_BIN=$<TARGET_FILE:vigil>")
  if(lock)
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK ${lock})
  endif()
endfunction()

# vigil_script_test(NAME COMMAND ... [LABELS ...] [TIMEOUT s] [RESOURCE_LOCK name])
# A test that is a script (shell/python) driving the real `vigil` binary.
function(vigil_script_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;RESOURCE_LOCK" "COMMAND;LABELS" ${ARGN})
  add_test(NAME ${name} COMMAND ${ARG_COMMAND} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  _vigil_test_properties(${name} "${ARG_LABELS}" "${ARG_TIMEOUT}" "${ARG_RESOURCE_LOCK}")
  # Exit 77 = skipped (the facility is absent); the script prints why.
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()

# vigil_fuzz(NAME SOURCES ... DEPS ... CORPUS dir)
# A fuzz target defines LLVMFuzzerTestOneInput. With -DVIGIL_FUZZ=ON (clang) it links
# libFuzzer and the `fuzz` target runs it over its seed corpus for at most 10 s. Without it,
# the same source links a replay driver (src/base/fuzz_replay_main.cc) so `make test` feeds
# every seed through the parser under g++ too (label `unit`).
set(VIGIL_FUZZ_TARGETS "" CACHE INTERNAL "")
function(vigil_fuzz name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  set(target fuzz_${name})
  if(VIGIL_FUZZ)
    add_executable(${target} ${ARG_SOURCES})
    target_link_libraries(${target} PRIVATE ${ARG_DEPS})
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
    set(VIGIL_FUZZ_TARGETS "${VIGIL_FUZZ_TARGETS};${target}|${ARG_CORPUS}" CACHE INTERNAL "")
  else()
    add_executable(${target} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/src/base/fuzz_replay_main.cc)
    target_link_libraries(${target} PRIVATE ${ARG_DEPS})
    add_test(NAME ${target}_seeds COMMAND ${target} ${ARG_CORPUS})
    set_tests_properties(${target}_seeds PROPERTIES LABELS unit TIMEOUT 60)
  endif()
  target_compile_options(${target} PRIVATE ${VIGIL_WARNINGS})
endfunction()

# vigil_embed_files(OUTPUT file.cc DIR data/x EXT ext HEADER area/x_data.h NAMESPACE ns
#                   FUNCTION Name TYPE Type TAG tag)
# Generates OUTPUT at build time from every DIR/*.EXT (cmake/embed_files.cmake), so data files
# (rules, standards) become part of the binary and a changed file re-embeds.
function(vigil_embed_files)
  cmake_parse_arguments(ARG "" "OUTPUT;DIR;EXT;HEADER;NAMESPACE;FUNCTION;TYPE;TAG" "" ${ARGN})
  file(GLOB files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${ARG_DIR}/*.${ARG_EXT})
  add_custom_command(OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DDIR=${PROJECT_SOURCE_DIR}/${ARG_DIR} -DEXT=${ARG_EXT}
            -DOUT=${ARG_OUTPUT} -DHEADER=${ARG_HEADER}
            -DNAMESPACE=${ARG_NAMESPACE} -DFUNCTION=${ARG_FUNCTION}
            -DTYPE=${ARG_TYPE} -DTAG=${ARG_TAG} -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    COMMENT "Embedding ${ARG_DIR}/*.${ARG_EXT}")
endfunction()
