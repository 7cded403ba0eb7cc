/* The fast path's maps: shared by the BPF programs (bpf/ *.bpf.c) and pppoed's loader
 * (src/dataplane/fast_path.hpp). Plain C, fixed-width fields, no padding left implicit: the
 * kernel and user space read the same bytes. */
#ifndef PPPOE_BPF_FAST_PATH_H
#define PPPOE_BPF_FAST_PATH_H

#include <linux/types.h>

/* Session ID -> what a session frame must show to be forwarded in the kernel, as the worker
 * checks it (src/worker/worker.cpp, on_session_frame and receive_ppp). The map is an array
 * indexed by the session ID (one subscriber interface per pppoed, IDs unique on it): the
 * lookup is an index, not a hash walk, and a session's entry is one cache line.
 *
 * An array entry is rewritten in place, not replaced: pppoed never lets the program see two
 * sessions' fields under set flags. It turns `flags` off (one octet, written alone), rewrites
 * the fields, then writes the same octets again with `flags` on; the program reads `flags`
 * first. */
struct pppoe_fp_session {
  __u8 client_mac[6];
  __u8 tags;        /* VLAN tags between the MACs and the PPPoE ethertype: 0, 1 or 2 */
  __u8 flags;       /* PPPOE_FP_*; 0: not forwarded (also: no session has this ID) */
  __u16 tpid[2];    /* network order, outermost first */
  __u16 tci[2];     /* network order: PCP, DEI and VLAN ID as on the wire */
  __u32 ipv4;       /* network order: the only IPv4 source the session may send from */
  /* IPv6 sources it may send from (the worker's receive_ppp): link-local with the interface
   * identifier IPv6CP agreed (RFC 5072 section 4.1), or inside its /64 (the Router
   * Advertisement's, RFC 4861) or its delegated prefix (DHCPv6-PD, RFC 8415). Prefixes are
   * at most 64 bits long here: their upper 64 bits in host order, and the length (0: none). */
  __u8 wan_len;
  __u8 delegated_len;
  __u16 reserved;
  __u32 ifindex;   /* the subscriber interface the session's frames arrive on */
  __u32 reserved2;
  __u64 ipv6_id;   /* host order */
  __u64 wan;       /* host order */
  __u64 delegated; /* host order */
  __u64 reserved3; /* to 64 octets */
};

#define PPPOE_FP_IPV4 0x01 /* IPv4 is up (IPCP opened): forward it */
#define PPPOE_FP_IPV6 0x04 /* IPv6 is up (IPv6CP opened): forward it */
/* TCP MSS clamping applies to the session: TCP segments with SYN go to the worker, which
 * clamps them (a few packets per connection); everything else stays in the kernel. */
#define PPPOE_FP_SYN_TO_USERLAND 0x02

/* Per session ID and CPU (an array like the sessions'); user space sums the CPUs. Octets are
 * those of the IP packets, as the worker counts them. */
struct pppoe_fp_counters {
  __u64 packets;
  __u64 octets;
  __u64 last_ns;      /* bpf_ktime_get_ns() of the last forwarded packet: idle timeout */
  __u64 foreign_mac;  /* dropped: another source MAC on the session's tags */
  __u64 spoofed;      /* dropped: an IPv4 or IPv6 source the session does not own */
};

/* Downstream: by destination IPv4 address (network order), or by the longest of the session's
 * IPv6 prefixes that holds the destination (its link-local address as a /128, its /64, its
 * delegated prefix), where and how a packet goes to its subscriber. */
struct pppoe_fp_down {
  __u32 ifindex;    /* the subscriber interface */
  __u16 session_id; /* host order */
  __u16 mru;        /* the subscriber's MRU (RFC 1661 section 6.1): larger packets go to userland */
  __u8 client_mac[6];
  __u8 ac_mac[6];
  __u8 tags;
  __u8 flags; /* PPPOE_FP_SYN_TO_USERLAND */
  __u8 zero[2];
  __u16 tpid[2]; /* network order, outermost first */
  __u16 tci[2];
};

/* The IPv6 destination map's key (BPF_MAP_TYPE_LPM_TRIE). */
struct pppoe_fp_prefix6 {
  __u32 prefixlen;
  __u8 addr[16];
};

/* Per session ID and CPU, downstream: IPv4 and IPv6 together. */
struct pppoe_fp_down_counters {
  __u64 packets;
  __u64 octets;
  __u64 last_ns; /* bpf_ktime_get_ns() of the last packet sent: idle timeout counts both ways */
};

/* Subscriber interface -> the routed interface, a veth pair: XDP redirects a decapsulated
 * packet to the peer (`ifindex`), and it arrives on the routed interface (pppoe0), addressed to
 * that interface's MAC. */
struct pppoe_fp_routed {
  __u32 ifindex;
  __u8 mac[6];
  __u16 zero;
};

/* Every session ID (RFC 2516 section 4: 16 bits) indexes the arrays; per possible CPU the two
 * counter arrays take 65,536 x (40 + 24) octets, ~4 MB. */
#define PPPOE_FP_SESSION_IDS 65536
#define PPPOE_FP_MAX_SESSIONS 65535 /* IPv4 destinations: one per session */
/* IPv6 destinations: a link-local address, a /64 and a delegated prefix for each session. */
#define PPPOE_FP_MAX_PREFIXES6 (3 * PPPOE_FP_MAX_SESSIONS)

#endif
