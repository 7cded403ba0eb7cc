#!/bin/bash
# An independent peer: the Scapy client of scapy_client.py against pppoed (PAP).
. "$(dirname "$0")/common.sh"
/usr/bin/python3 -c "import scapy" 2>/dev/null || fail "python3-scapy is missing: run scripts/install-deps.sh"
pppoed_start --secrets "$SECRETS" --auth pap -p internet || fail "pppoed did not start"
ip netns exec "$SUB" /usr/bin/python3 "$HERE/scapy_client.py" sub0 alice wonderland || fail "scapy client"
exit 0
