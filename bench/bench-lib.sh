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

# perf stat with the raw_syscalls tracepoints: perf installed, tracefs mounted.
bench_need_perf() {
  command -v perf >/dev/null || { echo "perf is missing: scripts/install-deps.sh"; exit 2; }
  mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
}
