# pppoe_bpf_object(NAME SOURCE HEADER [DEPENDS FILE...]): compiles SOURCE with clang's BPF
# target into NAME.bpf.o in the current build directory and embeds it as
# `k_NAME_object` in HEADER (cmake/embed.cmake), for the fast path's programs and the tests'.
find_program(CLANG_BPF NAMES clang-16 clang REQUIRED)
function(pppoe_bpf_object name src hdr)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  get_filename_component(src_dir ${src} DIRECTORY)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CLANG_BPF} -O2 -g -Wall -Werror -target bpf -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}
            -I${src_dir} -c ${src} -o ${obj}
    DEPENDS ${src} ${ARG_DEPENDS}
    COMMENT "BPF ${name}")
  add_custom_command(
    OUTPUT ${hdr}
    COMMAND ${CMAKE_COMMAND} -DIN=${obj} -DOUT=${hdr} -DNAME=k_${name}_object -P ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${obj} ${CMAKE_SOURCE_DIR}/cmake/embed.cmake)
endfunction()
