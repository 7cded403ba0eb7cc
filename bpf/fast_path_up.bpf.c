// SPDX-License-Identifier: GPL-2.0
/* Upstream fast path, XDP on the subscriber interface: a PPPoE session frame (RFC 2516
 * section 5.5) carrying IPv4 (PPP protocol 0x0021, RFC 1332) or IPv6 (0x0057, RFC 5072) of a
 * session in pppoe_fp_sessions loses its VLAN, PPPoE and PPP headers, gets an Ethernet header
 * addressed to the routed interface (pppoe0, a veth) and is redirected to that interface's
 * peer: it arrives on pppoe0, where the stack, nftables and routing see it as they see the
 * workers' packets, after one pass through the kernel's receive path. Anything else, and
 * anything this program is not sure of, passes unchanged to the userland path (the workers'
 * packet sockets), which handles and counts it as before: never a guess in the kernel. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fast_path.h"
#include "tcp_syn.h"

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, PPPOE_FP_SESSION_IDS);
  __type(key, __u32); /* the session ID */
  __type(value, struct pppoe_fp_session);
} pppoe_fp_sessions SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, PPPOE_FP_SESSION_IDS);
  __type(key, __u32); /* the session ID */
  __type(value, struct pppoe_fp_counters);
} pppoe_fp_counters SEC(".maps");

/* Subscriber interface (ifindex) -> where its decapsulated packets go. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, struct pppoe_fp_routed);
} pppoe_fp_routed SEC(".maps");

#define ETH_P_PPPOE_SESSION 0x8864
#define ETH_P_8021AD 0x88A8
#define PPPOE_HEADER 6
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define ICMPV6_ROUTER_SOLICITATION 133
#define DHCPV6_SERVER_PORT 547

enum { VERDICT_FORWARD, VERDICT_USERLAND, VERDICT_SPOOFED };

/* An IPv4 packet `packet` of a session frame whose PPPoE LENGTH is `length`: forwarded in the
 * kernel, left to userland, or a spoofed source. `*total` is the packet's length. */
static __always_inline int check_ipv4(__u8 *packet, void *data_end, __u16 length, const struct pppoe_fp_session *s,
                                      __u32 *total) {
  struct iphdr *ip = (void *)packet;
  if ((void *)(ip + 1) > data_end) return VERDICT_USERLAND;
  __u16 len = bpf_ntohs(ip->tot_len);
  /* A header the worker would refuse (version, header length, a total length beyond the
   * PPPoE payload): the userland path counts it as malformed. */
  if (ip->version != 4 || ip->ihl < 5 || len < ip->ihl * 4u || len + 2u > length) return VERDICT_USERLAND;
  if ((void *)ip + len > data_end) return VERDICT_USERLAND;
  if (ip->saddr != s->ipv4) return VERDICT_SPOOFED; /* only the address IPCP gave it */
  if ((s->flags & PPPOE_FP_SYN_TO_USERLAND) && pppoe_fp_syn_or_unsure(ip, len, data_end)) return VERDICT_USERLAND;
  *total = len;
  return VERDICT_FORWARD;
}

static __always_inline __u64 be64_at(const __u8 *p) {
  __u64 v;
  __builtin_memcpy(&v, p, sizeof v);
  return bpf_be64_to_cpu(v);
}

/* Whether the upper 64 bits of an address lie in a prefix of `len` bits (0: no prefix). */
static __always_inline int in_prefix(__u64 upper, __u64 prefix, __u8 len) {
  if (len == 0) return 0;
  __u64 mask = len >= 64 ? ~0ULL : ~0ULL << (64 - len);
  return (upper & mask) == prefix;
}

/* The same for IPv6 (RFC 8200), with what the worker answers itself left to it: Router
 * Solicitations (it sends the Router Advertisement, RFC 4861 section 6.2.6), DHCPv6 to the
 * server port (RFC 8415), and packets from the unspecified address. */
static __always_inline int check_ipv6(__u8 *packet, void *data_end, __u16 length, const struct pppoe_fp_session *s,
                                      __u32 *total) {
  struct ipv6hdr *ip6 = (void *)packet;
  if ((void *)(ip6 + 1) > data_end) return VERDICT_USERLAND;
  __u32 len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
  if (ip6->version != 6 || len + 2u > length) return VERDICT_USERLAND;
  if ((void *)ip6 + len > data_end) return VERDICT_USERLAND;
  const __u64 upper = be64_at(ip6->saddr.in6_u.u6_addr8), lower = be64_at(ip6->saddr.in6_u.u6_addr8 + 8);
  if (upper == 0 && lower == 0) return VERDICT_USERLAND;
  __u8 *l4 = packet + sizeof(*ip6);
  if (ip6->nexthdr == IPPROTO_ICMPV6) {
    if (len < sizeof(*ip6) + 1 || (void *)(l4 + 1) > data_end) return VERDICT_USERLAND;
    if (l4[0] == ICMPV6_ROUTER_SOLICITATION) return VERDICT_USERLAND;
  } else if (ip6->nexthdr == IPPROTO_UDP) {
    if (len < sizeof(*ip6) + 4 || (void *)(l4 + 4) > data_end) return VERDICT_USERLAND;
    if (((__u16)l4[2] << 8 | l4[3]) == DHCPV6_SERVER_PORT) return VERDICT_USERLAND;
  }
  /* fe80::/10 with the identifier IPv6CP agreed, as ip::link_local_id reads it. */
  const int link_local = (upper & 0xffc0000000000000ULL) == 0xfe80000000000000ULL && lower == s->ipv6_id;
  if (!link_local && !in_prefix(upper, s->wan, s->wan_len) && !in_prefix(upper, s->delegated, s->delegated_len))
    return VERDICT_SPOOFED;
  if ((s->flags & PPPOE_FP_SYN_TO_USERLAND) && pppoe_fp_syn6_or_unsure(ip6, len, data_end)) return VERDICT_USERLAND;
  *total = len;
  return VERDICT_FORWARD;
}

struct vlan {
  __be16 tci;
  __be16 next;
};

SEC("xdp")
int pppoe_fast_path_up(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_PASS;

  /* Up to two tags, the outer one 802.1Q or 802.1ad, the inner one 802.1Q (as the workers'
   * dispatch filter reads them). */
  __u16 tpid[2] = {0, 0}, tci[2] = {0, 0};
  __u8 tags = 0;
  __be16 type = eth->h_proto;
  __u32 off = sizeof(*eth);
  if (type == bpf_htons(ETH_P_8021Q) || type == bpf_htons(ETH_P_8021AD)) {
    struct vlan *v = data + off;
    if ((void *)(v + 1) > data_end) return XDP_PASS;
    tpid[0] = type;
    tci[0] = v->tci;
    type = v->next;
    off += sizeof(*v);
    tags = 1;
    if (type == bpf_htons(ETH_P_8021Q)) {
      struct vlan *w = data + off;
      if ((void *)(w + 1) > data_end) return XDP_PASS;
      tpid[1] = type;
      tci[1] = w->tci;
      type = w->next;
      off += sizeof(*w);
      tags = 2;
    }
  }
  if (type != bpf_htons(ETH_P_PPPOE_SESSION)) return XDP_PASS;

  /* RFC 2516 section 4: VER 1, TYPE 1, CODE 0x00 for session data; LENGTH covers the PPP
   * protocol field and its payload. */
  __u8 *pppoe = data + off;
  if ((void *)(pppoe + PPPOE_HEADER + 2) > data_end) return XDP_PASS;
  if (pppoe[0] != 0x11 || pppoe[1] != 0x00) return XDP_PASS;
  __u16 length = ((__u16)pppoe[4] << 8) | pppoe[5];
  __u16 protocol = ((__u16)pppoe[6] << 8) | pppoe[7];
  /* LCP, authentication, NCPs: userland. */
  if (protocol != PPP_IPV4 && protocol != PPP_IPV6) return XDP_PASS;

  __u32 session_id = ((__u32)pppoe[2] << 8) | pppoe[3];
  struct pppoe_fp_session *s = bpf_map_lookup_elem(&pppoe_fp_sessions, &session_id);
  /* `flags` first: an entry being rewritten has them off (bpf/fast_path.h). */
  if (!s || !(s->flags & (protocol == PPP_IPV4 ? PPPOE_FP_IPV4 : PPPOE_FP_IPV6))) return XDP_PASS;
  if (s->ifindex != ctx->ingress_ifindex) return XDP_PASS;
  /* Tags as the session came: a frame whose tags differ (or that a driver stripped) is the
   * userland path's to judge, which sees them through the packet socket's auxiliary data. */
  if (s->tags != tags || s->tpid[0] != tpid[0] || s->tci[0] != tci[0] || s->tpid[1] != tpid[1] ||
      s->tci[1] != tci[1])
    return XDP_PASS;
  struct pppoe_fp_counters *c = bpf_map_lookup_elem(&pppoe_fp_counters, &session_id);
  if (!c) return XDP_PASS;
  if (__builtin_memcmp(eth->h_source, s->client_mac, ETH_ALEN) != 0) {
    c->foreign_mac++; /* another station on the subscriber's tags using its session ID */
    return XDP_DROP;
  }

  __u8 *packet = data + off + PPPOE_HEADER + 2;
  __u32 total = 0;
  int verdict = protocol == PPP_IPV4 ? check_ipv4(packet, data_end, length, s, &total)
                                     : check_ipv6(packet, data_end, length, s, &total);
  if (verdict == VERDICT_SPOOFED) {
    c->spoofed++; /* RFC 2827 ingress filtering: only the session's own addresses */
    return XDP_DROP;
  }
  if (verdict != VERDICT_FORWARD) return XDP_PASS;

  __u32 ifindex = ctx->ingress_ifindex;
  const struct pppoe_fp_routed *routed = bpf_map_lookup_elem(&pppoe_fp_routed, &ifindex);
  if (!routed) return XDP_PASS; /* nowhere to go in the kernel: the workers' */
  struct pppoe_fp_routed to = *routed;

  /* Keep an Ethernet header right in front of the IP header, now addressed to pppoe0. */
  __u8 src[ETH_ALEN];
  __builtin_memcpy(src, eth->h_source, ETH_ALEN);
  int strip = (int)(off + PPPOE_HEADER + 2) - (int)sizeof(struct ethhdr);
  /* Trailing octets after the IP packet (Ethernet padding of short frames) go too. */
  int tail = (int)((data_end - data) - (off + PPPOE_HEADER + 2 + total));
  if (tail > 0 && bpf_xdp_adjust_tail(ctx, -tail) != 0) return XDP_PASS;
  if (bpf_xdp_adjust_head(ctx, strip) != 0) return XDP_PASS;
  data = (void *)(long)ctx->data;
  data_end = (void *)(long)ctx->data_end;
  eth = data;
  /* From here the frame is no longer PPPoE: a failure drops it as aborted (visible in the
   * xdp_exception tracepoint) rather than handing a half-made frame to anyone. */
  if ((void *)(eth + 1) > data_end) return XDP_ABORTED;
  __builtin_memcpy(eth->h_dest, to.mac, ETH_ALEN);
  __builtin_memcpy(eth->h_source, src, ETH_ALEN);
  eth->h_proto = bpf_htons(protocol == PPP_IPV4 ? ETH_P_IP : ETH_P_IPV6);
  c->packets++;
  c->octets += total;
  c->last_ns = bpf_ktime_get_ns();
  return bpf_redirect(to.ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
