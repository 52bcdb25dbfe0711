#!/usr/bin/env bash
# Vltava vs Apache Kafka 4.3.1, measured with Kafka's own perf tools
# (org.apache.kafka.tools.ProducerPerformance / ConsumerPerformance, from kafka-tools 4.3.1).
#
#   bench/kafka-perf.sh [--records N] [--record-size BYTES] [--target vltava|kafka|both] [--nodes 1|3]
#                       [--partitions P[,P...]] [--acks A[,A...]]
#                                                     (defaults: 2000000, 100, both, 1, see below, 1,all)
#
# For each target: start the broker(s) on free loopback ports with fresh temp data dirs, wait until
# they answer (bounded), then for each workload create a topic, produce N records of record-size bytes as
# fast as possible, and consume them back. The consumer starts once every record is written, so it
# catches up on a backlog of N x record-size bytes. Prints a markdown table per target and, when both ran,
# a table of Vltava/Kafka ratios from the same run. Both targets go through exactly the same
# code; only the broker start commands differ.
#
#   --nodes 1  one broker; workloads 1 and 6 partitions x acks=1 and acks=all, replication factor 1.
#   --partitions, --acks  replace those lists (e.g. --partitions 100 --acks all --record-size 1024).
#   --nodes 3  three brokers (Vltava: 3 nodes joined through each other's cluster ports; Kafka: 3
#              combined broker+controller KRaft nodes with a static 3-voter quorum); workloads
#              6 partitions x acks=1 and acks=all, topics with replication factor 3 and
#              min.insync.replicas=2, clients bootstrap with all three addresses. Ready once every
#              node answers and a replication-factor-3 probe topic can be created.
#
# Environment knobs (all optional):
#   READY_TIMEOUT   seconds to wait for the broker(s) to be ready    (default 90; 180 with --nodes 3)
#   STEP_TIMEOUT    seconds allowed for one producer/consumer run     (default 1800)
#   BROKER_HEAP     -Xmx/-Xms of each broker                          (default 1g; 3 x 1g is fine on 24 GiB)
#   TOOL_HEAP       -Xmx of the perf tools                            (default 1g)
#   VLTAVA_SETTINGS extra lines for the Vltava brokers' config file
#                   (e.g. 'vltava.listener.plaintext-zero-copy = on')
#   KEEP_WORK=1     keep the temp dir (broker logs, data, raw tool output) after exit
set -euo pipefail

RECORDS=2000000
TARGET=both
RECORD_SIZE=100
STEP_TIMEOUT=${STEP_TIMEOUT:-1800}
BROKER_HEAP=${BROKER_HEAP:-1g}
TOOL_HEAP=${TOOL_HEAP:-1g}
NODES=1
ACKS_LIST=(1 all)
PARTITIONS_ARG=""
ACKS_ARG=""

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
die() { echo "kafka-perf: ERROR: $*" >&2; exit 1; }
log() { echo "kafka-perf: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --records) [ $# -ge 2 ] || die "--records needs a value"; RECORDS=$2; shift 2 ;;
    --records=*) RECORDS=${1#*=}; shift ;;
    --target) [ $# -ge 2 ] || die "--target needs a value"; TARGET=$2; shift 2 ;;
    --target=*) TARGET=${1#*=}; shift ;;
    --record-size) [ $# -ge 2 ] || die "--record-size needs a value"; RECORD_SIZE=$2; shift 2 ;;
    --record-size=*) RECORD_SIZE=${1#*=}; shift ;;
    --partitions) [ $# -ge 2 ] || die "--partitions needs a value"; PARTITIONS_ARG=$2; shift 2 ;;
    --partitions=*) PARTITIONS_ARG=${1#*=}; shift ;;
    --acks) [ $# -ge 2 ] || die "--acks needs a value"; ACKS_ARG=$2; shift 2 ;;
    --acks=*) ACKS_ARG=${1#*=}; shift ;;
    --nodes) [ $# -ge 2 ] || die "--nodes needs a value"; NODES=$2; shift 2 ;;
    --nodes=*) NODES=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ "$RECORDS" =~ ^[1-9][0-9]*$ ]] || die "--records must be a positive integer, got '$RECORDS'"
case "$TARGET" in
  vltava) TARGETS=(vltava) ;;
  kafka) TARGETS=(kafka) ;;
  both) TARGETS=(kafka vltava) ;;
  *) die "--target must be vltava, kafka or both, got '$TARGET'" ;;
esac
case "$NODES" in
  1) PARTITIONS_LIST=(1 6); RF=1; TOPIC_CONFIGS=(); READY_TIMEOUT=${READY_TIMEOUT:-90} ;;
  3) PARTITIONS_LIST=(6); RF=3; TOPIC_CONFIGS=(--config min.insync.replicas=2); READY_TIMEOUT=${READY_TIMEOUT:-180} ;;
  *) die "--nodes must be 1 or 3, got '$NODES'" ;;
esac
[[ "$RECORD_SIZE" =~ ^[1-9][0-9]*$ ]] || die "--record-size must be a positive integer, got '$RECORD_SIZE'"
if [ -n "$PARTITIONS_ARG" ]; then
  [[ "$PARTITIONS_ARG" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--partitions must be a comma-separated list of positive integers"
  IFS=, read -r -a PARTITIONS_LIST <<<"$PARTITIONS_ARG"
fi
if [ -n "$ACKS_ARG" ]; then
  [[ "$ACKS_ARG" =~ ^(0|1|-1|all)(,(0|1|-1|all))*$ ]] || die "--acks must be a comma-separated list of 0, 1, -1 or all"
  IFS=, read -r -a ACKS_LIST <<<"$ACKS_ARG"
fi
[[ "$READY_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "READY_TIMEOUT must be a positive integer, got '$READY_TIMEOUT'"
command -v timeout >/dev/null || die "coreutils 'timeout' is required"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench/kafka
cd "$ROOT"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vltava-kafka-perf.XXXXXX")
BROKER_PIDS=()   # pids of the running target's broker processes (1 or 3), in node order
BROKER_LOGS=()   # their log files, same order

any_alive() {  # any_alive PID...: true if at least one of them still runs
  local pid
  for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 0; done
  return 1
}
# dead_broker: prints the index of the first broker process that has exited; false if all run.
dead_broker() {
  local i
  for i in "${!BROKER_PIDS[@]}"; do
    kill -0 "${BROKER_PIDS[$i]}" 2>/dev/null || { echo "$i"; return 0; }
  done
  return 1
}
# stop_brokers: TERM all brokers at once, give them 15 s together, then KILL whatever is left.
stop_brokers() {
  [ "${#BROKER_PIDS[@]}" -gt 0 ] || return 0
  local pids=("${BROKER_PIDS[@]}") pid i
  BROKER_PIDS=()
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for i in $(seq 1 30); do any_alive "${pids[@]}" || break; sleep 0.5; done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      log "broker pid $pid did not stop in 15s; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
show_log() {  # show_log FILE: the last lines of a broker log, for an error report
  echo "----- last lines of $1 -----" >&2; tail -n 40 "$1" >&2 || true
}
cleanup() {
  stop_brokers
  if [ "${KEEP_WORK:-0}" = 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- classpath of Kafka 4.3.1
CP_FILE=$BENCH/target/classpath.txt
if [ ! -s "$CP_FILE" ] || [ "$BENCH/pom.xml" -nt "$CP_FILE" ]; then
  log "resolving the Kafka 4.3.1 classpath (bench/kafka/pom.xml)"
  mkdir -p "$BENCH/target"
  mvn -q -B -f "$BENCH/pom.xml" dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >"$WORK/mvn-cp.log" 2>&1 \
    || { cat "$WORK/mvn-cp.log" >&2; die "could not resolve the Kafka classpath"; }
fi
KAFKA_CP=$(cat "$CP_FILE")
LOG4J="-Dlog4j2.configurationFile=$BENCH/log4j2.properties"
TOOL_JAVA=(java "-Xmx$TOOL_HEAP" "$LOG4J" -Dbench.log.level=WARN -cp "$KAFKA_CP")
# Same JVM settings for both brokers.
BROKER_JVM=("-Xms$BROKER_HEAP" "-Xmx$BROKER_HEAP" -XX:+UseG1GC -Djava.awt.headless=true)

# ---------------------------------------------------------------- helpers
# free_ports N: N distinct free loopback ports, space-separated (all sockets are held open until
# every port is picked, so the kernel cannot hand out the same one twice).
free_ports() {
  local n=$1
  python3 -c 'import socket,sys
ss=[socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1",0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss: s.close()' "$n" 2>/dev/null && return 0
  local ports=() p i
  for i in $(seq 1 500); do
    [ "${#ports[@]}" -lt "$n" ] || break
    p=$(( 20000 + RANDOM % 30000 ))
    [[ " ${ports[*]} " == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then ports+=("$p"); fi
  done
  [ "${#ports[@]}" -eq "$n" ] || die "could not find $n free ports"
  echo "${ports[*]}"
}

# Admin client settings so that a silent broker makes the tool fail fast instead of hanging.
write_admin_config() {
  cat >"$WORK/admin.properties" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

topic_cmd() {  # topic_cmd BOOTSTRAP args...
  local bs=$1; shift
  timeout 60 "${TOOL_JAVA[@]}" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$bs" --command-config "$WORK/admin.properties" "$@"
}

# broker_exited NAME: if one of the brokers has exited, show its log and say so (true); else false.
broker_exited() {
  local i
  i=$(dead_broker) || return 1
  show_log "${BROKER_LOGS[$i]}"
  log "$1 broker process (node $((i + 1)), pid ${BROKER_PIDS[$i]}) exited"
  return 0
}

# wait_ready NAME BOOTSTRAP PORT...: bounded poll (one READY_TIMEOUT for all steps) until every
# broker answers an Admin call on its own port and, with several nodes, until a topic with
# replication factor $RF can be created (so all brokers have joined the cluster).
wait_ready() {
  local name=$1 bs=$2; shift 2
  local ports=("$@") deadline=$(( $(date +%s) + READY_TIMEOUT )) attempt=0 i=0 up=0
  log "waiting up to ${READY_TIMEOUT}s for $name at $bs"
  while [ "$(date +%s)" -lt "$deadline" ]; do
    attempt=$((attempt + 1))
    if broker_exited "$name"; then log "$name did not become ready"; return 1; fi
    if [ "$up" -lt "${#ports[@]}" ]; then
      # Node by node: each must answer on its own listener.
      if (exec 3<>"/dev/tcp/127.0.0.1/${ports[$up]}") 2>/dev/null \
          && topic_cmd "127.0.0.1:${ports[$up]}" --list >"$WORK/ready.out" 2>&1; then
        log "$name node $((up + 1)) answers on 127.0.0.1:${ports[$up]} (after $attempt polls)"
        up=$((up + 1))
        [ "$up" -lt "${#ports[@]}" ] && continue
      else
        sleep 1; continue
      fi
    fi
    [ "$RF" -gt 1 ] || return 0
    # All nodes answer; the cluster is whole once it accepts a topic with replication factor $RF.
    if topic_cmd "$bs" --create --if-not-exists --topic perf-ready --partitions 1 \
        --replication-factor "$RF" "${TOPIC_CONFIGS[@]}" >"$WORK/ready.out" 2>&1; then
      log "$name accepts replication factor $RF (after $attempt polls)"
      return 0
    fi
    sleep 1
  done
  for i in "${!BROKER_LOGS[@]}"; do show_log "${BROKER_LOGS[$i]}"; done
  echo "----- last answer of the readiness probe -----" >&2; tail -n 20 "$WORK/ready.out" >&2 2>/dev/null || true
  log "$name was not ready on $bs within ${READY_TIMEOUT}s ($up of ${#ports[@]} nodes answered)"
  return 1
}

# start_kafka PORTS CPORTS DATADIRS LOGFILES (names of arrays, one entry per node): one KRaft
# broker+controller per node. One node: a single-node dynamic quorum (format --standalone).
# Three nodes: a static quorum of all three (controller.quorum.voters; format with no quorum flag).
start_kafka() {
  local -n ports=$1 cports=$2 datas=$3 logs=$4
  local n=${#ports[@]} i props cid quorum voters="" fmt=() rf=$RF minisr=1
  [ "$n" -gt 1 ] && minisr=2
  for i in $(seq 0 $((n - 1))); do
    voters+="${voters:+,}$((i + 1))@127.0.0.1:${cports[$i]}"
  done
  if [ "$n" -eq 1 ]; then
    quorum="controller.quorum.bootstrap.servers=127.0.0.1:${cports[0]}"; fmt=(--standalone)
  else
    quorum="controller.quorum.voters=$voters"
  fi
  cid=$(timeout 60 "${TOOL_JAVA[@]}" kafka.tools.StorageTool random-uuid 2>>"${logs[0]}" | tail -n 1)
  [ -n "$cid" ] || { log "kafka-storage random-uuid failed"; return 1; }
  for i in $(seq 0 $((n - 1))); do
    props=$WORK/kafka-server-$((i + 1)).properties
    cat >"$props" <<EOF
# KRaft broker+controller $((i + 1)) of $n on loopback, default segment sizes.
process.roles=broker,controller
node.id=$((i + 1))
$quorum
listeners=PLAINTEXT://127.0.0.1:${ports[$i]},CONTROLLER://127.0.0.1:${cports[$i]}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports[$i]},CONTROLLER://127.0.0.1:${cports[$i]}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${datas[$i]}
num.partitions=1
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$minisr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$minisr
# Nobody to wait for in a bench; don't charge the consumer 3 s of join delay.
group.initial.rebalance.delay.ms=0
EOF
    timeout 120 "${TOOL_JAVA[@]}" kafka.tools.StorageTool format "${fmt[@]}" \
        --config "$props" --cluster-id "$cid" >>"${logs[$i]}" 2>&1 \
      || { tail -n 20 "${logs[$i]}" >&2; log "kafka-storage format of node $((i + 1)) failed"; return 1; }
  done
  for i in $(seq 0 $((n - 1))); do
    java "${BROKER_JVM[@]}" "$LOG4J" -Dbench.log.level=INFO -cp "$KAFKA_CP" kafka.Kafka \
      "$WORK/kafka-server-$((i + 1)).properties" >>"${logs[$i]}" 2>&1 &
    BROKER_PIDS+=($!)
  done
}

# start_vltava PORTS CPORTS DATADIRS LOGFILES (names of arrays, one entry per node). One node: a
# cluster of one on a free cluster port, as the jar starts by default. Three nodes: each with its
# own node id and cluster port, all three cluster endpoints as seeds (as bin/local-cluster does).
start_vltava() {
  local -n ports=$1 cports=$2 datas=$3 logs=$4
  local n=${#ports[@]} i seeds=()
  if [ ! -f "$ROOT/target/vltava.jar" ]; then
    log "target/vltava.jar missing; building it (mvn -B -q -DskipTests package)"
    (cd "$ROOT" && mvn -B -q -DskipTests package) >"$WORK/mvn-vltava.log" 2>&1 \
      || { tail -n 40 "$WORK/mvn-vltava.log" >&2; log "building vltava.jar failed"; return 1; }
  fi
  # The same group setting the Kafka brokers get, so consumer start-up is comparable.
  printf 'vltava.groups.group.initial.rebalance.delay.ms = 0\n%s\n' "${VLTAVA_SETTINGS:-}" >"$WORK/vltava.conf"
  if [ "$n" -eq 1 ]; then
    java "${BROKER_JVM[@]}" -jar "$ROOT/target/vltava.jar" broker --config "$WORK/vltava.conf" \
      --host 127.0.0.1 --port "${ports[0]}" --http-port 0 --data-dir "${datas[0]}" >>"${logs[0]}" 2>&1 &
    BROKER_PIDS+=($!)
    return 0
  fi
  for i in $(seq 0 $((n - 1))); do seeds+=(--seed "127.0.0.1:${cports[$i]}"); done
  for i in $(seq 0 $((n - 1))); do
    java "${BROKER_JVM[@]}" -jar "$ROOT/target/vltava.jar" broker --config "$WORK/vltava.conf" \
      --node-id "$((i + 1))" --host 127.0.0.1 --port "${ports[$i]}" --cluster-port "${cports[$i]}" --http-port 0 \
      "${seeds[@]}" --data-dir "${datas[$i]}" >>"${logs[$i]}" 2>&1 &
    BROKER_PIDS+=($!)
  done
}

# parse_producer FILE -> "recs_per_s mb_per_s avg_ms p99_ms sent" from the tool's final summary line:
#   N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, a ms 50th, b ms 95th, c ms 99th, d ms 99.9th.
parse_producer() {
  grep -E 'records sent, .* 99th' "$1" | tail -n 1 | awk -F', ' '{
    split($1, a, " "); sent = a[1]
    split($2, b, " "); rps = b[1]; mb = b[3]; gsub(/\(/, "", mb)
    split($3, c, " "); avg = c[1]
    for (i = 1; i <= NF; i++) if ($i ~ / ms 99th/) { split($i, d, " "); p99 = d[1] }
    printf "%s %s %s %s %s\n", rps, mb, avg, p99, sent }'
}

# parse_consumer FILE -> "mb_per_s recs_per_s fetch_mb_per_s fetch_recs_per_s consumed" from the CSV
# the tool prints (header line naming the columns, then one data line).
parse_consumer() {
  awk -F', *' '
    /MB\.sec/ && /nMsg\.sec/ { for (i = 1; i <= NF; i++) col[$i] = i; hdr = 1; next }
    hdr && NF >= 6 && $col["MB.sec"] ~ /^[0-9.]+$/ {
      printf "%s %s %s %s %s\n", $col["MB.sec"], $col["nMsg.sec"], $col["fetch.MB.sec"], $col["fetch.nMsg.sec"], $col["data.consumed.in.nMsg"]; exit }' "$1"
}

# broker_cpu_ms: CPU time (user + system) the running target's brokers have used so far, in ms.
# Unlike throughput it hardly depends on what else the machine runs.
broker_cpu_ms() {
  local pid ticks=0 t hz
  hz=$(getconf CLK_TCK)
  for pid in "${BROKER_PIDS[@]}"; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    ticks=$((ticks + t))
  done
  echo $((ticks * 1000 / hz))
}

RESULTS=$WORK/results.tsv   # target parts acks p_rps p_mb p_avg p_p99 c_mb c_rps c_fmb c_frps status load c_cpu_ms_per_mb
: >"$RESULTS"
FAILED=()

run_workload() {  # run_workload TARGET BOOTSTRAP PARTS ACKS
  local tgt=$1 bs=$2 parts=$3 acks=$4
  local topic="perf-p${parts}-acks${acks}" out p c status=ok load=- cpu_before cpu_per_mb
  out=$WORK/$tgt-$topic
  log "[$tgt] $topic: create topic"
  if ! topic_cmd "$bs" --create --topic "$topic" --partitions "$parts" --replication-factor "$RF" \
      "${TOPIC_CONFIGS[@]}" >"$out.create" 2>&1; then
    cat "$out.create" >&2
    log "[$tgt] $topic: topic creation failed"
    printf '%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\tcreate-failed\t-\t-\n' "$tgt" "$parts" "$acks" >>"$RESULTS"
    return 1
  fi
  # For the record (KEEP_WORK=1): replicas, ISR and configs the topic got. Not part of the measurement.
  # A node may learn of the new topic a moment after the one that created it: a few bounded tries.
  local try
  for try in 1 2 3 4 5; do
    if topic_cmd "$bs" --describe --topic "$topic" >"$out.describe" 2>&1 && grep -q PartitionCount "$out.describe"; then
      break
    fi
    sleep 1
  done
  log "[$tgt] $topic: produce $RECORDS x ${RECORD_SIZE}B, acks=$acks"
  if ! timeout "$STEP_TIMEOUT" "${TOOL_JAVA[@]}" org.apache.kafka.tools.ProducerPerformance \
      --bootstrap-server "$bs" --topic "$topic" --num-records "$RECORDS" --record-size "$RECORD_SIZE" \
      --throughput -1 --command-property "acks=$acks" >"$out.produce" 2>&1; then
    tail -n 20 "$out.produce" >&2
    log "[$tgt] $topic: ProducerPerformance failed or timed out"
    status=produce-failed
  fi
  p=$(parse_producer "$out.produce" || true)
  [ -n "$p" ] || { p="- - - - 0"; status=produce-failed; }
  if [ "$(echo "$p" | awk '{print $5}')" != "$RECORDS" ] && [ "$status" = ok ]; then status=produce-short; fi
  # The machine may be shared: the 1-minute load average as the consumer starts goes with its figures.
  load=$(cut -d' ' -f1 /proc/loadavg)
  log "[$tgt] $topic: consume $RECORDS (load $load)"
  cpu_before=$(broker_cpu_ms)
  if ! timeout "$STEP_TIMEOUT" "${TOOL_JAVA[@]}" org.apache.kafka.tools.ConsumerPerformance \
      --bootstrap-server "$bs" --topic "$topic" --num-records "$RECORDS" --timeout 30000 \
      --group "perf-group-$topic" >"$out.consume" 2>&1; then
    tail -n 20 "$out.consume" >&2
    log "[$tgt] $topic: ConsumerPerformance failed or timed out"
    [ "$status" = ok ] && status=consume-failed
  fi
  cpu_per_mb=$(awk -v ms=$(( $(broker_cpu_ms) - cpu_before )) -v n="$RECORDS" -v size="$RECORD_SIZE" \
    'BEGIN { printf "%.2f", ms / (n * size / 1000000) }')
  c=$(parse_consumer "$out.consume" || true)
  [ -n "$c" ] || { c="- - - - 0"; [ "$status" = ok ] && status=consume-failed; }
  if [ "$(echo "$c" | awk '{print $5}')" != "$RECORDS" ] && [ "$status" = ok ]; then status=consume-short; fi
  # shellcheck disable=SC2086
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tgt" "$parts" "$acks" \
    $(echo "$p" | awk '{print $1, $2, $3, $4}') $(echo "$c" | awk '{print $1, $2, $3, $4}') "$status" "$load" "$cpu_per_mb" >>"$RESULTS"
  [ "$status" = ok ] || { log "[$tgt] $topic: $status"; return 1; }
}

run_target() {  # run_target TARGET
  local tgt=$1 bs="" parts acks i all node_ports=() node_cports=() node_datas=() node_logs=()
  read -r -a all <<<"$(free_ports $((2 * NODES)))"
  [ "${#all[@]}" -eq $((2 * NODES)) ] || { log "no free ports for $tgt"; return 1; }
  node_ports=("${all[@]:0:NODES}"); node_cports=("${all[@]:NODES}")
  for i in $(seq 1 "$NODES"); do
    if [ "$NODES" -eq 1 ]; then node_datas+=("$WORK/$tgt-data"); node_logs+=("$WORK/$tgt-broker.log")
    else node_datas+=("$WORK/$tgt-data-$i"); node_logs+=("$WORK/$tgt-broker-$i.log"); fi
    mkdir -p "${node_datas[$((i - 1))]}"; : >"${node_logs[$((i - 1))]}"
    bs+="${bs:+,}127.0.0.1:${node_ports[$((i - 1))]}"
  done
  BROKER_PIDS=(); BROKER_LOGS=("${node_logs[@]}")
  log "=== $tgt: starting $NODES broker(s) on $bs (data ${node_datas[*]}, logs ${node_logs[*]})"
  case "$tgt" in
    kafka) start_kafka node_ports node_cports node_datas node_logs || { stop_brokers; return 1; } ;;
    vltava) start_vltava node_ports node_cports node_datas node_logs || { stop_brokers; return 1; } ;;
  esac
  if ! wait_ready "$tgt" "$bs" "${node_ports[@]}"; then stop_brokers; return 1; fi
  local rc=0
  for parts in "${PARTITIONS_LIST[@]}"; do
    for acks in "${ACKS_LIST[@]}"; do
      run_workload "$tgt" "$bs" "$parts" "$acks" || rc=1
      if broker_exited "$tgt"; then
        log "$tgt broker died during the run"; stop_brokers; return 1
      fi
    done
  done
  stop_brokers
  return $rc
}

write_admin_config
for t in "${TARGETS[@]}"; do
  run_target "$t" || FAILED+=("$t")
done

# ---------------------------------------------------------------- report
echo
if [ "$NODES" -eq 1 ]; then SETUP="1 node, replication factor 1"
else SETUP="$NODES nodes, replication factor $RF, min.insync.replicas=2"; fi
echo "## Kafka perf tools: $SETUP; $RECORDS records of $RECORD_SIZE B per workload ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
for t in "${TARGETS[@]}"; do
  echo
  echo "### $t"
  echo
  echo "| partitions | acks | produce rec/s | produce MB/s | avg latency ms | p99 latency ms | consume MB/s | consume rec/s | fetch MB/s | fetch rec/s | status | load | broker CPU ms/MB consumed |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
  if grep -q "^$t	" "$RESULTS"; then
    awk -F'\t' -v t="$t" '
      function f(x, d) { return (x ~ /^[0-9.]+$/) ? sprintf("%." d "f", x) : x }
      $1 == t { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $2, $3,
                f($4, 0), f($5, 2), f($6, 1), f($7, 0), f($8, 2), f($9, 0), f($10, 2), f($11, 0), $12, $13, $14 }' "$RESULTS"
  else
    echo "| - | - | - | - | - | - | - | - | - | - | broker did not start/answer | - | - |"
  fi
done
echo
echo "Consume rates are ConsumerPerformance's overall figures (including group join); fetch rates exclude it."
echo "Load is the machine's 1-minute load average as the consumer started ($(nproc) cores); broker CPU is the"
echo "user+system time the broker process(es) used while the consumer ran, per MB of records consumed."

if [ "${#TARGETS[@]}" -eq 2 ]; then
  echo
  echo "### Vltava / Kafka (same run; throughput >1 = Vltava faster, latency and CPU <1 = Vltava better)"
  echo
  echo "| partitions | acks | produce rec/s | produce MB/s | avg latency | p99 latency | consume MB/s | consume rec/s | fetch MB/s | fetch rec/s | broker CPU/MB consumed |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for parts in "${PARTITIONS_LIST[@]}"; do
    for acks in "${ACKS_LIST[@]}"; do
      awk -F'\t' -v p="$parts" -v a="$acks" '
        function ratio(x, y) { if (x ~ /^[0-9.]+$/ && y ~ /^[0-9.]+$/ && y + 0 > 0) return sprintf("%.2f", x / y); return "n/a" }
        $2 == p && $3 == a && $1 == "vltava" { for (i = 4; i <= 14; i++) v[i] = $i; hv = 1 }
        $2 == p && $3 == a && $1 == "kafka"  { for (i = 4; i <= 14; i++) k[i] = $i; hk = 1 }
        END { v[12] = v[14]; k[12] = k[14]
              line = "| " p " | " a
              for (i = 4; i <= 12; i++) line = line " | " ((hv && hk) ? ratio(v[i], k[i]) : "n/a")
              print line " |" }' "$RESULTS"
    done
  done
fi

if [ "${#FAILED[@]}" -gt 0 ]; then
  echo
  log "FAILED: ${FAILED[*]} (see messages above; rerun with KEEP_WORK=1 to keep broker logs)"
  exit 1
fi
