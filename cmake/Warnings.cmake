# hiresync_target_warnings(<target>): the project's warning set on one target.
function(hiresync_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
    -Wnon-virtual-dtor -Wno-unused-parameter
    # Aggregates are built with designated initializers that leave optional fields out.
    -Wno-missing-field-initializers)
  # GCC 12 reports false -Wrestrict errors inside std::string at -O2/-O3 (GCC bug 105329).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(HIRESYNC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
