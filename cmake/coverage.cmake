# -DDSR_COVERAGE=ON: gcov instrumentation, and the target `coverage`, which
# runs the whole test suite and reports line and branch coverage of lib/
# with gcovr (Debian package gcovr): a summary on the terminal, the detail
# as HTML in coverage/index.html, and coverage/summary.json for scripts.
# scripts/coverage does all of it from a clean directory. Not optimised, so
# a line counts as run only when it was.
option(DSR_COVERAGE "Instrument for line and branch coverage; the target coverage runs the suite and reports lib/" OFF)
if(NOT DSR_COVERAGE)
  return()
endif()
if(DSR_SANITIZE OR DSR_FUZZ)
  message(FATAL_ERROR "DSR_COVERAGE wants a build of its own, without DSR_SANITIZE or DSR_FUZZ")
endif()
find_program(GCOVR_PROGRAM gcovr REQUIRED)
target_compile_options(dsr_flags INTERFACE --coverage -O0)
target_link_options(dsr_flags INTERFACE --coverage)

add_custom_target(coverage
  COMMAND ${PROJECT_SOURCE_DIR}/cmake/coverage_report.sh ${CMAKE_BINARY_DIR} ${PROJECT_SOURCE_DIR}
  USES_TERMINAL
  COMMENT "Running the test suite under gcov and reporting lib/ (coverage/index.html)")
