#include "dataplane/fast_path.hpp"

#include "bpf/fast_path_down_object.hpp"
#include "bpf/fast_path_up_object.hpp"
#include "proto/ip.hpp"

extern "C" {
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "fast_path.h"
}

#include <arpa/inet.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <utility>
#include <vector>

namespace pppoe::dataplane {
namespace {

// libbpf reports through a print callback; a failed load is explained by the verifier's
// verdict, the last line of its log before the "processed N insns" summary.
thread_local std::string g_libbpf_text;

int keep_text(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG || g_libbpf_text.size() > (1u << 20)) return 0;
  va_list again;
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, format, args);  // the verifier's log comes as one message
  if (n > 0) {
    std::string text(static_cast<std::size_t>(n) + 1, '\0');
    std::vsnprintf(text.data(), text.size(), format, again);
    text.pop_back();
    g_libbpf_text += text;
  }
  va_end(again);
  return 0;
}

std::string verifier_verdict() {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < g_libbpf_text.size()) {
    std::size_t end = g_libbpf_text.find('\n', start);
    if (end == std::string::npos) end = g_libbpf_text.size();
    if (end > start) lines.push_back(g_libbpf_text.substr(start, end - start));
    start = end + 1;
  }
  for (std::size_t i = 1; i < lines.size(); ++i)
    if (lines[i].starts_with("processed ")) return lines[i - 1];
  return lines.empty() ? "" : lines.back();
}

static_assert(sizeof(pppoe_fp_session) == 64, "one cache line per session");

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

// enum bpf_attach_type's BPF_TCX_INGRESS (Linux 6.6): newer than the uapi headers of Debian 12.
constexpr auto kTcxIngress = static_cast<bpf_attach_type>(46);
constexpr auto kTcxEgress = static_cast<bpf_attach_type>(47);

// The VLAN stack as both maps' entries hold it: count, then TPIDs and TCIs in network order.
template <typename Entry>
void put_tags(const ether::VlanStack& vlans, Entry& e) {
  e.tags = vlans.count;
  for (std::size_t i = 0; i < vlans.count && i < 2; ++i) {
    e.tpid[i] = htons(vlans.tags[i].tpid);
    e.tci[i] = htons(vlans.tags[i].tci);
  }
}

// A per-CPU map's value is one entry per possible CPU.
std::size_t possible_cpus() {
  int n = libbpf_num_possible_cpus();
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

template <typename Counters, typename Key>
bool zero_per_cpu(int fd, const Key& key) {
  std::vector<Counters> zero(possible_cpus());
  return !zero.empty() && bpf_map_update_elem(fd, &key, zero.data(), BPF_ANY) == 0;
}

/// The entries of every CPU, or the errno of the lookup (ENODEV if the CPUs cannot be counted).
template <typename Counters, typename Key>
std::expected<std::vector<Counters>, int> read_per_cpu(int fd, const Key& key) {
  std::vector<Counters> per_cpu(possible_cpus());
  if (per_cpu.empty()) return std::unexpected(ENODEV);
  if (bpf_map_lookup_elem(fd, &key, per_cpu.data()) != 0) return std::unexpected(errno);
  return per_cpu;
}

std::expected<bpf_object*, std::string> open_and_load(const std::uint8_t* bytes, std::size_t size, const char* name) {
  g_libbpf_text.clear();
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);
  bpf_object* o = bpf_object__open_mem(bytes, size, &opts);
  if (o == nullptr) return std::unexpected(fmt::format("BPF object {}: {}", name, errno_text(errno)));
  if (int err = bpf_object__load(o); err != 0) {
    bpf_object__close(o);
    const std::string why = verifier_verdict();
    return std::unexpected(fmt::format("loading the BPF object {}: {}{}{}", name, errno_text(err),
                                       why.empty() ? "" : ": ", why));
  }
  return o;
}

}  // namespace

FastPath::Objects FastPath::embedded_objects() {
  return {std::span<const std::uint8_t>(k_fast_path_up_object, sizeof k_fast_path_up_object),
          std::span<const std::uint8_t>(k_fast_path_down_object, sizeof k_fast_path_down_object)};
}

std::expected<FastPath, std::string> FastPath::load(const Objects& objects) {
  libbpf_set_print(keep_text);
  FastPath fp;
  auto up = open_and_load(objects.up.data(), objects.up.size(), "pppoe_fp_up");
  if (!up) return std::unexpected(up.error());
  fp.up_ = *up;
  auto down = open_and_load(objects.down.data(), objects.down.size(), "pppoe_fp_down");
  if (!down) return std::unexpected(down.error());
  fp.down_ = *down;
  bpf_program* prog = bpf_object__find_program_by_name(fp.up_, "pppoe_fast_path_up");
  fp.up_fd_ = prog ? bpf_program__fd(prog) : -1;
  fp.sessions_fd_ = bpf_object__find_map_fd_by_name(fp.up_, "pppoe_fp_sessions");
  fp.counters_fd_ = bpf_object__find_map_fd_by_name(fp.up_, "pppoe_fp_counters");
  fp.routed_fd_ = bpf_object__find_map_fd_by_name(fp.up_, "pppoe_fp_routed");
  fp.by_addr_fd_ = bpf_object__find_map_fd_by_name(fp.down_, "pppoe_fp_by_addr");
  fp.by_prefix6_fd_ = bpf_object__find_map_fd_by_name(fp.down_, "pppoe_fp_by_prefix6");
  fp.down_counters_fd_ = bpf_object__find_map_fd_by_name(fp.down_, "pppoe_fp_down_counters");
  if (fp.up_fd_ < 0 || fp.sessions_fd_ < 0 || fp.counters_fd_ < 0 || fp.routed_fd_ < 0 || fp.by_addr_fd_ < 0 ||
      fp.by_prefix6_fd_ < 0 || fp.down_counters_fd_ < 0)
    return std::unexpected("the fast path's BPF objects lack a program or map");
  return fp;
}

FastPath::FastPath(FastPath&& o) noexcept { *this = std::move(o); }

FastPath& FastPath::operator=(FastPath&& o) noexcept {
  if (this != &o) {
    close();
    up_ = std::exchange(o.up_, nullptr);
    down_ = std::exchange(o.down_, nullptr);
    up_fd_ = std::exchange(o.up_fd_, -1);
    sessions_fd_ = std::exchange(o.sessions_fd_, -1);
    counters_fd_ = std::exchange(o.counters_fd_, -1);
    routed_fd_ = std::exchange(o.routed_fd_, -1);
    by_addr_fd_ = std::exchange(o.by_addr_fd_, -1);
    by_prefix6_fd_ = std::exchange(o.by_prefix6_fd_, -1);
    down_counters_fd_ = std::exchange(o.down_counters_fd_, -1);
    links_ = std::exchange(o.links_, {});
    link_fds_ = std::exchange(o.link_fds_, {});
  }
  return *this;
}

FastPath::~FastPath() { close(); }

void FastPath::close() {
  for (bpf_link* l : links_) bpf_link__destroy(l);  // detaches: no program left on the interface
  links_.clear();
  for (int fd : link_fds_) ::close(fd);
  link_fds_.clear();
  for (bpf_object* o : {up_, down_})
    if (o != nullptr) bpf_object__close(o);  // the fds are the objects'
  up_ = down_ = nullptr;
  up_fd_ = sessions_fd_ = counters_fd_ = routed_fd_ = by_addr_fd_ = by_prefix6_fd_ = down_counters_fd_ = -1;
}

void FastPath::close_links_in_child() {
  for (bpf_link* l : links_) ::close(bpf_link__fd(l));  // bpf_link__destroy would detach them
  links_.clear();  // leaked in the child on purpose: destroying them detaches
  for (int fd : link_fds_) ::close(fd);
  link_fds_.clear();
}

namespace {
pppoe_fp_session session_value(std::uint32_t ifindex, const FastPathSession& s) {
  pppoe_fp_session v{};
  v.ifindex = ifindex;
  std::memcpy(v.client_mac, s.client_mac.octets.data(), sizeof v.client_mac);
  put_tags(s.vlans, v);
  v.ipv4 = htonl(s.ipv4);
  v.flags = static_cast<__u8>((s.ipv4 != 0 ? PPPOE_FP_IPV4 : 0) | (s.ipv6_id != 0 ? PPPOE_FP_IPV6 : 0) |
                              (s.syn_to_userland ? PPPOE_FP_SYN_TO_USERLAND : 0));
  if (s.ipv6_id != 0) {
    v.ipv6_id = s.ipv6_id;
    v.wan = s.wan.upper;
    v.wan_len = s.wan.length;
    v.delegated = s.delegated.upper;
    v.delegated_len = s.delegated.length;
  }
  return v;
}

/// The session array's entry for `session_id` (an array has one for every ID).
std::optional<pppoe_fp_session> read_session(int fd, std::uint16_t session_id) {
  const std::uint32_t key = session_id;
  pppoe_fp_session v{};
  if (bpf_map_lookup_elem(fd, &key, &v) != 0) return std::nullopt;
  return v;
}

/// Whether the entry forwards for `ifindex` (set there and not switched off).
bool forwards(int fd, std::uint32_t ifindex, std::uint16_t session_id) {
  auto now = read_session(fd, session_id);
  return now && now->ifindex == ifindex && now->flags != 0;
}

/// Writes a session's entry so that the program never forwards by a mix of two entries'
/// fields (bpf/fast_path.h): flags off alone, the new fields with flags off, then flags on.
/// Each write changes either the flags alone or fields that the flags already switch off.
bool write_session(int fd, std::uint16_t session_id, const pppoe_fp_session& v) {
  const std::uint32_t key = session_id;
  auto now = read_session(fd, session_id);
  if (!now) return false;
  if (now->flags != 0) {
    now->flags = 0;
    if (bpf_map_update_elem(fd, &key, &*now, BPF_ANY) != 0) return false;
  }
  pppoe_fp_session off = v;
  off.flags = 0;
  if (bpf_map_update_elem(fd, &key, &off, BPF_ANY) != 0) return false;
  return v.flags == 0 || bpf_map_update_elem(fd, &key, &v, BPF_ANY) == 0;
}
}  // namespace

bool FastPath::set_session(std::uint32_t ifindex, std::uint16_t session_id, const FastPathSession& s) {
  // Counters first, from zero (a session that had this ID before may have left counts).
  if (!zero_per_cpu<pppoe_fp_counters>(counters_fd_, std::uint32_t{session_id})) return false;
  return write_session(sessions_fd_, session_id, session_value(ifindex, s));
}

bool FastPath::update_session(std::uint32_t ifindex, std::uint16_t session_id, const FastPathSession& s) {
  if (!forwards(sessions_fd_, ifindex, session_id)) return false;  // nothing to update
  return write_session(sessions_fd_, session_id, session_value(ifindex, s));
}

std::optional<FastPathCounters> FastPath::remove_session(std::uint32_t ifindex, std::uint16_t session_id) {
  if (!forwards(sessions_fd_, ifindex, session_id)) return std::nullopt;
  // Forwarding stops (flags off) before the last read: nothing counted after it is lost.
  if (!write_session(sessions_fd_, session_id, pppoe_fp_session{})) return std::nullopt;
  auto c = counters(ifindex, session_id);
  zero_per_cpu<pppoe_fp_counters>(counters_fd_, std::uint32_t{session_id});
  return c ? *c : FastPathCounters{};
}

std::expected<FastPathCounters, std::string> FastPath::counters(std::uint32_t ifindex, std::uint16_t session_id) const {
  const std::uint32_t key = session_id;
  auto per_cpu = read_per_cpu<pppoe_fp_counters>(counters_fd_, key);
  if (!per_cpu)
    return std::unexpected(fmt::format("session {} on interface {}: {}", session_id, ifindex, errno_text(per_cpu.error())));
  FastPathCounters sum;
  for (const auto& c : *per_cpu) {
    sum.packets += c.packets;
    sum.octets += c.octets;
    sum.last_ns = std::max<std::uint64_t>(sum.last_ns, c.last_ns);
    sum.foreign_mac += c.foreign_mac;
    sum.spoofed += c.spoofed;
  }
  return sum;
}

FastPathAddresses FastPathAddresses::without(const FastPathAddresses& other) const {
  FastPathAddresses gone;
  if (ipv4 != other.ipv4) gone.ipv4 = ipv4;
  if (ipv6_id != other.ipv6_id) gone.ipv6_id = ipv6_id;
  if (wan != other.wan && wan != other.delegated) gone.wan = wan;
  if (delegated != other.delegated && delegated != other.wan) gone.delegated = delegated;
  return gone;
}

namespace {
pppoe_fp_prefix6 prefix_key(const Ipv6Bytes& address, unsigned length) {
  pppoe_fp_prefix6 k{};
  k.prefixlen = length;
  std::memcpy(k.addr, address.data(), sizeof k.addr);
  return k;
}

/// The IPv6 destinations of `a` as the trie's keys: the link-local /128 (RFC 4291 section
/// 2.5.6: fe80::/64 and the interface identifier), the /64, the delegated prefix.
std::vector<pppoe_fp_prefix6> prefix_keys(const FastPathAddresses& a) {
  std::vector<pppoe_fp_prefix6> keys;
  if (a.ipv6_id != 0) keys.push_back(prefix_key(ip::link_local(a.ipv6_id), 128));
  for (const Ipv6Prefix& p : {a.wan, a.delegated})
    if (!p.empty()) keys.push_back(prefix_key(p.address(), p.length));
  return keys;
}

pppoe_fp_down down_value(const FastPathDown& d) {
  pppoe_fp_down v{};
  v.ifindex = d.ifindex;
  v.session_id = d.session_id;
  v.mru = d.mru;
  std::memcpy(v.client_mac, d.client_mac.octets.data(), sizeof v.client_mac);
  std::memcpy(v.ac_mac, d.ac_mac.octets.data(), sizeof v.ac_mac);
  put_tags(d.vlans, v);
  v.flags = d.syn_to_userland ? PPPOE_FP_SYN_TO_USERLAND : 0;
  return v;
}

/// Deletes `key` from a destination map if its entry leads to the session.
template <typename Key>
void delete_if_owned(int fd, const Key& key, std::uint32_t ifindex, std::uint16_t session_id) {
  pppoe_fp_down v{};
  if (bpf_map_lookup_elem(fd, &key, &v) == 0 && v.ifindex == ifindex && v.session_id == session_id)
    bpf_map_delete_elem(fd, &key);
}
}  // namespace

bool FastPath::reset_down_counters(std::uint32_t, std::uint16_t session_id) {
  return zero_per_cpu<pppoe_fp_down_counters>(down_counters_fd_, std::uint32_t{session_id});
}

bool FastPath::set_routes(const FastPathAddresses& a, const FastPathDown& d) {
  const pppoe_fp_down v = down_value(d);
  if (a.ipv4 != 0) {
    const std::uint32_t key = htonl(a.ipv4);
    if (bpf_map_update_elem(by_addr_fd_, &key, &v, BPF_ANY) != 0) return false;
  }
  for (const auto& key : prefix_keys(a))
    if (bpf_map_update_elem(by_prefix6_fd_, &key, &v, BPF_ANY) != 0) return false;
  return true;
}

void FastPath::remove_routes(const FastPathAddresses& a, std::uint32_t ifindex, std::uint16_t session_id) {
  if (a.ipv4 != 0) delete_if_owned(by_addr_fd_, htonl(a.ipv4), ifindex, session_id);
  for (const auto& key : prefix_keys(a)) delete_if_owned(by_prefix6_fd_, key, ifindex, session_id);
}

std::optional<FastPathDownCounters> FastPath::remove_down_counters(std::uint32_t ifindex, std::uint16_t session_id) {
  auto c = down_counters(ifindex, session_id);
  if (!c) return std::nullopt;
  zero_per_cpu<pppoe_fp_down_counters>(down_counters_fd_, std::uint32_t{session_id});
  return *c;
}

std::expected<FastPathDownCounters, std::string> FastPath::down_counters(std::uint32_t ifindex,
                                                                         std::uint16_t session_id) const {
  auto per_cpu = read_per_cpu<pppoe_fp_down_counters>(down_counters_fd_, std::uint32_t{session_id});
  if (!per_cpu)
    return std::unexpected(fmt::format("session {} on interface {}: {}", session_id, ifindex, errno_text(per_cpu.error())));
  FastPathDownCounters sum;
  for (const auto& c : *per_cpu) {
    sum.packets += c.packets;
    sum.octets += c.octets;
    sum.last_ns = std::max<std::uint64_t>(sum.last_ns, c.last_ns);
  }
  return sum;
}

namespace {
template <class Key>
std::size_t count_keys(int fd, std::size_t most) {
  std::size_t n = 0;
  Key key{}, next{};
  for (const Key* at = nullptr; bpf_map_get_next_key(fd, at, &next) == 0; at = &key) {
    key = next;
    if (++n > most) break;  // a map changing under the walk: enough
  }
  return n;
}
}  // namespace

std::size_t FastPath::session_entries() const {
  // An array has every key: count the entries that forward, read in batches.
  constexpr std::uint32_t kBatch = 4096;
  std::vector<std::uint32_t> keys(kBatch);
  std::vector<pppoe_fp_session> values(kBatch);
  std::size_t n = 0;
  std::uint32_t next = 0;
  for (std::uint32_t read = 0; read < PPPOE_FP_SESSION_IDS;) {
    __u32 count = kBatch;
    const int err =
        bpf_map_lookup_batch(sessions_fd_, read == 0 ? nullptr : &next, &next, keys.data(), values.data(), &count, nullptr);
    for (std::uint32_t i = 0; i < count && i < kBatch; ++i)
      if (values[i].flags != 0) ++n;
    if (err != 0 || count == 0) break;  // ENOENT with the last batch
    read += count;
  }
  return n;
}
std::size_t FastPath::address_entries() const { return count_keys<std::uint32_t>(by_addr_fd_, PPPOE_FP_MAX_SESSIONS); }
std::size_t FastPath::prefix6_entries() const { return count_keys<pppoe_fp_prefix6>(by_prefix6_fd_, PPPOE_FP_MAX_PREFIXES6); }

std::expected<FastPathVerdict, std::string> FastPath::run_up(std::uint32_t ifindex,
                                                             const std::vector<std::uint8_t>& frame) const {
  std::vector<std::uint8_t> out(frame.size() + 256);
  // The interface must exist in this namespace: the kernel resolves it for the run.
  xdp_md ctx_in{};
  ctx_in.data_end = static_cast<std::uint32_t>(frame.size());  // no metadata in: the frame is all data
  ctx_in.ingress_ifindex = ifindex;
  xdp_md ctx_out{};
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_out = out.data(),
              .data_size_in = static_cast<std::uint32_t>(frame.size()),
              .data_size_out = static_cast<std::uint32_t>(out.size()), .ctx_in = &ctx_in, .ctx_out = &ctx_out,
              .ctx_size_in = sizeof ctx_in, .ctx_size_out = sizeof ctx_out, .repeat = 1);
  if (int err = bpf_prog_test_run_opts(up_fd_, &opts); err != 0)
    return std::unexpected(fmt::format("test run: {}", errno_text(err)));
  FastPathVerdict v;
  switch (opts.retval) {
    case XDP_ABORTED: v.action = FastPathVerdict::Action::kAborted; break;
    case XDP_DROP: v.action = FastPathVerdict::Action::kDrop; break;
    case XDP_PASS: v.action = FastPathVerdict::Action::kPass; break;
    case XDP_TX: v.action = FastPathVerdict::Action::kTx; break;
    default: v.action = FastPathVerdict::Action::kRedirect; break;
  }
  if (opts.data_size_out > out.size()) return std::unexpected("test run: output beyond its buffer");
  v.frame.assign(out.begin(), out.begin() + opts.data_size_out);
  if (v.action == FastPathVerdict::Action::kRedirect) {
    pppoe_fp_routed r{};
    if (bpf_map_lookup_elem(routed_fd_, &ifindex, &r) == 0) v.redirect_to = r.ifindex;
  }
  return v;
}

std::expected<void, std::string> FastPath::attach_tcx(bpf_object* object, const char* program, std::uint32_t ifindex,
                                                     bool ingress) {
  bpf_program* p = bpf_object__find_program_by_name(object, program);
  if (p == nullptr) return std::unexpected(fmt::format("no BPF program {}", program));
  int fd = bpf_link_create(bpf_program__fd(p), static_cast<int>(ifindex), ingress ? kTcxIngress : kTcxEgress, nullptr);
  if (fd < 0)
    return std::unexpected(fmt::format("TC {} (tcx) on interface {}: {}{}", ingress ? "ingress" : "egress", ifindex,
                                       errno_text(fd), fd == -EINVAL ? " (tcx needs Linux 6.6 or later)" : ""));
  link_fds_.push_back(fd);  // the link lives while this descriptor is open
  return {};
}

std::expected<void, std::string> FastPath::set_routed(std::uint32_t ifindex, const FastPathRouted& routed) {
  pppoe_fp_routed r{};
  r.ifindex = routed.peer_ifindex;
  std::memcpy(r.mac, routed.routed_mac.octets.data(), sizeof r.mac);
  if (bpf_map_update_elem(routed_fd_, &ifindex, &r, BPF_ANY) != 0)
    return std::unexpected(fmt::format("routed interface map: {}", errno_text(errno)));
  return {};
}

std::expected<void, std::string> FastPath::attach_up(std::uint32_t ifindex, const FastPathRouted& routed) {
  // The destination first: from the moment XDP runs, a decapsulated packet must find its way on.
  if (auto r = set_routed(ifindex, routed); !r) return r;
  bpf_program* up = bpf_object__find_program_by_name(up_, "pppoe_fast_path_up");
  bpf_link* xdp = up ? bpf_program__attach_xdp(up, static_cast<int>(ifindex)) : nullptr;
  if (xdp == nullptr) return std::unexpected(fmt::format("XDP on interface {}: {}", ifindex, errno_text(errno)));
  links_.push_back(xdp);
  return {};
}

std::expected<void, std::string> FastPath::attach_down(std::uint32_t routed_ifindex) {
  return attach_tcx(down_, "pppoe_fast_path_down", routed_ifindex, false);
}

}  // namespace pppoe::dataplane
