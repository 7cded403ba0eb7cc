#!/bin/bash
# Two access concentrators, one subscriber network (operator guide "High availability", the
# standby box): real keepalived (VRRPv3, advert_int 0.05, nopreempt, track_file on pppoed's ready
# file), the same AC MAC on both boxes, pppoed's session stream on a dedicated sync link.
# 300 subscribers hold their sessions, with a ping every 10 ms through 50 of them, while
#   1. the MASTER's access link is cut: the BACKUP continues every session
#   2. the old MASTER comes back: BACKUP (nopreempt), ready once it holds the new MASTER's snapshot
#   3. the new MASTER's link is cut: the sessions go back
# and not one session flaps or is authenticated again; a BACKUP sends not one frame; RADIUS (real
# FreeRADIUS) sees one Start and one Stop per session, under one Acct-Session-Id, with the
# session time of the whole hold; ended sessions leave the BACKUP's table. A soak: a restart
# (SIGUSR2) of the MASTER's pppoed, a kill -9 of it (the BACKUP takes over), then 20 failovers
# in a row under load, and nothing left behind. Then: a peer without the key is refused and the key never shows; a BACKUP cut off
# from the stream says "not ready" (pppoectl, pppoetest -m diagnose) and keepalived does not
# promote it; a split brain (access segment and sync link partitioned) hands out no session ID
# or address twice, and when it heals the losing box's sessions continue on the winner. Gaps
# are printed, not asserted (bench/standby.sh measures them).
. "$(dirname "$0")/common.sh"
. "$HERE/radius_common.sh"
. "$ROOT/scripts/standby-lib.sh"
for t in keepalived; do command -v $t >/dev/null || fail "$t is missing: run scripts/install-deps.sh"; done
HOLDERS=()
standby_finish() {
  local rc=$?
  for p in "${HOLDERS[@]}"; do stop_pid "$p"; done
  if [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; then
    for b in a b; do
      echo "--- box $b pppoed ---"; tail -n 30 "$(standby_dir $b)/pppoed.log"
      echo "--- box $b keepalived ---"; tail -n 10 "$(standby_dir $b)/keepalived.log"
    done
  fi
  standby_down
  (exit $rc)
  finish
}
trap standby_finish EXIT

standby_up || fail "standby lab"
RADIUS_LINES=$(standby_radius_up) || fail "FreeRADIUS did not start"
standby_configure 0.05 "standby-stale-after 3
$RADIUS_LINES"
standby_start_all a || fail "box a"
standby_start_all b || fail "box b"
for _ in $(seq 1 150); do m=$(standby_master); [ ${#m} == 1 ] && break; sleep 0.1; done
M=$(standby_master)
[ ${#M} == 1 ] || fail "not one MASTER but '$M'"
S=$(standby_other "$M")
standby_wait "$S" .ready true 10 || fail "the BACKUP is not ready"
echo "box $M is MASTER, box $S BACKUP"

# frames_from B: frames box B has put on the access segment (its switch port's receive count).
frames_from() { ip -n "$SUB" -s -j link show "b$1" | jq '.[0].stats64.rx.packets'; }
# silent_while B SECONDS: box B sends nothing for that long.
silent_while() {
  local before
  before=$(frames_from "$1")
  sleep "$2"
  expect_eq "$(( $(frames_from "$1") - before ))" 0 "frames sent by BACKUP box $1 in $2 s"
}
# hold IFACE N SECONDS OUT: N subscribers on IFACE hold their sessions, a ping every 10 ms through 50.
hold() {
  ip netns exec "$SUB" "$BIN/pppoetest" -m create -i "$1" -n "$2" --auth pap --user alice --password wonderland \
    --target 10.0.0.1 --hold "$3" --traffic-interval 10 --traffic-sessions 50 --timeout 30 --format json \
    >"$4" 2>"$4.err" &
  HOLDERS+=($!)
}
held_ok() {  # OUT N: every session established and held, none flapped or authenticated again
  expect_eq "$(jq .established "$1")" "$2" "$1: sessions established"
  expect_eq "$(jq .flapped "$1")" 0 "$1: sessions that flapped (PADT, LCP down, new discovery)"
  expect_eq "$(jq .reauthenticated "$1")" 0 "$1: sessions authenticated again"
  echo "$(basename "$1"): $(jq -c '{established, flapped, reauthenticated, gap_ms: .hold.largest_gap_ms, lost: .hold.lost_stable, sent: .hold.sent}' "$1")"
}
wait_up() {  # BOX N SECONDS
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do [ "$(standby_summary "$1" .sessions.up)" == "$2" ] && return 0; sleep 0.1; done
  fail "box $1: $2 sessions up expected within $3 s, got $(standby_summary "$1" .sessions.up)"
}

# --- 1-3: failover and back, with 300 subscribers holding -----------------------------------
hold t0 300 30 "$LAB_LOGS/failover.json"
wait_up "$M" 300 25
standby_wait "$S" .held_sessions 300 5 || fail "the BACKUP does not hold the 300 sessions"
silent_while "$S" 2
expect_eq "$(standby_summary "$S" .sessions.total)" 0 "sessions the BACKUP runs"

standby_cut "$M"
standby_wait "$S" .role MASTER 5 || fail "cut: box $S did not take over"
wait_up "$S" 300 5
expect_eq "$(standby_stat "$S" .counters.continued)" 300 "cut: sessions box $S continued"
standby_uncut "$M"
standby_wait "$M" .role BACKUP 10 || fail "box $M did not come back as BACKUP"
standby_wait "$M" .ready true 10 || fail "box $M is not ready again"
standby_wait "$M" .held_sessions 300 5 || fail "box $M does not hold the 300 sessions"
expect_eq "$(standby_summary "$M" .sessions.total)" 0 "sessions box $M still runs"
silent_while "$M" 2

standby_cut "$S"
standby_wait "$M" .role MASTER 5 || fail "second cut: box $M did not take over"
wait_up "$M" 300 5
standby_uncut "$S"
standby_wait "$S" .role BACKUP 10 || fail "box $S did not come back as BACKUP"
wait "${HOLDERS[0]}"
held_ok "$LAB_LOGS/failover.json" 300
standby_wait "$S" .held_sessions 0 10 || fail "ended sessions stay in the BACKUP's table"
# Accounting as the RADIUS server saw it: one Start and one Stop per session, the same unique
# session (FreeRADIUS acct_unique over user, Acct-Session-Id and the NAS), the whole hold long.
for _ in $(seq 1 50); do [ "$(radius_detail standby | grep -c 'Acct-Status-Type = Stop')" -ge 300 ] && break; sleep 0.2; done
radius_detail standby >"$LAB_LOGS/accounting.detail"
/usr/bin/python3 - "$LAB_LOGS/accounting.detail" <<'PY' || fail "accounting did not continue across the failovers"
import collections, sys
records, cur = [], {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if not line.strip():
        if cur: records.append(cur)
        cur = {}
    elif line.startswith("\t") and " = " in line:
        k, v = line.strip().split(" = ", 1)
        cur[k] = v.strip('"')
if cur: records.append(cur)
by_id = collections.defaultdict(list)
for r in records: by_id[r.get("Acct-Session-Id")].append(r)
assert len(by_id) == 300, f"{len(by_id)} accounting sessions, expected 300"
for sid, rs in by_id.items():
    kinds = collections.Counter(r["Acct-Status-Type"] for r in rs)
    assert kinds["Start"] == 1 and kinds["Stop"] == 1, (sid, dict(kinds))
    assert len({r["Acct-Unique-Session-Id"] for r in rs}) == 1, (sid, "two unique IDs")
    stop = next(r for r in rs if r["Acct-Status-Type"] == "Stop")
    assert int(stop["Acct-Session-Time"]) >= 25, (sid, "session time", stop["Acct-Session-Time"])
    interims = [r for r in rs if r["Acct-Status-Type"] == "Interim-Update"]
    for i in interims:
        assert int(i["Acct-Input-Octets"]) <= int(stop["Acct-Input-Octets"]), (sid, "input octets went back")
n = sum(len(rs) for rs in by_id.values())
print(f"accounting: 300 sessions, {n} records, one Start and one Stop each, one unique session ID each")
PY
expect_eq "$(standby_summary "$S" .sessions_total.created)" 0 "sessions box $S created (takeovers create none)"
HOLDERS=()

# --- soak: 20 failovers in a row under load, then nothing left behind ------------------------
fds() { ls "/proc/${STANDBY_PPPOED_PID[$1]}/fd" | wc -l; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/${STANDBY_PPPOED_PID[$1]}/status"; }
declare -A FDS0 RSS0
hold t0 300 60 "$LAB_LOGS/soak.json"
wait_up "$M" 300 25
standby_wait "$S" .held_sessions 300 5 || fail "soak: the BACKUP does not hold the sessions"
# First a restart of the MASTER's pppoed (SIGUSR2, as systemctl restart): keepalived stays
# MASTER and says nothing; the new pppoed knows its role from the role file and continues the
# sessions from the state file.
# The BACKUP stays ready throughout: the new pppoed's snapshot replaces a copy that is whole, and
# a takeover before it completes (the kill -9 below, if it came that early) continues that copy.
# Its ready file is watched every 5 ms until the new snapshot has arrived.
snapshots0=$(standby_stat "$S" .counters.snapshots_received)
watch_ready() {
  local f=$(standby_dir "$S")/ready
  while sleep 0.005; do
    [ "$(cat "$f" 2>/dev/null)" == 0 ] || echo "not ready at $(date +%T.%N)"
  done
}
watch_ready > "$LAB_LOGS/restart-ready.txt" &
watcher=$!
kill -USR2 "${STANDBY_PPPOED_PID[$M]}"
wait "${STANDBY_PPPOED_PID[$M]}" 2>/dev/null
standby_start_pppoed "$M" || fail "restart: box $M's pppoed did not start again"
expect_eq "$(standby_stat "$M" .role)" MASTER "restart: box $M's role"
wait_up "$M" 300 5
for ((i = 0; i < 100; i++)); do
  [ "$(standby_stat "$S" .counters.snapshots_received)" -gt "$snapshots0" ] && break
  sleep 0.05
done
kill "$watcher"; wait "$watcher" 2>/dev/null
[ "$i" -lt 100 ] || fail "restart: no new snapshot reached the BACKUP in 5 s"
[ ! -s "$LAB_LOGS/restart-ready.txt" ] || { head -3 "$LAB_LOGS/restart-ready.txt"; fail "restart: the BACKUP was not ready while the new snapshot arrived"; }
expect_eq "$(standby_stat "$S" .held_sessions)" 300 "restart: sessions the BACKUP holds"
# Then kill -9 of the MASTER's pppoed: its workers die with it without a word, keepalived's
# track_script fails, the BACKUP continues every session; the killed box comes back as BACKUP.
kill -KILL "${STANDBY_PPPOED_PID[$M]}"
wait "${STANDBY_PPPOED_PID[$M]}" 2>/dev/null
standby_wait "$S" .role MASTER 8 || fail "kill -9: box $S did not take over"
wait_up "$S" 300 5
rm -f "$(standby_dir "$M")/pppoed.sock"
standby_start_pppoed "$M" || fail "kill -9: box $M's pppoed did not start again"
standby_wait "$M" .role BACKUP 10 || fail "kill -9: box $M did not come back as BACKUP"
standby_wait "$M" .held_sessions 300 10 || fail "kill -9: box $M does not hold the sessions"
expect_eq "$(standby_summary "$M" .sessions.total)" 0 "kill -9: sessions box $M runs after its restart"
M=$S
S=$(standby_other "$M")
for b in a b; do
  standby_wait $b .channel.outgoing_up true 5 >/dev/null && standby_wait $b .channel.incoming_up true 5 >/dev/null ||
    fail "restart: the sync channel is not up again"
done
for b in a b; do FDS0[$b]=$(fds $b); RSS0[$b]=$(rss_kb $b); done
for i in $(seq 1 20); do
  standby_cut "$M"
  standby_wait "$S" .role MASTER 5 >/dev/null || fail "soak failover $i: box $S did not take over"
  wait_up "$S" 300 5
  standby_uncut "$M"
  standby_wait "$M" .ready true 10 >/dev/null || fail "soak failover $i: box $M not ready again"
  standby_wait "$M" .held_sessions 300 5 >/dev/null || fail "soak failover $i: box $M does not hold the sessions"
  M=$S
  S=$(standby_other "$M")
done
wait "${HOLDERS[0]}"
HOLDERS=()
held_ok "$LAB_LOGS/soak.json" 300
for b in a b; do
  for _ in $(seq 1 50); do [ "$(standby_summary $b .sessions.total)" == 0 ] && break; sleep 0.1; done
  expect_eq "$(standby_summary $b .sessions.total)" 0 "soak: sessions left on box $b"
  expect_eq "$(standby_summary $b .pool.in_use)" 0 "soak: pool addresses left in use on box $b"
  standby_wait $b .held_sessions 0 10 >/dev/null || fail "soak: box $b still holds sessions"
  [ "$(fds $b)" -le "${FDS0[$b]}" ] || fail "soak: box $b's pppoed went from ${FDS0[$b]} to $(fds $b) descriptors"
  # Under AddressSanitizer freed memory waits in its quarantine (and LeakSanitizer checks at exit).
  ldd "$BIN/pppoed" | grep -q libasan ||
    [ "$(rss_kb $b)" -le "$(( RSS0[$b] + 8192 ))" ] || fail "soak: box $b's pppoed grew from ${RSS0[$b]} to $(rss_kb $b) kB"
  echo "soak: box $b: $(fds $b) descriptors (${FDS0[$b]} before), $(rss_kb $b) kB resident (${RSS0[$b]} before)"
done

# --- the sync channel refuses a peer without the key; the key never shows -------------------
ip netns exec "$(standby_ns "$S")" /usr/bin/python3 - "$( [ "$M" == a ] && echo 10.254.1.1 || echo 10.254.1.2)" <<'PY' || fail "could not reach the sync port"
import socket, struct, os, sys
s = socket.create_connection((sys.argv[1], 7070), timeout=2)
body = os.urandom(16) + b"intruder"
s.sendall(struct.pack(">IBBHQ", 0x50505359, 1, 1, len(body), 0) + body + os.urandom(32))
s.settimeout(2)
assert s.recv(100) == b""  # closed on us
PY
[ "$(standby_stat "$M" .channel.refused.bad_mac)" -ge 1 ] || fail "a HELLO with a wrong MAC was not counted"
grep -q "standby: refused a message from 10.254.1.[12]:[0-9]* (bad_mac)" "$(standby_dir "$M")/pppoed.log" || fail "the refusal was not logged"
grep -q "$STANDBY_KEY" "$(standby_dir a)/pppoed.log" "$(standby_dir b)/pppoed.log" && fail "the sync key appears in a log"
standbyctl "$M" -j show standby | grep -q "$STANDBY_KEY" && fail "the sync key is shown"

# --- a BACKUP without the stream is not ready, and keepalived does not promote it -----------
ip -n "$SA" link set sync0 down
standby_wait "$S" .ready false 8 || fail "the BACKUP without the stream still says ready"
standby_stat "$S" .not_ready_why | grep -q "no sync from the MASTER" || fail "not ready for the wrong reason: $(standby_stat "$S" .not_ready_why)"
standby_wait "$S" .role FAULT 5 || fail "keepalived did not put the BACKUP in FAULT (track_file)"
ip netns exec "$SUB" "$BIN/pppoetest" -m diagnose --health-score -s "$(standby_dir "$S")/pppoed.sock" >"$LAB_LOGS/diagnose.txt" 2>&1
grep -q "Standby FAULT not ready: no sync from the MASTER" "$LAB_LOGS/diagnose.txt" || { cat "$LAB_LOGS/diagnose.txt"; fail "pppoetest -m diagnose does not say the BACKUP is not ready"; }
standby_cut "$M"
sleep 1
expect_eq "$(standby_stat "$S" .role)" FAULT "the BACKUP that is not ready, with the MASTER gone"
standby_uncut "$M"
standby_wait "$M" .role MASTER 10 || fail "box $M is not MASTER again"
ip -n "$SA" link set sync0 up
standby_wait "$S" .ready true 10 || fail "the BACKUP is not ready after the stream came back"
standby_wait "$S" .role BACKUP 5 || fail "keepalived did not take the BACKUP out of FAULT"

# --- split brain: the access segment and the sync link partitioned --------------------------
# Box a with the subscribers on t0, box b with those on t1; VRRP cannot cross, so both are
# MASTER; neither can confirm the other is BACKUP, so each takes only its half.
# Two switches from here: box b's port and new subscribers on t1 move to a second bridge.
ip -n "$SUB" link add acc2 type bridge
ip -n "$SUB" link set acc2 up
ip -n "$SUB" link add t1 type veth peer name s1
ip -n "$SUB" link set s1 master acc2
ip -n "$SUB" link set s1 up
ip -n "$SUB" link set t1 up
ip -n "$SUB" link set bb master acc2
ip -n "$SA" link set sync0 down
standby_wait a .role MASTER 10 || fail "split brain: box a is not MASTER"
standby_wait b .role MASTER 10 || fail "split brain: box b is not MASTER"
standby_wait a .partitioned true 5 || fail "split brain: box a does not keep to its half"
standby_wait b .partitioned true 5 || fail "split brain: box b does not keep to its half"
hold t0 100 25 "$LAB_LOGS/split_a.json"
hold t1 100 25 "$LAB_LOGS/split_b.json"
wait_up a 100 25
wait_up b 100 25
for b in a b; do standbyctl $b -j show sessions | jq -r '.sessions[] | "\(.session_id) \(.ip)"' >"$LAB_LOGS/split_sessions_$b"; done
/usr/bin/python3 - "$LAB_LOGS/split_sessions_a" "$LAB_LOGS/split_sessions_b" <<'PY' || fail "split brain: an ID or address was handed out twice or outside its half"
import ipaddress, sys
first = int(ipaddress.IPv4Address("10.100.0.1"))
half = (4090 + 1) // 2   # pool 10.100.0.1-10.100.15.250
seen_ids, seen_ips = set(), set()
for path, side in ((sys.argv[1], "a"), (sys.argv[2], "b")):
    rows = [l.split() for l in open(path) if l.strip()]
    assert len(rows) == 100, (path, len(rows))
    for sid, ip in rows:
        sid, index = int(sid), int(ipaddress.IPv4Address(ip)) - first
        assert sid not in seen_ids and ip not in seen_ips, ("twice", sid, ip)
        seen_ids.add(sid); seen_ips.add(ip)
        assert (sid <= 32767) == (side == "a"), ("session ID outside the half", side, sid)
        assert (index < half) == (side == "a"), ("address outside the half", side, ip)
print("split brain: 200 sessions, 200 distinct IDs and addresses, each box in its half")
PY
# Healed: VRRP sees both; box b (lower priority) steps down and hands its sessions back; box a
# continues them, and the subscribers behind t1 never notice.
ip -n "$SUB" link set bb master acc
ip -n "$SUB" link set s1 master acc
ip -n "$SA" link set sync0 up
standby_wait b .role BACKUP 15 || fail "healed: box b did not step down"
wait_up a 200 10
FAST_AFTER_HEAL=$(ip netns exec "$(standby_ns a)" "$BIN/pppoectl" -s "$(standby_dir a)/pppoed.sock" -j show sessions |
  jq -r '[.sessions[].fast_path.state] | unique | join(" ")')
wait "${HOLDERS[0]}" "${HOLDERS[1]}"
held_ok "$LAB_LOGS/split_a.json" 100
held_ok "$LAB_LOGS/split_b.json" 100
standby_wait a .partitioned false 10 || fail "healed: box a still keeps to its half"
HOLDERS=()
echo "box a: $(standby_stat a .counters | jq -c '{takeovers, step_downs, continued, released, clashes}'), box b: $(standby_stat b .counters | jq -c '{takeovers, step_downs, continued, released, clashes}')"
if [ "${PPPOED_FAST_PATH:-no}" = yes ]; then  # both boxes forwarded in the kernel, the continued sessions too
  for b in a b; do
    grep -q "fast path: XDP on" "$(standby_dir $b)/pppoed.log" || fail "box $b ran without the fast path"
  done
  expect_eq "$FAST_AFTER_HEAL" fast "box a's sessions' paths after the heal (its own and those box b handed back)"
fi
exit 0
