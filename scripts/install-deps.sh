#!/bin/bash
# Installs the Debian 12 packages pppoed needs to build and test. Idempotent; runs apt-get only
# when something is missing.
set -euo pipefail
PACKAGES=(
  cmake g++ make pkg-config
  libssl-dev libfmt-dev libcli11-dev nlohmann-json3-dev liburing-dev  # build
  libsystemd-dev                                             # sd_notify: readiness, status, watchdog
  libgtest-dev libgmock-dev libbenchmark-dev                 # unit tests, benchmarks
  clang-16 libclang-rt-16-dev                                # libFuzzer (scripts/fuzz.sh); BPF target (bpf/)
  libbpf-dev                                                 # the fast path's loader (dataplane/fast_path)
  iproute2 ethtool jq python3-scapy tshark procps bc bsdutils  # integration tests (script: a tty), the lab, benchmarks
  iputils-ping iperf3                                        # pppoec tests: traffic through the client's session
  nftables                                                   # pppoec: nat enable yes (masquerading, port forwards)
  socat                                                      # pppoec serial tests: a pty pair
  linux-perf                                                 # bench/dataplane.sh: syscalls and context switches per packet
  freeradius freeradius-utils                                # RADIUS tests against a real server (and radclient)
  freeradius-postgresql postgresql                           # several boxes: sqlippool and SQL accounting on PostgreSQL
  keepalived conntrackd conntrack fping                      # pppoec router pair: VRRP, NAT state sync, 10 ms pinger
  libcpp-httplib-dev curl prometheus                         # metrics endpoint; its tests (curl, promtool)
  systemd                                                    # systemd-analyze verify of the units
  dpkg-dev debhelper fakeroot pandoc lintian man-db git      # the Debian package and its manual pages (package test)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
