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

# perf_stat PIDS SECONDS -> "syscalls context_switches" of those processes over SECONDS
perf_stat() {
  perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "$1" -- sleep "$2" 2>&1 >/dev/null |
    awk -F, '$3 ~ /sys_enter/ {s=$1} $3 ~ /context-switches/ {c=$1} END {print s+0, c+0}'
}

# The forwarding benchmarks' table (bench/dataplane.sh, bench/l2tp_lac.sh): rows collected with
# forward_row, printed with forward_table against the "raw baseline" rows of the same run.
FORWARD_ROWS=()
forward_row() {  # label direction size packets syscalls ctxsw sent   (over $T seconds)
  local rate; rate=$(echo "$4 / $T" | bc -l)
  FORWARD_ROWS+=("$(printf '%s|%s|%s|%.0f|%.4f|%.4f|%s' "$1" "$2" "$3" "$rate" "$(echo "$5 / ($4 + 1)" | bc -l)" \
    "$(echo "$6 / ($4 + 1)" | bc -l)" "$7")")
}
forward_table() {  # LABEL_WIDTH
  local width=$1
  echo
  printf "%-${width}s %-5s %5s %12s %7s %13s %13s %12s\n" "" dir size "packets/s" ratio "syscalls/pkt" "ctxsw/pkt" "offered/s"
  for r in "${FORWARD_ROWS[@]}"; do
    IFS='|' read -r label dir size rate sysp ctxp sent <<<"$r"
    base=1
    for b in "${FORWARD_ROWS[@]}"; do
      IFS='|' read -r l d s rr _ <<<"$b"
      if [ "$l" = "raw baseline" ] && [ "$d" = "$dir" ] && [ "$s" = "$size" ]; then base=$rr; fi
    done
    printf "%-${width}s %-5s %5s %12s %7.2f %13s %13s %12.0f\n" "$label" "$dir" "$size" "$rate" \
      "$(echo "$rate / $base" | bc -l)" "$sysp" "$ctxp" "$(echo "$sent / $T" | bc -l)"
  done
  echo "(ratio = packets/s relative to the raw baseline of the same direction and size in this run;"
  echo " $(nproc) CPUs shared by traffic generator, kernel and forwarder; syscalls and context switches"
  echo " are the forwarding processes' own, per packet forwarded)"
}

# perf stat with the raw_syscalls tracepoints: perf installed, tracefs mounted.
bench_need_perf() {
  command -v perf >/dev/null || { echo "perf is missing: scripts/install-deps.sh"; exit 2; }
  mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
}
