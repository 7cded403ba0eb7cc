// SPDX-License-Identifier: GPL-2.0
/* Downstream fast path (TC egress on the routed interface, pppoe0, a veth): an IPv4 packet routed to a
 * session's address, or an IPv6 packet to one of its prefixes (longest match: link-local /128,
 * its /64, its delegated prefix), gets the session's Ethernet, VLAN, PPPoE (RFC 2516 section
 * 5.5) and PPP (protocol 0x0021 or 0x0057) headers in place of its Ethernet header and leaves on
 * the subscriber interface, without the workers. A packet larger than the session's MRU (the worker fragments it or answers with
 * ICMP, RFC 1191), a GSO packet, a packet whose checksum is still to be finished, a SYN-ACK
 * of a session with MSS clamping, and any destination not in the map continue to the veth's
 * peer and so to the workers' userland path, as before. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fast_path.h"
#include "tcp_syn.h"

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, PPPOE_FP_MAX_SESSIONS);
  __type(key, __u32);
  __type(value, struct pppoe_fp_down);
} pppoe_fp_by_addr SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(map_flags, BPF_F_NO_PREALLOC); /* the kernel insists for a trie */
  __uint(max_entries, PPPOE_FP_MAX_PREFIXES6);
  __type(key, struct pppoe_fp_prefix6);
  __type(value, struct pppoe_fp_down);
} pppoe_fp_by_prefix6 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, PPPOE_FP_SESSION_IDS);
  __type(key, __u32); /* the session ID */
  __type(value, struct pppoe_fp_down_counters);
} pppoe_fp_down_counters SEC(".maps");

/* The kernel's own skb, for the one thing __sk_buff does not show: whether the L4 checksum is
 * still to be filled in (CHECKSUM_PARTIAL: a locally sent packet, or one from a veth or virtio
 * peer that offloads it). Pushed behind PPPoE, such a checksum would be finished only by a
 * NIC that checksums any protocol; a veth peer or a raw socket would see it unfinished. pppoe0
 * has no checksum offload, so the stack finishes it before the workers' packet sockets see it:
 * those packets go that way. The layout is resolved
 * against the running kernel's BTF at load (CO-RE). */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
struct sk_buff___pppoe_fp {
  __u8 ip_summed : 2;
} __attribute__((preserve_access_index));
#define CHECKSUM_PARTIAL 3

#define ETH_P_PPPOE_SESSION 0x8864
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define MAX_HEAD (14 + 8 + 8) /* Ethernet, two VLAN tags, PPPoE and PPP */

/* The packet's Ethernet header (toward pppoe0's peer) becomes the subscriber's: room for the
 * tags, PPPoE and PPP in front of it, then the whole header written from the start. */
static __always_inline int push_headers(struct __sk_buff *skb, const struct pppoe_fp_down *d, __u32 total, __u32 tags,
                                        __u16 protocol) {
  const __u32 head = 4 * tags + 8;
  if (bpf_skb_change_head(skb, head, 0) != 0) return 1; /* unchanged: userland can still send it */
  void *data = (void *)(long)skb->data;
  void *data_end = (void *)(long)skb->data_end;
  __u8 *h = data;
  /* The largest header (two tags) bounds every write below; the IP header behind it makes
   * any real packet longer than that. */
  if ((void *)(h + MAX_HEAD) > data_end) return -1;
  __builtin_memcpy(h, d->client_mac, ETH_ALEN);
  __builtin_memcpy(h + ETH_ALEN, d->ac_mac, ETH_ALEN);
  __u32 off = 2 * ETH_ALEN;
  if (tags > 0) {
    __builtin_memcpy(h + off, &d->tpid[0], 2);
    __builtin_memcpy(h + off + 2, &d->tci[0], 2);
    off += 4;
  }
  if (tags > 1) {
    __builtin_memcpy(h + off, &d->tpid[1], 2);
    __builtin_memcpy(h + off + 2, &d->tci[1], 2);
    off += 4;
  }
  h[off] = ETH_P_PPPOE_SESSION >> 8;
  h[off + 1] = ETH_P_PPPOE_SESSION & 0xff;
  h[off + 2] = 0x11; /* VER 1, TYPE 1 */
  h[off + 3] = 0x00; /* CODE: session data */
  h[off + 4] = d->session_id >> 8;
  h[off + 5] = d->session_id & 0xff;
  __u16 length = total + 2; /* the PPP protocol field and the packet */
  h[off + 6] = length >> 8;
  h[off + 7] = length & 0xff;
  h[off + 8] = protocol >> 8;
  h[off + 9] = protocol & 0xff;
  return 0;
}

SEC("tc")
int pppoe_fast_path_down(struct __sk_buff *skb) {
  if (skb->gso_size != 0) return TC_ACT_OK;
  const int v4 = skb->protocol == bpf_htons(ETH_P_IP);
  if (!v4 && skb->protocol != bpf_htons(ETH_P_IPV6)) return TC_ACT_OK;
  struct sk_buff___pppoe_fp *kskb = bpf_cast_to_kern_ctx(skb);
  if (BPF_CORE_READ_BITFIELD(kskb, ip_summed) == CHECKSUM_PARTIAL) return TC_ACT_OK;
  void *data = (void *)(long)skb->data;
  void *data_end = (void *)(long)skb->data_end;
  /* Behind pppoe0's Ethernet header. Anything unusual (a length that is not the packet's) is
   * userland's. */
  void *l3 = data + sizeof(struct ethhdr);
  struct pppoe_fp_down *d;
  __u32 total;
  if (v4) {
    struct iphdr *ip = l3;
    if ((void *)(ip + 1) > data_end) return TC_ACT_OK;
    total = bpf_ntohs(ip->tot_len);
    if (total + sizeof(struct ethhdr) != skb->len) return TC_ACT_OK;
    __u32 daddr = ip->daddr;
    d = bpf_map_lookup_elem(&pppoe_fp_by_addr, &daddr);
    if (!d) return TC_ACT_OK;
    if ((d->flags & PPPOE_FP_SYN_TO_USERLAND) && pppoe_fp_syn_or_unsure(ip, total, data_end)) return TC_ACT_OK;
  } else {
    struct ipv6hdr *ip6 = l3;
    if ((void *)(ip6 + 1) > data_end) return TC_ACT_OK;
    total = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
    if (total + sizeof(struct ethhdr) != skb->len) return TC_ACT_OK;
    struct pppoe_fp_prefix6 key = {.prefixlen = 128};
    __builtin_memcpy(key.addr, ip6->daddr.in6_u.u6_addr8, sizeof key.addr);
    d = bpf_map_lookup_elem(&pppoe_fp_by_prefix6, &key);
    if (!d) return TC_ACT_OK;
    if ((d->flags & PPPOE_FP_SYN_TO_USERLAND) && pppoe_fp_syn6_or_unsure(ip6, total, data_end)) return TC_ACT_OK;
  }
  if (total > d->mru) return TC_ACT_OK; /* too big: the worker drops it, for IPv4 with ICMP (RFC 1191) */
  __u32 session_id = d->session_id;
  struct pppoe_fp_down_counters *c = bpf_map_lookup_elem(&pppoe_fp_down_counters, &session_id);
  if (!c) return TC_ACT_OK;
  __u32 tags = d->tags;
  if (tags > 2) return TC_ACT_OK;
  struct pppoe_fp_down down = *d; /* as it was when the decision was made */
  int pushed = push_headers(skb, &down, total, tags, v4 ? PPP_IPV4 : PPP_IPV6);
  if (pushed > 0) return TC_ACT_OK;
  if (pushed < 0) return TC_ACT_SHOT; /* headers half written: nobody may send this */
  c->packets++;
  c->octets += total;
  c->last_ns = bpf_ktime_get_ns();
  return bpf_redirect(down.ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
