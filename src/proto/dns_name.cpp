#include "proto/dns_name.hpp"

namespace pppoe::dns {

bool write_name(ByteWriter& w, const std::string& name) {
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    std::size_t len = dot - start;
    if (len == 0 || len > 63) return false;
    w.u8(static_cast<std::uint8_t>(len));
    w.text(std::string_view(name).substr(start, len));
    start = dot + 1;
  }
  w.u8(0);
  return true;
}

std::optional<std::vector<std::string>> read_names(Bytes o, std::size_t max) {
  std::vector<std::string> names;
  std::size_t at = 0;
  while (at < o.size() && o[at] != 0 && names.size() < max) {
    std::string name;
    while (at < o.size() && o[at] != 0) {
      std::size_t len = o[at];
      if (len > 63 || at + 1 + len > o.size()) return std::nullopt;
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<const char*>(o.data() + at + 1), len);
      at += 1 + len;
    }
    ++at;  // the root label
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace pppoe::dns
