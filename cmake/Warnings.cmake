# hiresync_target_warnings(<target>): the project's warning set on one target.
function(hiresync_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
    -Wnon-virtual-dtor -Wno-unused-parameter)
  if(HIRESYNC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
