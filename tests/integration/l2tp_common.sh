# Sourced by the LAC tests (after common.sh): LNSs written from RFC 2661 alone
# (lib/l2tp_lns.py) in the lab's NET namespace, on $NET_HOST and two more addresses, with one
# tunnel secret in $LAB_LOGS/secret; every LNS is stopped on exit, whatever happens.
L2TP_PIDS=()
L2TP_EXTRA_FINISH=:  # a test's own clean-up, run before the lab goes
l2tp_finish() {
  local rc=$?
  for p in "${L2TP_PIDS[@]}"; do stop_pid "$p"; done
  $L2TP_EXTRA_FINISH
  (exit $rc)
  finish
}
trap l2tp_finish EXIT
echo "tunnel-secret-123" > "$LAB_LOGS/secret"
chmod 600 "$LAB_LOGS/secret"
ip -n "$NET" addr add 198.51.100.3/24 dev net0
ip -n "$NET" addr add 198.51.100.4/24 dev net0

# lns_start ADDRESS USERS [OPTIONS]: an LNS on ADDRESS:1701 knowing USERS ("user:password,...");
# its PID in LNS_PID; its figures in $LAB_LOGS/lns-ADDRESS.json on SIGTERM (or SIGHUP).
lns_start() {
  local addr=$1 users=$2
  shift 2
  ip netns exec "$NET" /usr/bin/python3 "$HERE/lib/l2tp_lns.py" "$addr" "$LAB_LOGS/lns-$addr.json" --users "$users" "$@" \
    >>"$LAB_LOGS/lns.log" 2>&1 &
  LNS_PID=$!
  L2TP_PIDS+=("$LNS_PID")
  sleep 0.5
}
lns_stop() {  # PID; forgotten afterwards, so that the exit never signals a reused PID
  stop_pid "$1"
  local kept=() p
  for p in "${L2TP_PIDS[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  L2TP_PIDS=("${kept[@]}")
}
lns_stat() { jq "$2" "$LAB_LOGS/lns-$1.json"; }
