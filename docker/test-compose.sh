#!/usr/bin/env bash
# Runs docker/docker-compose.yml for real with podman: builds the image, starts the three nodes,
# waits until every node's health check (/health/ready) passes, produces and consumes through the
# cluster from a client container on the compose network, stops one node (it must exit 0) and starts
# it again until healthy, then tears everything down (containers, network, volumes).
#
#   docker/test-compose.sh                 # base image eclipse-temurin:17-jre (needs Docker Hub)
#   docker/test-compose.sh --local-base    # base image built from Debian packages (debootstrap)
#
# Needs: podman, podman-compose, a JDK (javac, to compile the client), target/vltava.jar (built if
# missing); --local-base also needs debootstrap and Debian's package mirror. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=vltava-compose-test
IMAGE=localhost/vltava:test
BASE_IMAGE=${VLTAVA_BASE_IMAGE:-eclipse-temurin:17-jre}
LOCAL_BASE=localhost/vltava-base:17
WORK=$(mktemp -d)

# Sandboxes and CI runners often lack what podman's defaults assume: raising RLIMIT_NOFILE/NPROC
# (no CAP_SYS_RESOURCE) and crun's cgroup handling on hybrid cgroups. The current limits and runc work.
if [ -z "${CONTAINERS_CONF:-}" ]; then
  cat > "$WORK/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "$(command -v runc >/dev/null && echo runc || echo crun)"
CONF
  export CONTAINERS_CONF="$WORK/containers.conf"
fi

# Without systemd, podman cannot schedule health checks by itself (it says so on every start); this
# script runs them (podman healthcheck run), so those lines are only noise.
quiet() { "$@" 2> >(grep -v -e "systemd connection" -e "no such volume" -e "connect to syslog" >&2); }
compose() { quiet podman-compose -p "$PROJECT" -f docker/docker-compose.yml "$@"; }
container() { echo "${PROJECT}_vltava-$1_1"; }

teardown() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    for n in 1 2 3; do echo "--- last log lines of node $n"; podman logs --tail 30 "$(container "$n")" 2>&1 || true; done
  fi
  # VLTAVA_COMPOSE_LOGS=DIR keeps every node's whole log there.
  if [ -n "${VLTAVA_COMPOSE_LOGS:-}" ]; then
    mkdir -p "$VLTAVA_COMPOSE_LOGS"
    for n in 1 2 3; do podman logs "$(container "$n")" > "$VLTAVA_COMPOSE_LOGS/node-$n.log" 2>&1 || true; done
  fi
  compose down -v >/dev/null 2>&1 || true
  rm -rf "$WORK"
  echo "test-compose: $([ "$rc" -eq 0 ] && echo passed || echo "FAILED ($rc)")"
}
trap teardown EXIT

if [ "${1:-}" = "--local-base" ]; then
  BASE_IMAGE=$LOCAL_BASE
  if ! podman image exists "$LOCAL_BASE"; then
    echo "test-compose: building $LOCAL_BASE from Debian packages"
    debootstrap --variant=minbase --include=openjdk-17-jre-headless,curl,passwd bookworm "$WORK/rootfs" http://deb.debian.org/debian >/dev/null
    chroot "$WORK/rootfs" apt-get clean
    tar -C "$WORK/rootfs" -c . | podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$LOCAL_BASE" >/dev/null
    rm -rf "$WORK/rootfs"
  fi
fi

[ -f target/vltava.jar ] || mvn -B -q package -DskipTests
podman build -q --format docker -f docker/Dockerfile --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$IMAGE" . >/dev/null
javac --release 17 -cp target/vltava.jar -d "$WORK/client" docker/smoke/ComposeSmokeClient.java

export VLTAVA_IMAGE=$IMAGE
compose down -v >/dev/null 2>&1 || true
compose up -d >/dev/null

await_healthy() {
  local n=$1 deadline=$((SECONDS + 180))
  until podman healthcheck run "$(container "$n")" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "test-compose: node $n not healthy within 180 s"; return 1; fi
    sleep 2
  done
  echo "test-compose: node $n healthy (/health/ready = 200) after $((SECONDS - deadline + 180)) s"
}
for n in 1 2 3; do await_healthy "$n"; done

client() {
  podman run --rm --no-healthcheck --network "${PROJECT}_default" -v "$WORK/client:/client:ro" -e JAVA_TOOL_OPTIONS= \
    --entrypoint java "$IMAGE" \
    -cp /opt/vltava/vltava.jar:/client ComposeSmokeClient vltava-1:9092,vltava-2:9092,vltava-3:9092 "$@"
}
client compose-smoke 3000

# An orderly stop inside a container: SIGTERM from the engine, exit 0, then back with its volume.
quiet podman stop -t 60 "$(container 2)" >/dev/null
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$(container 2)")
[ "$exit_code" = 0 ] || { echo "test-compose: node 2 exited $exit_code on SIGTERM, not 0"; exit 1; }
echo "test-compose: node 2 stopped with exit 0"
quiet podman start "$(container 2)" >/dev/null
await_healthy 2
client compose-smoke-after-restart 1000

# A rolling step must not cost the cluster a member: no node was downed (and restarted by the policy).
for n in 1 2 3; do
  if podman logs "$(container "$n")" 2>&1 | grep -q "marked as DOWN"; then
    echo "test-compose: node $n was downed by the cluster during the test"; exit 1
  fi
done
echo "test-compose: no node was downed"
