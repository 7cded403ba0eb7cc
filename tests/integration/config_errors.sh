#!/bin/bash
# Bad configuration is refused with the file, the line and what was expected.
. "$(dirname "$0")/common.sh"
cfg=$LAB_LOGS/bad.conf
printf 'ac-name lab\n\npool 10.0.0.10-10.0.0.5\n' > "$cfg"
out=$(ip netns exec "$AC" "$BIN/pppoed" -f "$cfg" ac0 2>&1); rc=$?
expect_eq "$rc" 2 "exit code for a bad pool"
echo "$out" | grep -q "bad.conf:3: '10.0.0.10-10.0.0.5': expected FIRST-LAST with FIRST <= LAST" || fail "pool error text: $out"
printf 'lcp-echo-interval soon\n' > "$cfg"
out=$(ip netns exec "$AC" "$BIN/pppoed" -f "$cfg" ac0 2>&1)
echo "$out" | grep -q "bad.conf:1: expected a number from 0 to 3600, found 'soon'" || fail "number error text: $out"
printf 'colour blue\n' > "$cfg"
out=$(ip netns exec "$AC" "$BIN/pppoed" -f "$cfg" ac0 2>&1)
echo "$out" | grep -q "bad.conf:1: unknown setting 'colour'" || fail "unknown setting text: $out"
sec=$LAB_LOGS/bad.secret
printf 'alice secret\nbob secret not-an-ip\n' > "$sec"
out=$(ip netns exec "$AC" "$BIN/pppoed" --secrets "$sec" ac0 2>&1); rc=$?
expect_eq "$rc" 2 "exit code for a bad secrets file"
echo "$out" | grep -q "bad.secret:2: expected an IPv4 address as third field (or ipv6=, pd=, rate=, filter=, route=), found 'not-an-ip'" || fail "secrets error: $out"
echo "$out" | grep -q "secret not" && fail "secrets error echoed the secret"
out=$(ip netns exec "$AC" "$BIN/pppoed" --dns 1.2.3 ac0 2>&1)
echo "$out" | grep -q "option --dns: expected an IPv4 address, found '1.2.3'" || fail "option error: $out"
exit 0
