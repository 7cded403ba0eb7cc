#!/bin/bash
# Blast-RADIUS (CVE-2024-3596): an Access-Accept without a valid Message-Authenticator is
# refused, even with a correct Response Authenticator; a valid one is honoured. A fake server
# (fake_radius.py) crafts the answers FreeRADIUS would never send.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/radius_common.sh"
try_mode() {  # try_mode MODE [extra config line]: exit code of one PAP session
  local mode=$1
  printf 'radius-auth-server 127.0.0.1:18140 %s\nradius-timeout 1\nradius-retries 1\n%s\n' "$RADIUS_SECRET" "${2:-}" \
    > "$LAB_LOGS/ma.conf"
  ip netns exec "$AC" /usr/bin/python3 "$HERE/fake_radius.py" 18140 "$RADIUS_SECRET" "$mode" &
  local fake=$!
  sleep 0.3
  pppoed_start -f "$LAB_LOGS/ma.conf" || fail "pppoed did not start"
  pppoetest_lab -m create -i sub0 -n 1 --auth pap --user alice --password wonderland --timeout 10 >/dev/null
  local rc=$?
  INVALID=$(pppoectl_lab -j show radius | jq .counters.invalid_responses)
  pppoed_stop
  kill $fake; wait $fake 2>/dev/null
  return $rc
}
try_mode good || fail "an Accept with a valid Message-Authenticator was refused"
expect_eq "$INVALID" 0 "invalid responses with a good server"
try_mode no-ma && fail "an Accept without Message-Authenticator was honoured"
[ "$INVALID" -ge 1 ] || fail "the Accept without Message-Authenticator was not counted"
try_mode bad-ma && fail "an Accept with a wrong Message-Authenticator was honoured"
[ "$INVALID" -ge 1 ] || fail "the wrong Message-Authenticator was not counted"
grep -q "dropped: no Message-Authenticator" "$LAB_LOGS/pppoed.log" || fail "missing Message-Authenticator not logged"
grep -q "dropped: bad Message-Authenticator" "$LAB_LOGS/pppoed.log" || fail "bad Message-Authenticator not logged"
# The operator may relax the requirement for old servers (documented as unsafe).
try_mode no-ma "radius-require-message-authenticator no" || fail "relaxed requirement not applied"
exit 0
