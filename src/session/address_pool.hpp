// IPv4 address pools given as ranges or CIDR blocks, as in ppp.conf
// (`set ifaddr 192.168.1.1 192.168.1.10-192.168.1.20`). Allocation and release are O(1).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/ipv4.hpp"

namespace pppoe::session {

struct AddressRange {
  Ipv4Address first;
  Ipv4Address last;
};

/// Parses "a.b.c.d-e.f.g.h", "a.b.c.d/nn" or a single address; several separated by commas.
/// A CIDR block of /30 or wider excludes its network and broadcast addresses.
std::expected<std::vector<AddressRange>, std::string> parse_ranges(std::string_view text);

/// The smallest set of CIDR prefixes covering `r`: the routes the TUN needs.
std::vector<std::pair<Ipv4Address, int>> covering_prefixes(const AddressRange& r);

class AddressPool {
 public:
  /// `exclude` (the local address) is never handed out.
  AddressPool(std::vector<AddressRange> ranges, Ipv4Address exclude);

  /// The lowest-numbered free address first, then the most recently released.
  std::optional<Ipv4Address> allocate();
  /// Takes `a` (a fixed address from ppp.secret); false if it is already in use.
  bool reserve(Ipv4Address a);
  void release(Ipv4Address a);

  [[nodiscard]] std::size_t capacity() const { return addresses_.size(); }
  [[nodiscard]] std::size_t in_use() const { return used_count_; }
  [[nodiscard]] const std::vector<AddressRange>& ranges() const { return ranges_; }
  [[nodiscard]] bool contains(Ipv4Address a) const;

 private:
  std::optional<std::size_t> index_of(Ipv4Address a) const;
  std::vector<AddressRange> ranges_;
  std::vector<std::uint32_t> addresses_;
  std::vector<std::uint8_t> used_;
  std::vector<std::size_t> free_;  ///< stack of indices; may hold stale entries of reserved ones
  std::unordered_set<std::uint32_t> fixed_outside_;  ///< fixed addresses outside every range
  std::size_t used_count_ = 0;
};

}  // namespace pppoe::session
