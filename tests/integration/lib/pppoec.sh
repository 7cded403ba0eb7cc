# Helpers for the pppoec tests, sourced after common.sh: pppoec runs in the subscriber
# namespace against pppoed in the AC namespace.
PPPOEC_PID=
PPPOEC_LOG=$LAB_LOGS/pppoec.log
PPPOEC_SOCK=$LAB_LOGS/pppoec.sock
PPPOEC_STATE=$LAB_LOGS/pppoec.state

# pppoec_start CONF ARGS...: starts pppoec in the subscriber namespace.
pppoec_start() {
  local conf=$1; shift
  ip netns exec "$SUB" "$BIN/pppoec" -f "$conf" --state "$PPPOEC_STATE" --resolv-conf "$LAB_LOGS/resolv.conf" "$@" \
    >>"$PPPOEC_LOG" 2>&1 &
  PPPOEC_PID=$!
}
pppoec_stop() {
  stop_pid "$PPPOEC_PID"
  PPPOEC_PID=
}
# How pppctl reaches the client: "[-p PASSWORD] SOCKET", word-split on use.
PPPOEC_CTL="-p '' $PPPOEC_SOCK"
# pppctl_lab [-p PASSWORD] SOCKET COMMAND...
pppctl_lab() { ip netns exec "$SUB" "$BIN/pppctl" "$@"; }
# pppoec_stat JQ: one value of the client's status (through $PPPOEC_CTL).
pppoec_stat() { eval "pppctl_lab -j $PPPOEC_CTL show link" 2>/dev/null | jq -r ".status$1"; }
# wait_client JQ VALUE SECONDS
wait_client() {
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(pppoec_stat "$1")" == "$2" ] && return 0
    sleep 0.2
  done
  fail "client $1 did not become $2 within $3 s (now $(pppoec_stat "$1"))"
}
sub_ping() { ip netns exec "$SUB" ping "$@"; }
pppoec_finish() {
  local rc=$?
  pppoec_stop
  if [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; then echo "--- pppoec log ---"; tail -n 40 "$PPPOEC_LOG" 2>/dev/null; fi
  (exit $rc)
  finish
}
trap pppoec_finish EXIT
