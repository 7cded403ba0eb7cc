# Real FreeRADIUS servers for the tests and benchmarks, inside the lab's AC namespace on its
# loopback, each with its own configuration copied from Debian's, its users, and detail files
# under $LAB_LOGS/NAME. Needs lab-lib.sh sourced first, and $RADIUS_SECRET.

# The users every server knows (FreeRADIUS "files" module format).
radius_users() {
  cat <<'USERS'
bench Cleartext-Password := "bench"
alice Cleartext-Password := "wonderland"
      Class = "plan-a", Acct-Interim-Interval = 10
fixed Cleartext-Password := "pw"
      Framed-IP-Address = 10.8.0.5, MS-Primary-DNS-Server = 192.0.2.53
gold Cleartext-Password := "pw"
      Framed-Pool = "gold"
shorty Cleartext-Password := "pw"
      Session-Timeout = 3
wholesale-user Cleartext-Password := "via-radius"
      Tunnel-Type:1 = L2TP, Tunnel-Medium-Type:1 = IPv4, Tunnel-Server-Endpoint:1 = "198.51.100.1",
      Tunnel-Password:1 = "tunnel-secret-123", Tunnel-Assignment-Id:1 = "partner-a",
      Tunnel-Client-Auth-Id:1 = "lac-radius"
lns-user@self.example Cleartext-Password := "lns-pw"
      Class = "retail-plan", Framed-Pool = "gold"
tunnel-to-self Cleartext-Password := "self-pw"
      Tunnel-Type:1 = L2TP, Tunnel-Medium-Type:1 = IPv4, Tunnel-Server-Endpoint:1 = "127.0.0.1:1702",
      Tunnel-Password:1 = "self-secret-789", Tunnel-Client-Auth-Id:1 = "lac-self", Framed-Pool = "gold"
v6fixed Cleartext-Password := "pw"
      Framed-IPv6-Prefix = 2001:db8:3000:1::/64, Delegated-IPv6-Prefix = 2001:db8:3100:100::/56,
      DNS-Server-IPv6-Address = 2001:db8:ffff::99
v6gold Cleartext-Password := "pw"
      Framed-IPv6-Pool = "gold6", Delegated-IPv6-Prefix-Pool = "gold6"
rate-filterid Cleartext-Password := "pw"
      Filter-Id = "6000/3000"
rate-mikrotik Cleartext-Password := "pw"
      Mikrotik-Rate-Limit = "2M/8M"
rate-cisco Cleartext-Password := "pw"
      Cisco-AVPair = "lcp:interface-config#1=rate-limit output 4096000 512000 512000 conform-action transmit exceed-action drop",
      Cisco-AVPair += "ip:sub-qos-policy-in=gold"
rate-wispr Cleartext-Password := "pw"
      WISPr-Bandwidth-Max-Down = 9000000, WISPr-Bandwidth-Max-Up = 1000000
rate-bad Cleartext-Password := "pw"
      Mikrotik-Rate-Limit = "fast"
routed Cleartext-Password := "pw"
      Framed-IP-Address = 10.8.1.1, Framed-IP-Netmask = 255.255.255.248,
      Framed-Route = "192.0.2.144/28 0.0.0.0 1", Framed-IPv6-Route = "2001:db8:5000::/48 :: 1"
filtered Cleartext-Password := "pw"
      Filter-Id = "residential"
routed-bad Cleartext-Password := "pw"
      Framed-Route = "192.0.2.160/28 198.51.100.7 1"
failover-user Cleartext-Password := "via-radius"
      Tunnel-Type:1 = L2TP, Tunnel-Medium-Type:1 = IPv4, Tunnel-Server-Endpoint:1 = "198.51.100.3",
      Tunnel-Preference:1 = 1,
      Tunnel-Type:2 = L2TP, Tunnel-Medium-Type:2 = IPv4, Tunnel-Server-Endpoint:2 = "198.51.100.4",
      Tunnel-Preference:2 = 2
suspended Auth-Type := Reject
      Reply-Message = "Account suspended: unpaid invoice"
USERS
}

# radius_sql_modules RADDB HOST PORT: the sql module on PostgreSQL at HOST:PORT (database
# `radius`, scripts/postgres-lib.sh) and sqlippool over it: leases keyed on NAS-IP-Address and
# NAS-Port (the PPPoE session ID), as the FreeRADIUS documentation deploys them.
radius_sql_modules() {
  cat >"$1/mods-enabled/sql" <<SQL
sql {
  dialect = "postgresql"
  driver = "rlm_sql_postgresql"
  server = "$2"
  port = $3
  login = "postgres"
  password = ""
  radius_db = "radius"
  acct_table1 = "radacct"
  acct_table2 = "radacct"
  postauth_table = "radpostauth"
  authcheck_table = "radcheck"
  groupcheck_table = "radgroupcheck"
  authreply_table = "radreply"
  groupreply_table = "radgroupreply"
  usergroup_table = "radusergroup"
  delete_stale_sessions = yes
  read_clients = no
  client_table = "nas"
  group_attribute = "SQL-Group"
  pool {
    start = 32
    min = 32
    max = 64
    spare = 32
    uses = 0
    retry_delay = 1
    lifetime = 0
    idle_timeout = 60
  }
  \$INCLUDE \${modconfdir}/\${.:name}/main/\${dialect}/queries.conf
}
SQL
  # SKIP LOCKED (PostgreSQL >= 9.5, as the file's own comment advises): concurrent allocations
  # take different free rows instead of queueing on the same one.
  sed -i 's/^skip_locked = ""/skip_locked = "SKIP LOCKED"/' "$1/mods-config/sql/ippool/postgresql/queries.conf"
  cat >"$1/mods-enabled/sqlippool" <<'IPPOOL'
sqlippool {
  sql_module_instance = "sql"
  dialect = "postgresql"
  pool_name = "Pool-Name"
  ippool_table = "radippool"
  lease_duration = 3600
  allocate_clear_timeout = 1
  attribute_name = Framed-IP-Address
  req_attribute_name = Framed-IP-Address
  pool_key = "%{NAS-Port}"
  messages {
    exists = "Existing IP: %{reply:${..attribute_name}} (port %{NAS-Port} user %{User-Name})"
    success = "Allocated IP: %{reply:${..attribute_name}} from %{control:${..pool_name}} (port %{NAS-Port} user %{User-Name})"
    clear = "Released IP %{request:${..attribute_name}} (user %{User-Name})"
    failed = "IP Allocation FAILED from %{control:${..pool_name}} (port %{NAS-Port} user %{User-Name})"
    nopool = "No ${..pool_name} defined (port %{NAS-Port} user %{User-Name})"
  }
  $INCLUDE ${modconfdir}/sql/ippool/${dialect}/queries.conf
}
IPPOOL
}

# radius_start NAME PORT: FreeRADIUS with authentication on 127.0.0.1:PORT, accounting on PORT+1
# (another address with RADIUS_LISTEN, other clients with RADIUS_CLIENTS, an address or prefix).
# With RADIUS_SQL="HOST PORT": addresses from sqlippool (pool "main") and accounting into
# PostgreSQL as well as the detail file; no address left means Access-Reject.
radius_start() {
  local listen=${RADIUS_LISTEN:-127.0.0.1} clients=${RADIUS_CLIENTS:-127.0.0.1}
  local name=$1 port=$2 dir=$LAB_LOGS/$1
  rm -rf "$dir" && mkdir -p "$dir/log" "$dir/run"
  cp -a /etc/freeradius/3.0 "$dir/raddb"
  rm -f "$dir/raddb/sites-enabled/"* "$dir/raddb/mods-enabled/eap"
  sed -i -e "s|^logdir = .*|logdir = $dir/log|" -e "s|^run_dir = .*|run_dir = $dir/run|" \
    -e "/^\s*user = freerad/d" -e "/^\s*group = freerad/d" -e "s|^\tstart_servers = .*|\tstart_servers = ${RADIUS_THREADS:-5}|" \
    -e "s|^\tmax_servers = .*|\tmax_servers = ${RADIUS_THREADS:-32}|" "$dir/raddb/radiusd.conf"
  cat > "$dir/raddb/clients.conf" <<CLIENTS
client lab {
  ipaddr = $clients
  secret = $RADIUS_SECRET
  require_message_authenticator = yes
}
CLIENTS
  radius_users > "$dir/raddb/mods-config/files/authorize"
  local sql_authorize="" sql_accounting="" sql_post_auth=""
  if [ -n "${RADIUS_SQL:-}" ]; then
    # shellcheck disable=SC2086
    radius_sql_modules "$dir/raddb" $RADIUS_SQL
    # Each Access-Reject in radius.log with the module that refused (an address pool empty,
    # the database away).
    sed -i "s|^\tauth = no|\tauth = yes|" "$dir/raddb/radiusd.conf"
    sql_authorize='update control {
    Pool-Name := "main"
  }'
    sql_accounting='sql
  sqlippool'
    # No address: the subscriber is refused (and retries) rather than served from a box's own pool.
    sql_post_auth='sqlippool {
    notfound = reject
    fail = reject
  }'
  fi
  # A minimal virtual server; post-auth adds Message-Authenticator to every answer, as the
  # Blast-RADIUS advisory asks of FreeRADIUS versions before 3.2.5.
  cat > "$dir/raddb/sites-enabled/lab" <<SITE
server default {
listen {
  type = auth
  ipaddr = $listen
  port = $port
  recv_buff = 4194304
}
listen {
  type = acct
  ipaddr = $listen
  port = $((port + 1))
  recv_buff = 4194304
}
authorize {
  preprocess
  chap
  mschap
  files
  pap
  $sql_authorize
}
authenticate {
  Auth-Type PAP {
    pap
  }
  Auth-Type CHAP {
    chap
  }
  Auth-Type MS-CHAP {
    mschap
  }
}
preacct {
  preprocess
  acct_unique
}
accounting {
  detail
  $sql_accounting
}
post-auth {
  $sql_post_auth
  update reply {
    Message-Authenticator := 0x00
  }
  Post-Auth-Type REJECT {
    update reply {
      Message-Authenticator := 0x00
    }
  }
}
}
SITE
  ip netns exec "$AC" freeradius -f -d "$dir/raddb" -l "$dir/radius.log" &
  echo $! > "$dir/pid"
  for _ in $(seq 1 100); do
    grep -q "Ready to process requests" "$dir/radius.log" 2>/dev/null && return 0
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/radius.log"; return 1
}

radius_stop() {
  local pid
  pid=$(cat "$LAB_LOGS/$1/pid" 2>/dev/null) || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

# radius_detail NAME: everything server NAME's accounting wrote (FreeRADIUS detail format).
radius_detail() { cat "$LAB_LOGS/$1"/log/radacct/*/detail-* 2>/dev/null; }

# radius_record NAME ACCT-SESSION-ID STATUS: that one accounting record, or nothing.
radius_record() {
  radius_detail "$1" | awk -v id="\"$2\"" -v st="$3" '
    /^[A-Z][a-z][a-z] / { if (rec != "" && hit_id && hit_st) print rec; rec = ""; hit_id = 0; hit_st = 0 }
    { rec = rec $0 "\n" }
    $1 == "Acct-Session-Id" && $3 == id { hit_id = 1 }
    $1 == "Acct-Status-Type" && $3 == st { hit_st = 1 }
    END { if (rec != "" && hit_id && hit_st) print rec }'
}

# rfield RECORD ATTRIBUTE: one attribute's value from a detail record.
rfield() { echo "$1" | awk -v a="$2" '$1 == a { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }'; }

