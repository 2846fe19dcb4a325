# p88_embed_sql(<target> <namespace> <files...>)
# Compiles named .sql files into the target as string constants, so the SQL lives in .sql files
# (readable, diffable) and the binary needs no data files at run time.
function(p88_embed_sql target)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded_sql.cpp")
  set(inputs "")
  set(joined "")
  foreach(f IN LISTS ARGN)
    get_filename_component(abs "${f}" ABSOLUTE)
    list(APPEND inputs "${abs}")
    string(APPEND joined "${abs}|")
  endforeach()
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} "-DINPUTS=${joined}" -DBASE=${CMAKE_CURRENT_SOURCE_DIR}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedSqlGenerate.cmake
    DEPENDS ${inputs} ${PROJECT_SOURCE_DIR}/cmake/EmbedSqlGenerate.cmake
    COMMENT "Embedding SQL files into ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
