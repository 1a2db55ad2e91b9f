# arithsim_verilate(<target> <rtl file> <top module> [SYSTEMC] [TRACE_FST] [ARGS ...])
# Verilates one RTL module into <target> through Verilator's own CMake integration, and keeps
# our warning and sanitizer flags off the code that is not ours: Verilator's runtime headers
# become system headers; its runtime sources and the C++ it generates (V*.cpp) compile with
# -w and without sanitizers (UBSan reports misaligned accesses inside its FST/trace code).
find_package(verilator 5 REQUIRED)

function(arithsim_verilate target rtl top)
  cmake_parse_arguments(AV "SYSTEMC;TRACE_FST" "" "ARGS" ${ARGN})
  set(flags)
  if(AV_SYSTEMC)
    list(APPEND flags SYSTEMC)
  endif()
  if(AV_TRACE_FST)
    list(APPEND flags TRACE_FST)
  endif()
  verilate(${target} ${flags} SOURCES ${rtl} TOP_MODULE ${top} PREFIX V${top} VERILATOR_ARGS -Wall ${AV_ARGS})
  target_include_directories(${target} SYSTEM PRIVATE ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
  get_target_property(sources ${target} SOURCES)
  foreach(src IN LISTS sources)
    if(src MATCHES "^${VERILATOR_ROOT}" OR src MATCHES "/V[A-Za-z0-9_]+\\.cpp$")
      set_source_files_properties(${src} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_OPTIONS "-w;-fno-sanitize=all")
    endif()
  endforeach()
endfunction()
