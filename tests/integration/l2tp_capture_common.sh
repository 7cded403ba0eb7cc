# Sourced by the L2TP tests (after common.sh): checks a capture of a tunnel with tshark.
# check_l2tp_capture NAMESPACE PCAP ICMP-TYPE: every kind of control message of a tunnel's life
# decoded (SCCRQ ... CDN, ZLB), a ping of ICMP-TYPE ("request" or "reply") seen inside the
# tunnel's data messages, and neither a malformed packet nor an expert warning anywhere.
check_l2tp_capture() {
  local ns=$1 pcap=$2 icmp=$3 decoded verbose m
  decoded=$(ip netns exec "$ns" tshark -n -r "$pcap" 2>&1)
  for m in SCCRQ SCCRP SCCCN ICRQ ICRP ICCN CDN ZLB; do
    echo "$decoded" | grep -q "Control Message - $m " || fail "tshark shows no $m in $pcap"
  done
  echo "$decoded" | grep -q "ICMP.*Echo (ping) $icmp" || fail "tshark sees no ping $icmp inside the tunnel"
  verbose=$(ip netns exec "$ns" tshark -n -V -r "$pcap" 2>&1)
  if echo "$verbose" | grep -qi "malformed\|Expert Info"; then
    fail "tshark: $(echo "$verbose" | grep -i "malformed\|Expert Info" | head -3)"
  fi
}
