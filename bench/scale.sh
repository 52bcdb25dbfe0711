#!/usr/bin/env bash
# How Vltava's costs grow with the number of partitions, next to Apache Kafka 4.3.1 in the same run.
#
#   bench/scale.sh [--smoke] [--target vltava|kafka|both] [--counts "100 1000 10000"|none] [--cluster N|none]
#
# For each target and each partition count: start one broker on free loopback ports with a fresh
# data dir, create the partitions (topics of 100, replication factor 1), then measure
#   create      time until every partition is created and has a leader in Metadata
#   metadata    Metadata request for all topics on one connection: median and max of 20
#   pass        one 100-byte record produced to every partition (acks=all), then consumed back
#   heap        heap used after a full GC (jcmd GC.run; GC.heap_info), open files (/proc/PID/fd), threads
#   idle CPU    percent of one core the broker(s) use over IDLE_SECONDS (10) with no client
#   conns       1,000 client connections held open at once, each answered (ApiVersions + Metadata)
#   stop        clean stop (SIGTERM) until the process exits
#   start-up    restart after the clean stop until Metadata lists every partition with a leader
#   recovery    restart after SIGKILL until Metadata lists every partition with a leader
# --cluster N also runs N partitions with replication factor 3 on three brokers (default 10000:
# 30,000 replicas); the heap, files and threads are then the largest of the three nodes.
# --smoke: counts 100 and 1000, cluster 100 (a few minutes).
#
# Environment knobs: BROKER_HEAP (default 2g), TOOL_HEAP (1g), READY_TIMEOUT (s, 180),
# STEP_TIMEOUT (s per step, 900), CONNECTIONS (1000), IDLE_SECONDS (10), IDLE_AFTER_SECONDS (0: rest before
# the idle measurement), KEEP_WORK=1 keeps the temp dir.
# Needs `ulimit -n` above the partitions' files plus CONNECTIONS (the script checks).
set -euo pipefail

COUNTS=(100 1000 10000)
CLUSTER=10000
TARGET=both
BROKER_HEAP=${BROKER_HEAP:-2g}
TOOL_HEAP=${TOOL_HEAP:-1g}
READY_TIMEOUT=${READY_TIMEOUT:-180}
STEP_TIMEOUT=${STEP_TIMEOUT:-900}
CONNECTIONS=${CONNECTIONS:-1000}
IDLE_SECONDS=${IDLE_SECONDS:-10}
IDLE_AFTER_SECONDS=${IDLE_AFTER_SECONDS:-0}
STOP_TIMEOUT=${STOP_TIMEOUT:-120}

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
die() { echo "scale: ERROR: $*" >&2; exit 1; }
log() { echo "scale: $(date -u +%H:%M:%S) $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) COUNTS=(100 1000); CLUSTER=100; shift ;;
    --target) [ $# -ge 2 ] || die "--target needs a value"; TARGET=$2; shift 2 ;;
    --counts) [ $# -ge 2 ] || die "--counts needs a value"; read -r -a COUNTS <<<"${2/none/}"; shift 2 ;;
    --cluster) [ $# -ge 2 ] || die "--cluster needs a value"; CLUSTER=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
case "$TARGET" in
  vltava) TARGETS=(vltava) ;;
  kafka) TARGETS=(kafka) ;;
  both) TARGETS=(kafka vltava) ;;
  *) die "--target must be vltava, kafka or both, got '$TARGET'" ;;
esac
for c in ${COUNTS[@]+"${COUNTS[@]}"}; do [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "counts must be positive integers, got '$c'"; done
[[ "$IDLE_SECONDS" =~ ^[1-9][0-9]*$ ]] || die "IDLE_SECONDS must be a positive integer, got '$IDLE_SECONDS'"
[[ "$IDLE_AFTER_SECONDS" =~ ^[0-9]+$ ]] || die "IDLE_AFTER_SECONDS must be a whole number of seconds, got '$IDLE_AFTER_SECONDS'"
[[ "$CLUSTER" = none || "$CLUSTER" =~ ^[1-9][0-9]*$ ]] || die "--cluster must be a count or none"
command -v jcmd >/dev/null || die "jcmd (JDK) is required"
command -v timeout >/dev/null || die "coreutils 'timeout' is required"

MAX=$(printf '%s\n' "${COUNTS[@]}" "${CLUSTER/none/0}" | sort -n | tail -n 1)
NOFILE=$(ulimit -n)
# Each broker keeps about one open file per partition (the active segment; indexes are mapped),
# plus one socket per client connection; the limit applies per process.
if [ "$NOFILE" != unlimited ] && [ "$NOFILE" -lt $(( MAX + CONNECTIONS + 2000 )) ]; then
  die "ulimit -n is $NOFILE; $MAX partitions and $CONNECTIONS connections need at least $(( MAX + CONNECTIONS + 2000 ))"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RF=1
TOPIC_CONFIGS=()

# shellcheck source=bench/brokers.sh
. "$ROOT/bench/brokers.sh"

bench_work scale

brokers_init
mkdir -p "$WORK/client"
javac -d "$WORK/client" -cp "$KAFKA_CP" "$ROOT/bench/scale/ScaleClient.java" 2>"$WORK/javac.log" \
  || { cat "$WORK/javac.log" >&2; die "bench/scale/ScaleClient.java does not compile"; }
client() {  # client ARGS...: one ScaleClient command, bounded by STEP_TIMEOUT
  timeout "$STEP_TIMEOUT" java "-Xmx$TOOL_HEAP" "$LOG4J" -Dbench.log.level=WARN -cp "$WORK/client:$KAFKA_CP" ScaleClient "$@" \
    2>>"$WORK/client.log"
}
now_ms() { date +%s%3N; }

# cpu_ticks PID...: user+system clock ticks the processes have used so far.
cpu_ticks() {
  local pid sum=0 t
  for pid in "$@"; do
    t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    sum=$((sum + t))
  done
  echo "$sum"
}

# idle_cpu: percent of one core the brokers use together while no client talks to them (IDLE_SECONDS),
# after IDLE_AFTER_SECONDS of rest (0: right after the produce and consume pass, while any work that
# creating the partitions set off is still running). CPU time from /proc/PID/stat, so a busy machine
# slows the brokers but does not inflate the figure.
idle_cpu() {
  local before hz
  hz=$(getconf CLK_TCK)
  sleep "$IDLE_AFTER_SECONDS"
  before=$(cpu_ticks "${BROKER_PIDS[@]}")
  sleep "$IDLE_SECONDS"
  awk -v t="$(( $(cpu_ticks "${BROKER_PIDS[@]}") - before ))" -v s="$IDLE_SECONDS" -v hz="$hz" \
    'BEGIN { printf "%.1f\n", t * 100 / (s * hz) }'
}

# Per process: heap used after a full GC (MiB), open files, threads. Several: the largest of each.
footprint() {
  local pid heap fds threads mh=0 mf=0 mt=0
  for pid in "${BROKER_PIDS[@]}"; do
    timeout 60 jcmd "$pid" GC.run >/dev/null 2>&1 || true
    heap=$(timeout 60 jcmd "$pid" GC.heap_info 2>/dev/null | awk '/used/ { for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); print int(v / 1024); exit } }')
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    [ "${heap:-0}" -gt "$mh" ] && mh=$heap
    [ "${fds:-0}" -gt "$mf" ] && mf=$fds
    [ "${threads:-0}" -gt "$mt" ] && mt=$threads
  done
  echo "$mh $mf $mt"
}

# kill_brokers SIGNAL: signal every broker and wait until all have exited; KILL_MS is how long it took.
kill_brokers() {
  local sig=$1 start pid pids=("${BROKER_PIDS[@]}")
  start=$(now_ms)
  for pid in "${pids[@]}"; do kill "-$sig" "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    timeout "$STOP_TIMEOUT" tail --pid="$pid" -f /dev/null || { log "pid $pid ignored $sig; killing it"; kill -9 "$pid" 2>/dev/null || true; }
    wait "$pid" 2>/dev/null || true
  done
  BROKER_PIDS=()
  KILL_MS=$(( $(now_ms) - start ))
}

RESULTS=$WORK/results.tsv
: >"$RESULTS"
FAILED=()

# run_count TARGET NODES PARTITIONS RF: one row of the table.
run_count() {
  local tgt=$1 nodes=$2 parts=$3 rf=$4
  local all bs="" i node_ports=() node_cports=() node_datas=() node_logs=() dir=$WORK/$tgt-$nodes-$parts
  local create=- meta=- pass=- foot=- idle=- conns=- stop=- startup=- recovery=- t0 status=ok
  RF=$rf; NODES=$nodes
  read -r -a all <<<"$(free_ports $((2 * nodes)))"
  node_ports=("${all[@]:0:nodes}"); node_cports=("${all[@]:nodes}")
  for i in $(seq 1 "$nodes"); do
    node_datas+=("$dir/data-$i"); node_logs+=("$dir/broker-$i.log")
    mkdir -p "${node_datas[$((i - 1))]}"; : >"${node_logs[$((i - 1))]}"
    bs+="${bs:+,}127.0.0.1:${node_ports[$((i - 1))]}"
  done
  BROKER_PIDS=(); BROKER_LOGS=("${node_logs[@]}")
  launch() {
    case "$tgt" in
      kafka) if [ "$1" = first ]; then start_kafka node_ports node_cports node_datas node_logs; else launch_kafka "$nodes" node_logs; fi ;;
      vltava) start_vltava node_ports node_cports node_datas node_logs ;;
    esac
  }
  log "=== $tgt: $parts partitions x RF $rf on $nodes node(s) at $bs"
  launch first || { stop_brokers; status=start-failed; }
  if [ "$status" = ok ] && ! wait_ready "$tgt" "$bs" "${node_ports[@]}"; then status=start-failed; fi
  if [ "$status" = ok ]; then
    log "[$tgt/$parts] create"
    create=$(client create "$bs" scale "$parts" "$rf") || status=create-failed
  fi
  if [ "$status" = ok ]; then
    log "[$tgt/$parts] metadata"; meta=$(client metadata "$bs" scale "$parts" 20) || status=metadata-failed
    log "[$tgt/$parts] produce+consume pass"; pass=$(client pass "$bs" scale "$parts") || status=pass-failed
    if [ "$nodes" -eq 1 ]; then
      log "[$tgt/$parts] $CONNECTIONS connections"; conns=$(client connections "$bs" "$CONNECTIONS") || status=connections-failed
    fi
    foot=$(footprint)
    log "[$tgt/$parts] idle CPU"; idle=$(idle_cpu)
    broker_exited "$tgt" && status=broker-died
  fi
  if [ "$status" = ok ]; then
    log "[$tgt/$parts] clean stop and start-up"
    kill_brokers TERM; stop=$KILL_MS
    t0=$(now_ms); launch again
    startup=$(client ready "$bs" scale "$parts" "$t0" "$STEP_TIMEOUT") || status=startup-failed
  fi
  if [ "$status" = ok ]; then
    log "[$tgt/$parts] SIGKILL and recovery"
    kill_brokers KILL
    t0=$(now_ms); launch again
    recovery=$(client ready "$bs" scale "$parts" "$t0" "$STEP_TIMEOUT") || status=recovery-failed
  fi
  stop_brokers
  [ "$status" = ok ] || { for i in "${!node_logs[@]}"; do show_log "${node_logs[$i]}"; done; tail -n 20 "$WORK/client.log" >&2 || true; }
  # target nodes partitions replicas create meta(p50 max) pass(produce consume) foot(heap fds threads) conns(answered ms) stop startup recovery status idle
  echo "$tgt $nodes $parts $((parts * rf)) $create ${meta/ /|} ${pass/ /|} ${foot// /|} ${conns/ /|} $stop $startup $recovery $status $idle" >>"$RESULTS"
  log "[$tgt/$parts] $(tail -n 1 "$RESULTS")"
  rm -rf "$dir/data-"*
  [ "$status" = ok ]
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# Count by count, both targets each time: an interrupted run still compares what it measured.
for c in ${COUNTS[@]+"${COUNTS[@]}"}; do
  for t in "${TARGETS[@]}"; do run_count "$t" 1 "$c" 1 || FAILED+=("$t/$c"); done
done
if [ "$CLUSTER" != none ]; then
  for t in "${TARGETS[@]}"; do run_count "$t" 3 "$CLUSTER" 3 || FAILED+=("$t/3x$CLUSTER"); done
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "## Scale: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $LOAD_BEFORE before / $LOAD_AFTER after, heap $BROKER_HEAP, ulimit -n $NOFILE"
echo
echo "| target | nodes | partitions | replicas | create s | Metadata ms p50 / max | produce s | consume s | heap MiB | open files | threads | idle CPU % | $CONNECTIONS conns answered | clean stop s | start-up s | recovery after SIGKILL s | status |"
echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
awk '
  function s(ms) { return (ms ~ /^[0-9]+$/) ? sprintf("%.1f", ms / 1000) : ms }
  { split($6, m, "|"); split($7, p, "|"); split($8, f, "|"); split($9, c, "|")
    printf "| %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
      $1, $2, $3, $4, s($5), m[1], (m[2] == "" ? "-" : m[2]), s(p[1]), s(p[2] == "" ? "-" : p[2]),
      f[1], (f[2] == "" ? "-" : f[2]), (f[3] == "" ? "-" : f[3]), $14, c[1], s($10), s($11), s($12), $13 }' "$RESULTS"
if [ "${#FAILED[@]}" -gt 0 ]; then
  log "FAILED: ${FAILED[*]} (rerun with KEEP_WORK=1 to keep broker logs)"
  exit 1
fi
