#!/bin/bash
# bench/pair.sh [REPEAT] - the router pair's handoff gaps (pppoec "Redundant pair"), measured
# in the lab of tests/integration/pppoec_pair.sh: real keepalived (VRRPv3 sync group, use_vmac)
# and conntrackd (FTFW), fping every 10 ms from the LAN host to the host behind the AC, and one
# TCP connection through the NAT for the whole run.
#
# For advert_int 0.01, 0.1 and 1 s: the MASTER's uplink cut (link down) and the failback when
# it returns (preemption), REPEAT times each. At 0.1 s also: the MASTER's pppoec SIGKILLed
# (keepalived's check runs every second), its keepalived SIGTERMed, all of its links down, each
# with the failback; then 50 handoffs in a row. Every step checks at the AC that the session is
# the same one: no new PADI, no new session (= no re-authentication).
#
# The baseline is VRRP's own bound: a BACKUP declares the MASTER dead after 3 x advert_int
# plus the skew time (about 3.6 x advert_int with these priorities); the gap is printed next to
# it as a ratio.
set -uo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
. bench/bench-lib.sh
bench_lab pairbench
ROOT=$PWD
. scripts/pair-lib.sh
trap 'pair_down; lab_down' EXIT
for t in keepalived conntrackd fping; do command -v $t >/dev/null || { echo "$t is missing: scripts/install-deps.sh"; exit 2; }; done
printf 'alice wonderland\n' > "$LAB_LOGS/ppp.secret"
pair_up || exit 1
pppoed_start --secrets "$LAB_LOGS/ppp.secret" >/dev/null || { echo "pppoed did not start"; exit 1; }

ROWS=()
declare -A TCP
# record ADVERT SCENARIO GAPS...: one table row (median and largest of the gaps).
record() {
  local advert=$1 scenario=$2; shift 2
  local sorted median max bound
  sorted=$(printf '%s\n' "$@" | sort -n)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  max=$(echo "$sorted" | tail -1)
  bound=$(echo "$advert * 3600" | bc | cut -d. -f1)
  ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$advert" "$scenario" "$median" "$max" "$#" \
    "$(printf '%.2f' "$(echo "scale=4; $median / $bound" | bc)")")")
}

start_pair() {  # ADVERT
  for r in a b; do pair_stop_all $r; done
  rm -rf "$(pair_dir a)" "$(pair_dir b)"
  pair_configure "$1" preempt
  pair_start_all a || exit 1
  pair_wait a .pair.role MASTER 20 >/dev/null || { echo "router a did not become MASTER"; exit 1; }
  pair_start_all b || exit 1
  pair_wait a .stage up 20 >/dev/null || { echo "no session"; exit 1; }
  pair_wait b .pair.held_session_id "$(pair_stat a .session_id)" 10 >/dev/null || { echo "b holds nothing"; exit 1; }
  SID=$(pair_stat a .session_id)
  PADI=$(ac_stat .discovery.padi_rx)
  CREATED=$(ac_stat .sessions_total.created)
}
check_same() {  # ROUTER
  [ "$(pair_stat "$1" .session_id)" == "$SID" ] && [ "$(ac_stat .discovery.padi_rx)" == "$PADI" ] &&
    [ "$(ac_stat .sessions_total.created)" == "$CREATED" ] && return 0
  echo "SESSION LOST: router $1 session $(pair_stat "$1" .session_id) (was $SID), AC PADI $(ac_stat .discovery.padi_rx) (was $PADI)"
  LOST=$((LOST + 1))
}
LOST=0

# step FROM TO CMD: one measured handoff; appends its gap to GAPS.
step() {
  local from=$1 to=$2; shift 2
  pair_step "x" "$from" "$to" "$@" >/dev/null || { echo "handoff $from -> $to failed: $*"; LOST=$((LOST + 1)); return 1; }
  check_same "$to"
  GAPS+=("$PAIR_GAP")
}

for advert in 0.01 0.1 1; do
  start_pair $advert
  pair_tcp_start
  CUT=() BACK=()
  for _ in $(seq 1 "$REPEAT"); do
    GAPS=()
    step a b ip -n "$RA" link set wan0 down && CUT+=("${GAPS[-1]}")
    step b a ip -n "$RA" link set wan0 up && BACK+=("${GAPS[-1]}")
  done
  record "$advert" "MASTER's uplink cut" "${CUT[@]}"
  record "$advert" "failback (uplink back, preempt)" "${BACK[@]}"
  if [ "$advert" == 0.1 ]; then
    for scenario in kill term links; do
      OUT=() IN=()
      for _ in $(seq 1 "$REPEAT"); do
        GAPS=()
        case $scenario in
          kill)
            step a b 'kill -KILL ${PAIR_PPPOEC_PID[a]}' && OUT+=("${GAPS[-1]}")
            step b a pair_start_pppoec a && IN+=("${GAPS[-1]}") ;;
          term)
            step a b 'stop_pid ${PAIR_KEEPALIVED_PID[a]}' && OUT+=("${GAPS[-1]}")
            step b a pair_start_keepalived a && IN+=("${GAPS[-1]}") ;;
          links)
            step a b 'for l in lan0 wan0 sync0; do ip -n "$RA" link set $l down; done' && OUT+=("${GAPS[-1]}")
            step b a 'for l in lan0 wan0 sync0; do ip -n "$RA" link set $l up; done' && IN+=("${GAPS[-1]}") ;;
        esac
      done
      case $scenario in
        kill) record "$advert" "MASTER's pppoec SIGKILL (check every 1 s)" "${OUT[@]}"; record "$advert" "failback (pppoec restarted)" "${IN[@]}" ;;
        term) record "$advert" "MASTER's keepalived SIGTERM" "${OUT[@]}"; record "$advert" "failback (keepalived restarted)" "${IN[@]}" ;;
        links) record "$advert" "all of the MASTER's links down" "${OUT[@]}"; record "$advert" "failback (links up)" "${IN[@]}" ;;
      esac
    done
    # 50 handoffs in a row under the pinger.
    pair_fping_start
    for _ in $(seq 1 25); do
      ip -n "$RA" link set wan0 down
      pair_wait b .stage up 10 >/dev/null && pair_wait b .pair.role MASTER 10 >/dev/null || LOST=$((LOST + 1))
      ip -n "$RA" link set wan0 up
      pair_wait a .pair.role MASTER 10 >/dev/null && pair_wait a .stage up 10 >/dev/null || LOST=$((LOST + 1))
    done
    sleep 1.5
    read -r gap50 replies50 <<<"$(pair_fping_stop)"
    check_same a
    record "$advert" "50 handoffs in a row: largest gap" "$gap50"
  fi
  pair_tcp_stop
  TCP[$advert]=$(cat "$LAB_LOGS/tcp_client.out")
done

echo
echo "| advert_int (s) | scenario | gap median (ms) | gap max (ms) | runs | median / VRRP bound (3.6 x advert_int) |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
for advert in 0.01 0.1 1; do echo "TCP connection through the NAT at advert_int $advert: ${TCP[$advert]} (alive MAX_GAP_MS LINES)"; done
echo "sessions lost or re-authenticated over the whole run: $LOST (AC: $(ac_stat .discovery.padi_rx) PADI, $(ac_stat .sessions_total.created) sessions created in total, one per pair start)"
