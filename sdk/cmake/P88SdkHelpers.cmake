# p88_add_plugin(<name> <sources...>)
# Builds a provider plugin: a MODULE library (loaded with dlopen, never linked), C++17, symbols
# hidden except p88_plugin_entry, and undefined symbols refused at link time so a missing symbol
# fails the build instead of the host's load.
function(p88_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE P88::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_STANDARD 17
    CXX_STANDARD_REQUIRED ON
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${name} PRIVATE "LINKER:--no-undefined")
endfunction()
