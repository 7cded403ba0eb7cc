# cmake -DIN=FILE -DOUT=HEADER -DNAME=IDENTIFIER -P embed.cmake: FILE's bytes as a C++ array in
# HEADER (inline constexpr std::uint8_t NAME[]), so that pppoed carries its BPF objects and
# loads them from memory, never from a path an installation could get wrong.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}" "// Generated from ${IN} by cmake/embed.cmake. Do not edit.\n#pragma once\n#include <cstdint>\n\ninline constexpr std::uint8_t ${NAME}[] = {\n${bytes}\n};\n")
