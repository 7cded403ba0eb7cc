# The common start of the benchmarks (sourced from the repository root): root check, release
# build, a lab of network namespaces named after the benchmark and removed on exit
# (scripts/lab-lib.sh), and a ppp.secret with the user "bench".
bench_lab() {  # LAB_NAME
  [ "$(id -u)" = 0 ] || { echo "$0 needs root"; exit 2; }
  scripts/build.sh release >/dev/null
  BIN=$PWD/build/bin
  LAB=$1
  . scripts/lab-lib.sh
  trap lab_down EXIT
  lab_up
  printf 'bench bench\n' > "$LAB_LOGS/ppp.secret"
  chmod 600 "$LAB_LOGS/ppp.secret"
}

# perf_stat PIDS SECONDS -> "syscalls context_switches cpu_ms" of those processes over SECONDS
# (cpu_ms: task-clock, user and kernel time of all their threads)
perf_stat() {
  perf stat -x, -e raw_syscalls:sys_enter,context-switches,task-clock -p "$1" -- sleep "$2" 2>&1 >/dev/null |
    awk -F, '$3 ~ /sys_enter/ {s=$1} $3 ~ /context-switches/ {c=$1} $3 ~ /task-clock/ {t=$1}
             END {print s+0, c+0, t+0}'
}

# The forwarding benchmarks' table (bench/dataplane.sh, bench/l2tp_lac.sh): rows collected with
# forward_row, printed with forward_table against the "raw baseline" rows of the same run (or the
# rows labelled $FORWARD_BASELINE).
FORWARD_ROWS=()
forward_row() {  # label direction size packets syscalls ctxsw sent cpu_ms   (over $T seconds)
  local rate; rate=$(echo "$4 / $T" | bc -l)
  FORWARD_ROWS+=("$(printf '%s|%s|%s|%.0f|%.4f|%.4f|%s|%.3f' "$1" "$2" "$3" "$rate" "$(echo "$5 / ($4 + 1)" | bc -l)" \
    "$(echo "$6 / ($4 + 1)" | bc -l)" "$7" "$(echo "1000 * ${8:-0} / ($4 + 1)" | bc -l)")")
}
forward_table() {  # LABEL_WIDTH
  local width=$1
  echo
  printf "%-${width}s %-5s %5s %12s %7s %13s %13s %12s %11s\n" "" dir size "packets/s" ratio "syscalls/pkt" "ctxsw/pkt" \
    "offered/s" "CPU us/pkt"
  for r in "${FORWARD_ROWS[@]}"; do
    IFS='|' read -r label dir size rate sysp ctxp sent cpup <<<"$r"
    base=1
    for b in "${FORWARD_ROWS[@]}"; do
      IFS='|' read -r l d s rr _ <<<"$b"
      if [ "$l" = "${FORWARD_BASELINE:-raw baseline}" ] && [ "$d" = "$dir" ] && [ "$s" = "$size" ]; then base=$rr; fi
    done
    printf "%-${width}s %-5s %5s %12s %7.2f %13s %13s %12.0f %11s\n" "$label" "$dir" "$size" "$rate" \
      "$(echo "$rate / $base" | bc -l)" "$sysp" "$ctxp" "$(echo "$sent / $T" | bc -l)" "$cpup"
  done
  echo "(ratio = packets/s relative to the ${FORWARD_BASELINE:-raw baseline} of the same direction and size in this run;"
  echo " $(nproc) CPUs shared by traffic generator, kernel and forwarder; syscalls and context switches"
  echo " are the forwarding processes' own, per packet forwarded; CPU us/pkt: their user and kernel"
  echo " time per packet forwarded, what a core costs when the generator, not they, sets the rate)"
}

# perf stat with the raw_syscalls tracepoints: perf installed, tracefs mounted.
bench_need_perf() {
  command -v perf >/dev/null || { echo "perf is missing: scripts/install-deps.sh"; exit 2; }
  mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
}

# The survival benchmarks' table (bench/survival.sh, bench/standby.sh): one row per hold from
# pppoetest's JSON report (hold_row), printed with the largest gap as a ratio to the largest gap
# of the "baseline (no event)" rows of the same run (hold_table).
HOLD_ROWS=()
hold_row() {  # scenario json moved took_ms
  HOLD_ROWS+=("$(printf '%s|%s|%s|%s|%s|%s|%s|%s|%s' "$1" "$(jq .established "$2")" "$(jq .hold.largest_gap_ms "$2")" \
    "$(jq .hold.lost_stable "$2")" "$(jq .hold.sent "$2")" "$(jq .flapped "$2")" "$(jq .reauthenticated "$2")" "$3" "$4")")
}
hold_table() {  # MOVED_HEADER
  echo
  printf "%-22s %11s %15s %8s %10s %8s %8s %9s %8s %6s\n" scenario established "largest gap ms" lost "pings sent" flapped \
    re-auth "$1" "took ms" ratio
  local base
  base=$(for b in "${HOLD_ROWS[@]}"; do IFS='|' read -r s _ g _ <<<"$b"; [ "$s" = "baseline (no event)" ] && echo "$g"; done | sort -n | tail -1)
  for r in "${HOLD_ROWS[@]}"; do
    IFS='|' read -r scenario est gap lost sent flapped reauth moved took <<<"$r"
    printf "%-22s %11s %15s %8s %10s %8s %8s %9s %8s %6.2f\n" "$scenario" "$est" "$gap" "$lost" "$sent" "$flapped" \
      "$reauth" "$moved" "$took" "$(echo "$gap / $base" | bc -l)"
  done
}
