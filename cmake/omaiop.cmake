# Build conventions shared by every layer.
#
# A layer folder holds foo.h / foo.cc / foo_test.cc / foo_fuzz.cc side by side.
# omaiop_add_layer() globs them so that adding a file needs no CMake edit:
#   *.cc (not _test/_fuzz/main)  -> static library NAME
#   *_test.cc                    -> NAME_test, one CTest test per TEST()
#   *_fuzz.cc                    -> a libFuzzer target (OMAIOP_FUZZ=ON) or, by
#                                   default, a replay of its seed corpus
#                                   fixtures/corpus/<file stem>/ as a CTest test.

set(OMAIOP_WARNINGS -Wall -Wextra -Wno-unused-parameter)
if(OMAIOP_WERROR)
  list(APPEND OMAIOP_WARNINGS -Werror)
endif()

if(OMAIOP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(OMAIOP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "OMAIOP_FUZZ needs clang: scripts/setup --fuzz sets it")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

set(OMAIOP_CORPUS_DIR ${CMAKE_SOURCE_DIR}/fixtures/corpus)

function(omaiop_add_layer NAME DIR)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${DIR}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "(_test|_fuzz|_bench)\\.cc$")
  list(FILTER srcs EXCLUDE REGEX "/main\\.cc$")
  add_library(${NAME} STATIC ${srcs})
  target_include_directories(${NAME} PUBLIC ${CMAKE_SOURCE_DIR}
                                            ${CMAKE_BINARY_DIR}/generated)
  target_compile_options(${NAME} PRIVATE ${OMAIOP_WARNINGS})
  target_link_libraries(${NAME} PUBLIC ${ARG_DEPS})

  file(GLOB tests CONFIGURE_DEPENDS ${DIR}/*_test.cc)
  if(tests)
    add_executable(${NAME}_test ${tests})
    target_compile_options(${NAME}_test PRIVATE ${OMAIOP_WARNINGS})
    target_compile_definitions(${NAME}_test PRIVATE
      OMAIOP_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    target_link_libraries(${NAME}_test PRIVATE ${NAME} ${ARG_TEST_DEPS}
                          GTest::gmock GTest::gtest_main)
    gtest_discover_tests(${NAME}_test DISCOVERY_TIMEOUT 120
      TEST_PREFIX "${NAME}." PROPERTIES LABELS unit)
  endif()

  file(GLOB fuzzers CONFIGURE_DEPENDS ${DIR}/*_fuzz.cc)
  foreach(f ${fuzzers})
    get_filename_component(stem ${f} NAME_WE)
    add_executable(${stem} ${f})
    target_link_libraries(${stem} PRIVATE ${NAME})
    # All fuzz targets in one place for scripts/fuzz.
    set_target_properties(${stem} PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    if(OMAIOP_FUZZ)
      target_link_options(${stem} PRIVATE -fsanitize=fuzzer)
    else()
      target_sources(${stem} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz_replay_main.cc)
      add_test(NAME fuzz_replay.${stem}
               COMMAND ${stem} ${OMAIOP_CORPUS_DIR}/${stem})
      set_tests_properties(fuzz_replay.${stem} PROPERTIES LABELS "fuzz_replay")
    endif()
  endforeach()
endfunction()
