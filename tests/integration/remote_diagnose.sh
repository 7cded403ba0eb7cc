#!/bin/bash
# pppoetest -h HOST (30.6.11.14.4): off unless pppoed enables remote control; then a
# challenge-response with the shared secret, read-only, and the secret never in any output.
. "$(dirname "$0")/common.sh"
SECRET=lab-remote-Secret-42
R() { ip netns exec "$NET" env "$@"; }
# Off by default: nothing listens.
pppoed_start --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start"
R PPPOETEST_SECRET=$SECRET "$BIN/pppoetest" -h 198.51.100.254 -p 9101 >/dev/null 2>&1
expect_eq "$?" 3 "remote control off: connection error"
pppoed_stop
printf 'remote-control 9101\nremote-secret "%s"\n' "$SECRET" > "$LAB_LOGS/pppoed.conf"
chmod 600 "$LAB_LOGS/pppoed.conf"
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" -L -w 2 || fail "pppoed with remote control"
pppoetest_lab -m create -i sub0 -n 20 --pings 1 --hold 4 >/dev/null &
holder=$!
wait_stat .sessions.up 20 10
printf '%s\n' "$SECRET" > "$LAB_LOGS/secret"
out=$(R PPPOETEST_SECRET=$SECRET "$BIN/pppoetest" -h 198.51.100.254 -p 9101 --format json)
expect_eq "$?" 0 "remote diagnose exit code"
echo "$out" | jq -e '.type == "diagnostic_report" and .sessions == 20 and .workers == 2' >/dev/null || fail "remote report: $out"
R "$BIN/pppoetest" -h 198.51.100.254 -p 9101 --secret-file "$LAB_LOGS/secret" --check-balance >/dev/null || fail "secret file"
out=$(R PPPOETEST_SECRET=wrong-secret "$BIN/pppoetest" -h 198.51.100.254 -p 9101 2>&1)
expect_eq "$?" 3 "wrong secret"
echo "$out" | grep -q "authentication failed" || fail "wrong secret message: $out"
grep -q "remote control: authentication failed" "$LAB_LOGS/pppoed.log" || fail "failure not logged"
# Silent clients cost the master nothing: 10 connections that never send, then an authenticated
# request and new sessions must be served at once (the old blocking read took 1 s per silent
# connection), and the silent ones are closed after the idle timeout (3 s).
ip netns exec "$NET" python3 - "$SECRET" <<'PY' || fail "silent remote clients stalled the master"
import hashlib, hmac, json, socket, sys, time
silent = [socket.create_connection(("198.51.100.254", 9101)) for _ in range(10)]
start = time.monotonic()
s = socket.create_connection(("198.51.100.254", 9101))
f = s.makefile("rw")
challenge = json.loads(f.readline())["challenge"]
auth = hmac.new(sys.argv[1].encode(), challenge.encode(), hashlib.sha256).hexdigest()
f.write(json.dumps({"auth": auth, "request": {"cmd": "show", "what": "stats"}}) + "\n"); f.flush()
reply = json.loads(f.readline())
took = time.monotonic() - start
print(f"answered in {took:.3f} s with 10 silent connections open")
if not reply.get("ok") or took > 2: sys.exit(1)
silent[0].settimeout(6)
if silent[0].recv(4096) == b"": sys.exit(1)  # the challenge comes first
if silent[0].recv(4096) != b"": sys.exit(1)  # then the close, after the idle timeout
PY
# Read-only: a write through the remote port is refused.
ip netns exec "$NET" python3 - "$SECRET" <<'PY' || fail "remote write not refused"
import hashlib, hmac, json, socket, sys
s = socket.create_connection(("198.51.100.254", 9101))
f = s.makefile("rw")
challenge = json.loads(f.readline())["challenge"]
auth = hmac.new(sys.argv[1].encode(), challenge.encode(), hashlib.sha256).hexdigest()
f.write(json.dumps({"auth": auth, "request": {"cmd": "msg", "name": "setworkers", "arg": "1"}}) + "\n"); f.flush()
reply = json.loads(f.readline())
sys.exit(0 if reply == {"ok": False, "error": "remote control is read-only"} else 1)
PY
grep -q "$SECRET" "$LAB_LOGS/pppoed.log" && fail "the secret appeared in the log"
echo "$out" | grep -q "$SECRET" && fail "the secret appeared in pppoetest output"
wait $holder || fail "sessions held during the remote checks"
exit 0
