// OpenBSD's pppoe(4) configuration, /etc/hostname.pppoeN (spec/002), as a second syntax:
//
//   inet6 eui64
//   inet NONE (backslash-newline)
//           pppoedev em0 authproto pap (backslash-newline)
//           authname 'testcaller' authkey 'donttell' up
//   !/sbin/route add default -ifp pppoe0
//
// read into the same Profile as ppp.conf. The interface is named after the file (pppoe0).
// Translation table (docs/pppoec.8.md):
//   inet ADDR|NONE [MASK] [DEST]   local: NONE or 0.0.0.0 = wildcard, else fixed; DEST: 0.0.0.1
//                                  (or none) = wildcard remote, else fixed
//   pppoedev IF / pppoesvc NAME / pppoeac NAME   set device PPPoE:IF:NAME / set pppoe acname
//   authproto pap|chap, authname, authkey        accept only that method; credentials
//   mtu N                                        set mtu N (RFC 4638 above 1492)
//   link1 / -link1                               dial on demand (-auto) / keep-alive (-ddial)
//   up, debug, -debug, inet6 eui64               accepted (IPv6CP is on; eui64 is what it uses)
//   !/sbin/route add [-inet6] default -ifp IF .. a default route through the session at link up
// Anything else is an error naming file, line and what was expected; `link0` (pppoe(4)'s
// server mode) is refused: pppoed is the server.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "pppoec/conf_parser.hpp"

namespace pppoe::pppoec {

struct LoadedHostnameIf {
  LoadedProfile loaded;
  bool dial_on_demand = false;  ///< link1
};

/// True when `path` names a hostname.if file (its file name starts with "hostname.").
bool is_hostname_if(const std::string& path);

/// Parses the text of /etc/hostname.`ifname`.
[[nodiscard]] std::expected<LoadedHostnameIf, ConfError> load_hostname_if(std::string_view text, const std::string& file,
                                                                          const std::string& ifname);
[[nodiscard]] std::expected<LoadedHostnameIf, ConfError> load_hostname_if_file(const std::string& path);

}  // namespace pppoe::pppoec
