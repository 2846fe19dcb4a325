#!/usr/bin/env bash
# The packages as a user meets them: lintian and rpm's view of them, then a clean Debian 12 root
# file system (mmdebstrap, Debian's packages only) booted under its own systemd (systemd-nspawn -b,
# no network), where apt installs the debs, the service runs, p88-dev builds the example plugin,
# remove and purge do what Debian policy says, and a second boot runs the host on PostgreSQL.
# Usage: packages_in_container.sh PACKAGE_DIR    (root; built by scripts/package.sh)
# The root file system (with the packages' dependencies, PostgreSQL, g++ and cmake) is cached as a
# tarball in P88_ROOTFS_CACHE (default /var/cache/p88-tests), keyed by what it contains.
set -euo pipefail

pkgdir=$(realpath "${1:?usage: $0 PACKAGE_DIR}")
cache=${P88_ROOTFS_CACHE:-/var/cache/p88-tests}
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
[ "$(id -u)" = 0 ] || fail "must run as root (mmdebstrap, systemd-nspawn)"
for tool in mmdebstrap systemd-nspawn nsenter lintian rpm dpkg-deb; do
  command -v "$tool" >/dev/null || fail "$tool is missing: scripts/install-deps.sh installs it (P88_WITH_TEST_TOOLS=1)"
done

deb() { ls "$pkgdir"/$1_*_amd64.deb 2>/dev/null | head -1; }
host_deb=$(deb p88); dev_deb=$(deb p88-dev); sim_deb=$(deb p88-provider-sim)
[ -n "$host_deb" ] && [ -n "$dev_deb" ] && [ -n "$sim_deb" ] ||
  fail "the three debs are not all in $pkgdir (run scripts/package.sh): $(ls "$pkgdir" | tr '\n' ' ')"

step "lintian"
lintian_out=$(lintian --tag-display-limit 0 "$host_deb" "$dev_deb" "$sim_deb" 2>&1 || true)
echo "$lintian_out" | sed 's/^/  /'
if grep -q '^E: ' <<<"$lintian_out"; then fail "lintian reports errors"; fi
echo "  lintian: $(echo "$lintian_out" | grep -c '^E: ' || true) errors, $(echo "$lintian_out" | grep -c '^W: ' || true) warnings"

step "deb contents and control"
for f in "$host_deb" "$dev_deb" "$sim_deb"; do
  echo "  $(basename "$f"): Depends: $(dpkg-deb -f "$f" Depends)"
done
# (listings in variables: grep -q closing a pipe early would kill dpkg-deb under pipefail)
host_files=$(dpkg-deb -c "$host_deb"); dev_files=$(dpkg-deb -c "$dev_deb"); sim_files=$(dpkg-deb -c "$sim_deb")
host_conffiles=$(dpkg-deb --ctrl-tarfile "$host_deb" | tar -xO ./conffiles)
grep -q ' ./usr/bin/p88host$' <<<"$host_files" || fail "p88 lacks /usr/bin/p88host"
[ "$(grep -c '/usr/lib/x86_64-linux-gnu/p88/plugins/[a-z]*\.so$' <<<"$host_files")" = 4 ] ||
  fail "p88 does not hold the four plugins"
if grep -q '/usr/include/' <<<"$host_files"; then fail "p88 ships SDK headers (they belong in p88-dev)"; fi
grep -q '/usr/include/p88/plugin.h$' <<<"$dev_files" || fail "p88-dev lacks the SDK headers"
grep -q 'cmake/P88Sdk/P88SdkConfig.cmake$' <<<"$dev_files" || fail "p88-dev lacks the P88Sdk package"
grep -q 'examples/hello-provider/CMakeLists.txt$' <<<"$dev_files" || fail "p88-dev lacks the example plugin"
grep -q ' ./usr/bin/p88-provider-sim$' <<<"$sim_files" || fail "p88-provider-sim lacks its binary"
grep -qx /etc/p88/p88host.properties <<<"$host_conffiles" || fail "/etc/p88/p88host.properties is not a conffile"
echo "  p88: $(wc -l <<<"$host_files") entries; p88-dev: $(wc -l <<<"$dev_files"); p88-provider-sim: $(wc -l <<<"$sim_files"); conffiles: $(tr '\n' ' ' <<<"$host_conffiles")"

step "rpm"
for name in p88 p88-dev p88-provider-sim; do
  rpmfile=$(ls "$pkgdir"/$name-[0-9]*.x86_64.rpm 2>/dev/null | head -1)
  [ -n "$rpmfile" ] || fail "no $name rpm in $pkgdir"
  files=$(rpm -qpl "$rpmfile"); reqs=$(rpm -qpR "$rpmfile"); configs=$(rpm -qp --configfiles "$rpmfile")
  scripts=$(rpm -qp --scripts "$rpmfile")
  echo "  $(basename "$rpmfile"): $(echo "$files" | wc -l) files; requires: $(echo "$reqs" | grep -v '^rpmlib' | tr '\n' ' ')"
  case $name in
    p88)
      for f in /usr/bin/p88host /etc/p88/p88host.properties /usr/lib/systemd/system/p88host.service /etc/logrotate.d/p88host; do
        grep -qx "$f" <<<"$files" || fail "the p88 rpm lacks $f"
      done
      [ "$(grep -c '/p88/plugins/[a-z]*\.so$' <<<"$files")" = 4 ] || fail "the p88 rpm does not hold the four plugins"
      grep -qx /etc/p88/p88host.properties <<<"$configs" || fail "the rpm's properties are not %config"
      grep -q 'libPocoNet' <<<"$reqs" || fail "the p88 rpm's requirements do not name Poco"
      grep -q 'systemctl enable --now p88host' <<<"$scripts" || fail "the p88 rpm does not enable the unit"
      ;;
    p88-dev) grep -qx /usr/include/p88/plugin.h <<<"$files" || fail "the p88-dev rpm lacks plugin.h" ;;
    p88-provider-sim) grep -qx /usr/bin/p88-provider-sim <<<"$files" || fail "the simulator rpm lacks its binary" ;;
  esac
  if grep -q '^/usr/lib/.build-id' <<<"$files"; then fail "$name rpm carries build-id links"; fi
done

# The root file system: Debian 12 minbase with systemd, the debs' dependencies, PostgreSQL and a
# compiler (for p88-dev), but not our packages: apt installs those into the booted system.
deps=$(for f in "$host_deb" "$dev_deb" "$sim_deb"; do dpkg-deb -f "$f" Depends Recommends | sed 's/^[A-Za-z-]*: //'; done |
       tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep -v '^p88' | grep -v '^$' | sort -u | tr '\n' ',')
include="systemd,systemd-sysv,dbus,sqlite3,procps,iproute2,curl,postgresql,make,${deps%,}"
key=$(echo "bookworm $include" | sha256sum | cut -c1-16)
tarball="$cache/rootfs-$key.tar"
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
  step "mmdebstrap (not cached): $include"
  start=$(date +%s)
  # The machine's own apt sources, so no mirror is named here.
  sources=/etc/apt/sources.list.d/debian.sources
  [ -s "$sources" ] || sources=/etc/apt/sources.list
  [ -s "$sources" ] || fail "no apt sources on this machine for mmdebstrap"
  mmdebstrap --quiet --variant=minbase --include="$include" bookworm "$cache/partial-$key.tar" "$sources"
  mv "$cache/partial-$key.tar" "$tarball"
  echo "  built $tarball in $(( $(date +%s) - start )) s"
  find "$cache" -name 'rootfs-*.tar' ! -name "rootfs-$key.tar" -delete
else
  step "root file system from the cache: $tarball"
fi

work=$(mktemp -d /var/tmp/p88-pkgtest.XXXXXX)
root="$work/root"
nspawn_pid=""
# A command in the container with the container's own clean environment (not this script's:
# the test runner's PGHOST/PGPORT would point psql at the host's test server).
inside() { nsenter -t "$container_pid" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
shutdown_container() {
  [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null || return 0
  inside systemctl poweroff >/dev/null 2>&1 || kill "$nspawn_pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 1; done
  kill -9 "$nspawn_pid" 2>/dev/null || true
  wait "$nspawn_pid" 2>/dev/null || true
  nspawn_pid=""
}
cleanup() { shutdown_container; rm -rf "$work"; }
trap cleanup EXIT

boot() {
  systemd-nspawn -q -D "$root" -b --console=passive --private-network --register=no --keep-unit \
    > "$work/console-$1.log" 2>&1 &
  nspawn_pid=$!
  container_pid=""
  for _ in $(seq 1 100); do
    container_pid=$(pgrep -P "$nspawn_pid" -x systemd || true)
    [ -n "$container_pid" ] && break
    sleep 0.2
  done
  [ -n "$container_pid" ] || { cat "$work/console-$1.log"; fail "the container's systemd did not start"; }
  local state=""
  for _ in $(seq 1 120); do
    state=$(inside systemctl is-system-running 2>/dev/null || true)
    case $state in running|degraded) break ;; esac
    sleep 0.5
  done
  echo "  boot $1: system $state"
  case $state in running|degraded) ;; *) fail "the container did not finish booting ($state)" ;; esac
}

# Waits until the unit is in one of the states given (at most $2 seconds).
wait_unit() {
  local want=$1 seconds=$2 state=""
  for _ in $(seq 1 $((seconds * 2))); do
    state=$(inside systemctl is-active p88host 2>/dev/null || true)
    [[ " $want " == *" $state "* ]] && return 0
    sleep 0.5
  done
  inside systemctl status p88host --no-pager -l 2>&1 | tail -20 || true
  fail "p88host.service is '$state', not $want"
}

step "boot a clean Debian 12 and install the debs"
mkdir -p "$root"
tar -xf "$tarball" -C "$root"
mkdir -p "$root/root/debs"
cp "$host_deb" "$dev_deb" "$sim_deb" "$root/root/debs/"
boot 1
inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
  /root/debs/$(basename "$host_deb") /root/debs/$(basename "$dev_deb") /root/debs/$(basename "$sim_deb") \
  > "$work/apt-install.log" 2>&1 || { cat "$work/apt-install.log"; fail "apt install of the debs failed"; }
grep -E '^(Setting up|Unpacking) p88' "$work/apt-install.log" | sed 's/^/  /'

step "the service"
wait_unit active 60
inside systemctl status p88host --no-pager -l 2>&1 | head -12 | sed 's/^/  /'
[ "$(inside systemctl is-enabled p88host)" = enabled ] || fail "p88host.service is not enabled after install"
main_pid=$(inside systemctl show -p MainPID --value p88host)
user=$(inside ps -o user= -p "$main_pid" | tr -d ' ')
echo "  main process $main_pid runs as: $user"
[ "$user" = p88 ] || fail "p88host runs as '$user', not p88"
inside systemctl show -p Type,NotifyAccess,WatchdogUSec p88host | sed 's/^/  /'

step "files and modes"
for _ in $(seq 1 20); do [ -s "$root/var/lib/p88/p88.db" ] && break; sleep 0.5; done
inside stat -c '  %A %U:%G %n' /var/lib/p88 /var/lib/p88/p88.db /var/log/project88 /etc/p88/p88host.properties
[ "$(inside stat -c %a /var/lib/p88/p88.db)" = 600 ] || fail "the database file is not 0600"
[ "$(inside stat -c %U /var/lib/p88/p88.db)" = p88 ] || fail "the database file is not the p88 account's"
providers=$(inside sqlite3 /var/lib/p88/p88.db "SELECT name FROM providers ORDER BY name" | tr '\n' ',')
echo "  providers registered: $providers"
[ "$(echo "$providers" | tr ',' '\n' | grep -c .)" = 4 ] || fail "not four providers in the database: $providers"

step "the HTTP listener of the packaged configuration (127.0.0.1:9188)"
health=""
for _ in $(seq 1 40); do health=$(inside curl -s -w ' %{http_code}' http://127.0.0.1:9188/healthz 2>/dev/null || true); [ "$health" = "ok
 200" ] && break; sleep 0.25; done
echo "  GET /healthz: $(tr '\n' ' ' <<<"$health")"
[ "$health" = "ok
 200" ] || fail "/healthz does not answer 200 ok: $health"
metrics=$(inside curl -sf http://127.0.0.1:9188/metrics) || fail "/metrics does not answer"
grep -E '^p88_(build_info|database_up|queue_jobs)' <<<"$metrics" | sed 's/^/  /'
grep -q '^p88_database_up 1' <<<"$metrics" || fail "/metrics does not say the database is up"
page=$(inside curl -sf http://127.0.0.1:9188/) || fail "the status page does not answer"
grep -q '<h1>p88 race morning</h1>' <<<"$page" || fail "the status page is not the race-morning view"
bound=$(inside ss -Hltn 'sport = :9188' | awk '{print $4}' | tr '\n' ' ')
echo "  listening on: $bound"
[ "$bound" = "127.0.0.1:9188 " ] || fail "the listener is bound to '$bound', not loopback only"
inside runuser -u p88 -- p88host --status --config /etc/p88/p88host.properties > "$work/status.txt" 2>&1 ||
  { cat "$work/status.txt"; fail "p88host --status exited non-zero with nothing to be stale"; }
head -1 "$work/status.txt" | sed 's/^/  --status: /'

step "p88host --list-plugins (as p88)"
inside runuser -u p88 -- p88host --list-plugins --config /etc/p88/p88host.properties > "$work/plugins.txt" 2>&1 ||
  { cat "$work/plugins.txt"; fail "--list-plugins exited non-zero"; }
sed 's/^/  /' "$work/plugins.txt"
[ "$(grep -cw ok "$work/plugins.txt")" -ge 4 ] || fail "--list-plugins does not list four plugins ok"

step "logs"
inside ls -l /var/log/project88 | sed 's/^/  /'
grep -q "p88host running" "$root/var/log/project88/provider_integration.log" ||
  fail "provider_integration.log does not say the host runs"
journal=$(inside journalctl -u p88host --no-pager -o cat 2>&1)
grep -q "p88host running" <<<"$journal" || { tail <<<"$journal"; fail "the journal lacks the host's start"; }
inside journalctl -u p88host --no-pager -o verbose -n 200 | grep -E '^ *(PRIORITY|P88_COMPONENT)=' | sort | uniq -c | sed 's/^/  /'

step "systemd-analyze security"
inside systemd-analyze security p88host --no-pager 2>&1 | tail -1 | sed 's/^/  /'

step "p88-dev: the example plugin built out of tree against the installed SDK"
inside sh -c 'cp -r /usr/share/doc/p88-dev/examples/hello-provider /root/hello &&
  cmake -S /root/hello -B /root/hello/build -DCMAKE_BUILD_TYPE=Release >/root/hello.log 2>&1 &&
  cmake --build /root/hello/build >>/root/hello.log 2>&1' || { cat "$root/root/hello.log"; fail "hello-provider did not build"; }
inside p88host --list-plugins --plugin-dir /root/hello/build > "$work/hello.txt" 2>&1 ||
  { cat "$work/hello.txt"; fail "--list-plugins with the example exited non-zero"; }
sed 's/^/  /' "$work/hello.txt"
[ "$(grep -i hello "$work/hello.txt" | grep -cw ok)" -ge 1 ] || fail "the installed host does not list the example plugin ok"

step "systemctl stop"
start=$(date +%s%N)
inside systemctl stop p88host
stopped_ms=$(( ($(date +%s%N) - start) / 1000000 ))
state="$(inside systemctl show -p ActiveState --value p88host) $(inside systemctl show -p Result --value p88host)"
echo "  after ${stopped_ms} ms: $state (TimeoutStopSec $(inside systemctl show -p TimeoutStopUSec --value p88host))"
[ "$state" = "inactive success" ] || fail "after stop: $state"
inside systemctl start p88host && wait_unit active 60

step "upgrade (the same version installed again): the service is restarted"
before=$(inside systemctl show -p MainPID --value p88host)
inside env DEBIAN_FRONTEND=noninteractive dpkg -i /root/debs/$(basename "$host_deb") > "$work/upgrade.log" 2>&1 ||
  { cat "$work/upgrade.log"; fail "dpkg -i over the installed package failed"; }
wait_unit active 60
after=$(inside systemctl show -p MainPID --value p88host)
echo "  main process before: $before, after: $after"
[ "$before" != "$after" ] || fail "the service was not restarted by the upgrade"

step "the watchdog: pings keep a live host running, a wedged one is restarted"
mkdir -p "$root/etc/systemd/system/p88host.service.d"
printf '[Service]\nWatchdogSec=4\nTimeoutAbortSec=2\nRestartSec=1\n' > "$root/etc/systemd/system/p88host.service.d/watchdog-test.conf"
inside systemctl daemon-reload
inside systemctl restart p88host && wait_unit active 60
sleep 10
restarts=$(inside systemctl show -p NRestarts --value p88host)
echo "  after 10 s with WatchdogSec=4: $(inside systemctl is-active p88host), restarts $restarts"
[ "$restarts" = 0 ] || fail "the watchdog restarted a live host ($restarts restarts)"
wedged=$(inside systemctl show -p MainPID --value p88host)
inside kill -STOP "$wedged"
for _ in $(seq 1 60); do
  [ "$(inside systemctl show -p NRestarts --value p88host)" -ge 1 ] && break
  sleep 0.5
done
wait_unit active 60
echo "  main process $wedged stopped with SIGSTOP: restarts $(inside systemctl show -p NRestarts --value p88host), now $(inside systemctl show -p MainPID --value p88host)"
[ "$(inside systemctl show -p NRestarts --value p88host)" -ge 1 ] || fail "the watchdog did not restart the wedged host"
inside journalctl -u p88host --no-pager -o cat | grep -i watchdog | tail -2 | sed 's/^/  /'
rm -r "$root/etc/systemd/system/p88host.service.d"
inside systemctl daemon-reload

step "apt remove"
inside env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q p88 > "$work/remove.log" 2>&1 ||
  { cat "$work/remove.log"; fail "apt remove failed"; }
state=$(inside systemctl is-active p88host 2>/dev/null || true)
echo "  service after remove: $state"
[ "$state" = inactive ] || [ "$state" = unknown ] || fail "p88host still $state after remove"
[ ! -e "$root/usr/bin/p88host" ] || fail "/usr/bin/p88host survived remove"
for kept in /var/lib/p88/p88.db /etc/p88/p88host.properties /var/log/project88; do
  [ -e "$root$kept" ] || fail "$kept went with remove (it goes only on purge)"
done
inside getent passwd p88 >/dev/null || fail "the p88 account went with remove"
echo "  kept: /var/lib/p88/p88.db, /etc/p88/p88host.properties, /var/log/project88, account p88"

step "apt purge"
inside env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q p88 > "$work/purge.log" 2>&1 ||
  { cat "$work/purge.log"; fail "apt purge failed"; }
for gone in /var/lib/p88 /var/log/project88 /etc/p88 /etc/logrotate.d/p88host; do
  [ ! -e "$root$gone" ] || fail "$gone survived purge"
done
if inside getent passwd p88 >/dev/null; then fail "the p88 account survived purge"; fi
[ -z "$(inside dpkg -l p88 2>/dev/null | grep '^[ri][ic] *p88 ')" ] || fail "dpkg still knows p88 after purge"
echo "  gone: /var/lib/p88, /var/log/project88, /etc/p88, /etc/logrotate.d/p88host, account p88"

step "install again, configured for PostgreSQL"
inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /root/debs/$(basename "$host_deb") \
  > "$work/apt-install2.log" 2>&1 || { cat "$work/apt-install2.log"; fail "apt install (again) failed"; }
wait_unit active 60
password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
inside systemctl enable --now postgresql >/dev/null 2>&1
for _ in $(seq 1 60); do inside runuser -u postgres -- psql -qAtc 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
inside runuser -u postgres -- psql -qc "CREATE ROLE p88 LOGIN PASSWORD '$password'" >/dev/null
inside runuser -u postgres -- createdb -O p88 p88
sed -i 's/^db.sqlite.path/# db.sqlite.path/' "$root/etc/p88/p88host.properties"
cat >> "$root/etc/p88/p88host.properties" <<'PROPS'
db.backend = postgresql
db.host = 127.0.0.1
db.port = 5432
db.name = p88
db.user = p88
PROPS
printf 'DB_PASSWORD=%s\n' "$password" > "$root/etc/p88/p88host.env"
chmod 0600 "$root/etc/p88/p88host.env"
shutdown_container

step "second boot: PostgreSQL"
boot 2
wait_unit active 90
inside systemctl status p88host --no-pager -l 2>&1 | head -12 | sed 's/^/  /'
inside sh -c 'set -a; . /etc/p88/p88host.env; set +a; exec runuser -u p88 -- p88host --test-connection --config /etc/p88/p88host.properties' \
  > "$work/test-connection.txt" 2>&1 || { cat "$work/test-connection.txt"; fail "--test-connection on PostgreSQL failed"; }
sed 's/^/  /' "$work/test-connection.txt"
if grep -q "$password" "$work/test-connection.txt" "$root/var/log/project88/"*.log; then fail "the password appears in output or logs"; fi
count=$(inside runuser -u postgres -- psql -qAt p88 -c "SELECT count(*) FROM providers")
echo "  providers in PostgreSQL: $count"
[ "$count" = 4 ] || fail "not four providers in PostgreSQL: $count"
shutdown_container
echo "packaging test: passed"
