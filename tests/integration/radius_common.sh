# Sourced by the RADIUS integration tests (after common.sh): real FreeRADIUS servers inside the
# lab's AC namespace, on its loopback, each with its own configuration, users and detail files.
command -v freeradius >/dev/null || fail "freeradius is missing: run scripts/install-deps.sh"
command -v radclient >/dev/null || fail "radclient (freeradius-utils) is missing: run scripts/install-deps.sh"

RADIUS_SECRET=testing123
. "$ROOT/scripts/radius-lib.sh"
DAE_SECRET=dae-secret-42

# The pppoed configuration of the RADIUS tests (file path in $RADIUS_CONF).
RADIUS_CONF=$LAB_LOGS/pppoed-radius.conf
radius_conf() {
  cat > "$RADIUS_CONF" <<CONF
radius-auth-server 127.0.0.1:18120 $RADIUS_SECRET priority=1
radius-acct-server 127.0.0.1:18121 $RADIUS_SECRET priority=1
radius-timeout 1
radius-retries 2
radius-dead-time 30
radius-nas-identifier lab-bras
radius-acct-spool $LAB_LOGS/spool
radius-dae-listen 127.0.0.1:3799
radius-dae-client 127.0.0.1 $DAE_SECRET
framed-pool gold 10.7.0.10-10.7.0.50
CONF
  cat >> "$RADIUS_CONF"
  chmod 600 "$RADIUS_CONF"
}
