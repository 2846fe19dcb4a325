# Builds sdk/examples/hello-provider the way a third party would — against the SDK as installed,
# in its own CMake project — then checks that p88host loads it.
file(REMOVE_RECURSE "${WORK_DIR}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --component sdk --prefix "${WORK_DIR}/prefix")
if(NOT EXISTS "${WORK_DIR}/prefix/include/p88/plugin.h")
  message(FATAL_ERROR "the SDK install has no include/p88/plugin.h")
endif()
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/sdk/examples/hello-provider" -B "${WORK_DIR}/build"
    "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix" -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run("${P88HOST}" --list-plugins --plugin-dir "${WORK_DIR}/build" --log-dir "${WORK_DIR}/logs")
message("${out}")
if(NOT out MATCHES "hello_provider.so +Hello Races +1.0.0 +1.2 +api-key +600 +events\\[full\\] participants\\[full,incremental\\] +ok")
  message(FATAL_ERROR "p88host did not list the example plugin as loaded:\n${out}")
endif()
