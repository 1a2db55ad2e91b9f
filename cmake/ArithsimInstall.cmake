# `cmake --install BUILD --prefix P`: the public headers under P/include/arithsim/, the
# libraries, the programs, P/lib/cmake/arithsim (find_package(arithsim) with imported
# targets arithsim::formats, arithsim::numbers, arithsim::pe, arithsim::cost, ...) and
# P/lib/pkgconfig/arithsim.pc. Internal headers (YAML helpers) are not installed.
include(CMakePackageConfigHelpers)

# Library target -> exported name (arithsim::NAME), lowest layer first (the pkg-config
# link line is this list reversed).
set(_arithsim_exported
  arithsim_escape:escape arithsim_formats:formats arithsim_tensor:tensor arithsim_units:units
  arithsim_numbers:numbers arithsim_pe:pe arithsim_cycle:cycle arithsim_io:io arithsim_cost:cost)
set(_targets)
set(_pc_libs)
foreach(_pair ${_arithsim_exported})
  string(REPLACE ":" ";" _pair ${_pair})
  list(GET _pair 0 _target)
  list(GET _pair 1 _name)
  set_target_properties(${_target} PROPERTIES EXPORT_NAME ${_name})
  add_library(arithsim::${_name} ALIAS ${_target})  # the same names for add_subdirectory users
  list(APPEND _targets ${_target})
  get_target_property(_type ${_target} TYPE)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    target_compile_features(${_target} INTERFACE cxx_std_20)
  else()
    target_compile_features(${_target} PUBLIC cxx_std_20)  # the headers need C++20: consumers get it
    list(PREPEND _pc_libs "-l${_target}")
  endif()
endforeach()
list(JOIN _pc_libs " " ARITHSIM_PC_LIBS)

install(TARGETS ${_targets} EXPORT arithsimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS arithsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET arithsim-cosim)
  install(TARGETS arithsim-cosim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})  # beside arithsim, which runs it
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/arithsim/models
        FILES_MATCHING PATTERN "*.hpp" PATTERN "yaml_document.hpp" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/cost/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/arithsim/cost
        FILES_MATCHING PATTERN "*.hpp" PATTERN "yaml_fields.hpp" EXCLUDE PATTERN "library" EXCLUDE)

set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/arithsim)
install(EXPORT arithsimTargets NAMESPACE arithsim:: DESTINATION ${_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/arithsimConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/arithsimConfig.cmake INSTALL_DESTINATION ${_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/arithsimConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/arithsimConfig.cmake ${PROJECT_BINARY_DIR}/arithsimConfigVersion.cmake
        DESTINATION ${_cmake_dir})

# The prefix relative to the .pc file, for any LIBDIR depth (lib, lib/x86_64-linux-gnu).
file(RELATIVE_PATH ARITHSIM_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" ARITHSIM_PC_TO_PREFIX "${ARITHSIM_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/arithsim.pc.in ${PROJECT_BINARY_DIR}/arithsim.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/arithsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
