/* Shared by the fast path's programs: whether an IP packet is a TCP segment with SYN set
 * (SYN or SYN-ACK: what TCP MSS clamping rewrites, RFC 879 / RFC 6691), or might be one
 * because its TCP header is not in reach. Such packets go to the worker, which clamps them. */
#ifndef PPPOE_BPF_TCP_SYN_H
#define PPPOE_BPF_TCP_SYN_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* RFC 793 section 3.1: the SYN flag, in a TCP header `header` octets into a packet of `total`. */
static __always_inline int pppoe_fp_tcp_syn_at(const __u8 *packet, __u32 header, __u32 total, const void *data_end) {
  /* Not in the packet (the frame's padding does not count) or not in reach: the worker decides. */
  if (header + 14 > total) return 1;
  const __u8 *tcp = packet + header;
  if ((const void *)(tcp + 14) > data_end) return 1;
  return (tcp[13] & 0x02) != 0;
}

static __always_inline int pppoe_fp_syn_or_unsure(const struct iphdr *ip, __u16 total, const void *data_end) {
  if (ip->protocol != IPPROTO_TCP) return 0;
  if (ip->frag_off & bpf_htons(0x1fff)) return 0; /* a later fragment: no TCP header in it */
  return pppoe_fp_tcp_syn_at((const __u8 *)ip, ip->ihl * 4u, total, data_end);
}

/* IPv6: the worker clamps TCP only as the first next header (ip::clamp_tcp_mss); behind
 * extension headers it forwards unchanged, and so does the kernel. */
static __always_inline int pppoe_fp_syn6_or_unsure(const struct ipv6hdr *ip6, __u32 total, const void *data_end) {
  if (ip6->nexthdr != IPPROTO_TCP) return 0;
  return pppoe_fp_tcp_syn_at((const __u8 *)ip6, sizeof(*ip6), total, data_end);
}

#endif
