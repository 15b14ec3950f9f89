# Writes OUT, a C++ source holding every DIR/*.EXT as a raw string literal, so built-in data
# (standards, secret rules) is part of the binary and the product never reads the source
# tree. Run from add_custom_command:
#   cmake -DDIR=<data dir> -DEXT=<yaml|toml> -DOUT=<file.cc> -DHEADER=<area/x_data.h>
#         -DNAMESPACE=<vigil::area::internal> -DFUNCTION=<EmbeddedX> -DTYPE=<EmbeddedXFile>
#         -DTAG=<raw-string delimiter> -P embed_files.cmake
# TYPE is an aggregate {name, source path, text}; FUNCTION returns a const vector of them,
# sorted by file name.
foreach(var DIR EXT OUT HEADER NAMESPACE FUNCTION TYPE TAG)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_files.cmake: -D${var}= is required")
  endif()
endforeach()
file(GLOB files "${DIR}/*.${EXT}")
list(SORT files)
get_filename_component(dir_name "${DIR}" NAME)
set(body "// Generated from data/${dir_name}/*.${EXT} by cmake/embed_files.cmake. Do not edit.\n")
string(APPEND body "#include \"${HEADER}\"\n\nnamespace ${NAMESPACE} {\n\n")
string(APPEND body "const std::vector<${TYPE}>& ${FUNCTION}() {\n")
string(APPEND body "  static const std::vector<${TYPE}> kAll = {\n")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME_WE)
  file(READ "${f}" text)
  string(FIND "${text}" ")${TAG}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains the raw-string delimiter )${TAG}\"")
  endif()
  string(APPEND body
         "      {\"${name}\", \"data/${dir_name}/${name}.${EXT}\", R\"${TAG}(${text})${TAG}\"},\n")
endforeach()
string(APPEND body "  };\n  return kAll;\n}\n\n}  // namespace ${NAMESPACE}\n")
# Rewrite only on change, so an unchanged tree does not rebuild.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL body)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${body}")
