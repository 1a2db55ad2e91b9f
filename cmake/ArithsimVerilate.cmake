# arithsim_verilate(<target> <top module> SOURCES <rtl files...> [PREFIX name] [SYSTEMC]
#                   [TRACE_FST] [QUICK_BUILD] [ARGS ...])
# Verilates one RTL top (with the shared blocks it instantiates, e.g. rtl/common/*.sv) into
# <target> through Verilator's own CMake integration; PREFIX (default V<top>) names the model
# class, so several parameterizations of one module can live in one target (ARGS -G...).
# Keeps our warning and sanitizer flags off the code that is not ours: Verilator's runtime
# headers become system headers; its runtime sources and the C++ it generates (V*.cpp)
# compile with -w and without sanitizers (UBSan reports misaligned accesses in its FST code).
# QUICK_BUILD compiles the generated model at -O0: for large models that a test runs for a
# few thousand edges, where -O3 on their huge generated functions costs many minutes.
find_package(verilator 5 REQUIRED)

# The shared RTL building blocks every PE may instantiate, and the PEs themselves (the
# sources of rtl/pe_array.sv).
file(GLOB ARITHSIM_RTL_COMMON CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/rtl/common/*.sv)
set(ARITHSIM_RTL_PES)
foreach(pe int_mac fp8_mac lmul_pe mixpe lut_tensor_core rmmec)
  list(APPEND ARITHSIM_RTL_PES ${PROJECT_SOURCE_DIR}/rtl/${pe}.sv)
endforeach()

function(arithsim_verilate target top)
  cmake_parse_arguments(AV "SYSTEMC;TRACE_FST;QUICK_BUILD" "PREFIX" "SOURCES;ARGS" ${ARGN})
  set(flags)
  if(AV_SYSTEMC)
    list(APPEND flags SYSTEMC)
  endif()
  if(AV_TRACE_FST)
    list(APPEND flags TRACE_FST)
  endif()
  if(NOT AV_PREFIX)
    set(AV_PREFIX V${top})
  endif()
  verilate(${target} ${flags} SOURCES ${AV_SOURCES} TOP_MODULE ${top} PREFIX ${AV_PREFIX}
           VERILATOR_ARGS -Wall ${AV_ARGS})
  target_include_directories(${target} SYSTEM PRIVATE ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
  get_target_property(sources ${target} SOURCES)
  set(options "-w;-fno-sanitize=all")
  if(AV_QUICK_BUILD)
    list(APPEND options -O0)
  endif()
  foreach(src IN LISTS sources)
    if(src MATCHES "^${VERILATOR_ROOT}")
      set_source_files_properties(${src} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_OPTIONS "-w;-fno-sanitize=all")
    elseif(src MATCHES "/${AV_PREFIX}\\.dir/.*\\.cpp$")  # this model's generated files only
      set_source_files_properties(${src} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_OPTIONS "${options}")
    endif()
  endforeach()
endfunction()
