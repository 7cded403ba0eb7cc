// SPDX-License-Identifier: GPL-2.0
/* A program every kernel's verifier refuses (a packet read without a bounds check), named like
 * the fast path's upstream program: fast_path_test loads it in its place to see pppoed's
 * fallback explain a verifier refusal, as an older kernel would give one. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pppoe_fast_path_up(struct xdp_md *ctx) {
  const __u8 *data = (const __u8 *)(long)ctx->data;
  return data[20] == 0 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
