#!/bin/bash
# The Debian package as an operator gets it (issue 19): built from the source tree with
# Debian's flags (dpkg-buildpackage, hardening=+all, -Werror), checked by lintian (no errors),
# holding the programs, every manual page, the units and /etc/pppoed with safe modes; then
# installed on this machine with dpkg (postinst checks the configuration and neither enables
# nor starts pppoed), used, and purged again, also when the test fails.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/tpackage.XXXX)
INSTALLED=0
FAILED=0
finish() {
  local rc=$?
  [ "$INSTALLED" = 1 ] && dpkg --purge pppoed >"$WORK/purge-on-exit.log" 2>&1
  if [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; then
    echo "--- dpkg-buildpackage ($WORK/build.log) ---"; tail -n 30 "$WORK/build.log" 2>/dev/null
    echo "FAIL: package (files kept in $WORK)"
    exit 1
  fi
  rm -rf "$WORK"
  echo "PASS: package"
}
trap finish EXIT
fail() { echo "ASSERTION FAILED: $*"; FAILED=1; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }

# Never replace a pppoed someone installed on this machine.
if dpkg-query -W -f='${Status}' pppoed 2>/dev/null | grep -q "installed"; then
  fail "a pppoed package is installed here; this test installs and purges its own and will not replace it"
fi

# The tracked files as they are in the tree (what a clone has), built out of it.
mkdir -p "$WORK/src"
git -C "$ROOT" ls-files -z | (cd "$ROOT" && tar --null -T - -c) | tar -x -C "$WORK/src"
start=$SECONDS
(cd "$WORK/src" && DEB_BUILD_OPTIONS="parallel=$(nproc) nocheck" dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1) ||
  fail "dpkg-buildpackage failed"
echo "package built in $((SECONDS - start)) s"
deb=$(ls "$WORK"/pppoed_*.deb 2>/dev/null | grep -v dbgsym | head -1)
[ -n "$deb" ] || fail "no .deb: $(ls "$WORK")"

lintian --fail-on error --no-tag-display-limit "$deb" >"$WORK/lintian.log" 2>&1 ||
  fail "lintian found errors: $(grep '^E:' "$WORK/lintian.log")"
echo "lintian: no errors, $(grep -c '^W:' "$WORK/lintian.log") warnings"

# What is inside, and with which modes.
dpkg-deb -c "$deb" >"$WORK/contents"
for f in ./usr/sbin/pppoed ./usr/bin/pppoectl ./usr/bin/pppoetest ./usr/bin/pppoec ./usr/bin/pppctl \
  ./usr/share/man/man8/pppoed.8.gz ./usr/share/man/man8/pppoectl.8.gz ./usr/share/man/man8/pppoetest.8.gz \
  ./usr/share/man/man8/pppoec.8.gz ./usr/share/man/man8/pppctl.8.gz ./usr/share/man/man5/pppoed.conf.5.gz \
  ./lib/systemd/system/pppoed.service ./lib/systemd/system/pppoed@.service ./usr/lib/tmpfiles.d/pppoed.conf \
  ./etc/pppoed/pppoed.conf ./etc/pppoed/ppp.secret ./usr/share/bash-completion/completions/pppoectl \
  ./usr/share/pppoed/grafana/pppoed-dashboard.json; do
  grep -q " $f\$" "$WORK/contents" || fail "$f is not in the package"
done
expect_eq "$(awk '$6 == "./etc/pppoed/" {print $1}' "$WORK/contents")" drwx------ "mode of /etc/pppoed"
expect_eq "$(awk '$6 == "./etc/pppoed/ppp.secret" {print $1}' "$WORK/contents")" -rw------- "mode of ppp.secret"
dpkg-deb -e "$deb" "$WORK/control"
grep -qx "/etc/pppoed/pppoed.conf" "$WORK/control/conffiles" || fail "pppoed.conf is not a conffile"

# Installed for real: the maintainer scripts run, the example configuration (no interface yet)
# is said to need editing, nothing is enabled or started.
INSTALLED=1
dpkg -i "$deb" >"$WORK/install.log" 2>&1 || fail "dpkg -i failed: $(cat "$WORK/install.log")"
grep -q "pppoed: edit /etc/pppoed/pppoed.conf" "$WORK/install.log" || fail "postinst did not check the configuration"
expect_eq "$(/usr/sbin/pppoed --version)" "pppoed $(sed -n 's/^pppoed (\([^)]*\)).*/\1/p' "$ROOT/debian/changelog" | head -1)" \
  "installed pppoed --version"
for p in pppoectl pppoetest pppoec pppctl; do
  /usr/bin/$p --version >/dev/null || fail "installed $p --version failed"
done
# The shipped example with an interface given is a good configuration.
/usr/sbin/pppoed --check -f /etc/pppoed/pppoed.conf lo >"$WORK/check.log" 2>&1 ||
  fail "the shipped configuration does not check: $(cat "$WORK/check.log")"
for page in pppoed.8 pppoectl.8 pppoetest.8 pppoec.8 pppctl.8 pppoed.conf.5; do
  out=$(MANWIDTH=80 man --warnings -l "/usr/share/man/man${page##*.}/$page.gz" 2>"$WORK/man.err")
  # A wide table wraps at 80 columns (pandoc sizes them for 70): layout, not a broken page.
  grep -vE "around line|table wider than line width|cannot adjust line" "$WORK/man.err" | grep -q . &&
    fail "man $page warns: $(cat "$WORK/man.err")"
  echo "$out" | grep -q "^NAME" || fail "man $page has no NAME section"
done
man -w pppoed >/dev/null 2>&1 || fail "man pppoed does not find the installed page"
systemd-analyze verify /lib/systemd/system/pppoed.service >"$WORK/verify.log" 2>&1 ||
  fail "the installed unit does not verify: $(cat "$WORK/verify.log")"

dpkg --purge pppoed >"$WORK/purge.log" 2>&1 || fail "dpkg --purge failed: $(cat "$WORK/purge.log")"
INSTALLED=0
[ -e /usr/sbin/pppoed ] && fail "/usr/sbin/pppoed left after purge"
[ -e /etc/pppoed ] && fail "/etc/pppoed left after purge"
echo "installed, used and purged: $(wc -l <"$WORK/contents") entries"
exit 0
