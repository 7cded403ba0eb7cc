#!/bin/bash
# Distributed transfer test (30.6.11.10): the server on the network side of the AC, the client
# sending 800 numbered blocks through 100 real PPPoE sessions; both sides verify checksums and
# agree. An injected corruption is detected and reported, not retried.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start"
ip netns exec "$NET" "$BIN/pppoetest" -m server -i net0 -p 9001 --count 2 >"$LAB_LOGS/server.txt" 2>&1 &
server=$!
sleep 0.5
grep -q "^Server listening on port 9001$" "$LAB_LOGS/server.txt" || fail "server banner"
pppoetest_lab -m client -h $NET_HOST -p 9001 -i sub0 -n 100 >"$LAB_LOGS/client.txt" 2>&1
expect_eq "$?" 0 "clean transfer exit code"
cat "$LAB_LOGS/client.txt"
grep -q "^Connected to $NET_HOST:9001$" "$LAB_LOGS/client.txt" || fail "client banner"
grep -q "Blocks: 800 .* Blocks: 800" "$LAB_LOGS/client.txt" || fail "block counts"
grep -q "VERIFICATION (MATCH)" "$LAB_LOGS/client.txt" && grep -q "Transfer test PASSED" "$LAB_LOGS/client.txt" || fail "client verdict"
pppoetest_lab -m client -h $NET_HOST -p 9001 -i sub0 -n 100 --corrupt 3 --format json >"$LAB_LOGS/bad.json" 2>&1
expect_eq "$?" 1 "corrupted transfer exit code"
jq -e '.verification == "MISMATCH" and .server.bad == 3 and .client.bad == 3 and .status == "fail"' "$LAB_LOGS/bad.json" >/dev/null ||
  fail "corruption not reported: $(cat "$LAB_LOGS/bad.json")"
wait $server; expect_eq "$?" 1 "server exit code after a failed run"
grep -q "Transfer test PASSED" "$LAB_LOGS/server.txt" && grep -q "3 blocks corrupted" "$LAB_LOGS/server.txt" || fail "server verdicts: $(cat "$LAB_LOGS/server.txt")"
# Nobody listening: a connection error.
pppoetest_lab -m client -h $NET_HOST -p 9002 -i sub0 >/dev/null 2>&1; expect_eq "$?" 3 "no server"
exit 0
