# Sourced by each integration test: one lab per test (named after the test), torn down on
# exit whatever happens; logs kept in $LAB_LOGS and printed on failure.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
TEST_NAME=$(basename "$0" .sh)
LAB=${LAB:-t$(echo "$TEST_NAME" | tr -cd 'a-z0-9' | cut -c1-6)$$}
. "$ROOT/scripts/lab-lib.sh"

SECRETS=$LAB_LOGS/ppp.secret
printf '# test users\ntest test\nalice wonderland\nbob "builder pass" 10.9.9.9\n' > "$SECRETS"
chmod 600 "$SECRETS"

FAILED=0
finish() {
  local rc=$?
  # A fast-path run that ran without it proves nothing: say so.
  if [ "${PPPOED_FAST_PATH:-no}" = yes ] && [ "$rc" = 0 ] && [ "$FAILED" = 0 ] && [ -f "$LAB_LOGS/pppoed.log" ] &&
    ! grep -q "fast path: XDP on" "$LAB_LOGS/pppoed.log"; then
    echo "ASSERTION FAILED: PPPOED_FAST_PATH=yes but pppoed ran without the fast path"; FAILED=1
  fi
  lab_down
  if [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; then
    echo "--- pppoed log ($LAB_LOGS/pppoed.log) ---"; tail -n 60 "$LAB_LOGS/pppoed.log" 2>/dev/null
    echo "FAIL: $TEST_NAME (logs kept in $LAB_LOGS)"
    exit 1
  fi
  rm -rf "$LAB_LOGS"
  echo "PASS: $TEST_NAME"
}
trap finish EXIT

fail() { echo "ASSERTION FAILED: $*"; FAILED=1; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }
# stat NAME: one value from `pppoectl show summary --json`, e.g. stat .sessions.total
stat() { pppoectl_lab -j show summary | jq -r "$1"; }
# wait_log PATTERN SECONDS [LOG]: until pppoed's log (or LOG) has a line matching PATTERN (grep -E).
wait_log() {
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    grep -qE "$1" "${3:-$LAB_LOGS/pppoed.log}" && return 0
    sleep 0.1
  done
  return 1
}
# Waits until `stat $1` equals $2, up to $3 seconds.
wait_stat() {
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(stat "$1")" == "$2" ] && return 0
    sleep 0.2
  done
  fail "$1 did not become $2 within $3 s (now $(stat "$1"))"
}

[ "$(id -u)" = 0 ] || fail "integration tests need root (network namespaces)"
command -v jq >/dev/null || fail "jq is missing: run scripts/install-deps.sh"
lab_up || fail "could not build the lab namespaces"
