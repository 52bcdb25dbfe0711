#!/usr/bin/env bash
# Vltava vs Apache Kafka 4.3.1, measured with Kafka's own perf tools
# (org.apache.kafka.tools.ProducerPerformance / ConsumerPerformance, from kafka-tools 4.3.1).
#
#   bench/kafka-perf.sh [--records N] [--target vltava|kafka|both]     (defaults: 2000000, both)
#
# For each target: start one broker on a free loopback port with a fresh temp data dir, wait until
# it answers (bounded), then for each workload (1 and 6 partitions x acks=1 and acks=all) create a
# topic, produce N records of 100 bytes as fast as possible, and consume them back. Prints a
# markdown table per target and, when both ran, a table of Vltava/Kafka ratios from the same run.
# Both targets go through exactly the same code; only the broker start command differs.
#
# Environment knobs (all optional):
#   READY_TIMEOUT   seconds to wait for a broker to answer            (default 90)
#   STEP_TIMEOUT    seconds allowed for one producer/consumer run     (default 1800)
#   BROKER_HEAP     -Xmx/-Xms of either broker                        (default 1g)
#   TOOL_HEAP       -Xmx of the perf tools                            (default 1g)
#   KEEP_WORK=1     keep the temp dir (broker logs, data, raw tool output) after exit
set -euo pipefail

RECORDS=2000000
TARGET=both
RECORD_SIZE=100
READY_TIMEOUT=${READY_TIMEOUT:-90}
STEP_TIMEOUT=${STEP_TIMEOUT:-1800}
BROKER_HEAP=${BROKER_HEAP:-1g}
TOOL_HEAP=${TOOL_HEAP:-1g}
PARTITIONS_LIST=(1 6)
ACKS_LIST=(1 all)

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "kafka-perf: ERROR: $*" >&2; exit 1; }
log() { echo "kafka-perf: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --records) [ $# -ge 2 ] || die "--records needs a value"; RECORDS=$2; shift 2 ;;
    --records=*) RECORDS=${1#*=}; shift ;;
    --target) [ $# -ge 2 ] || die "--target needs a value"; TARGET=$2; shift 2 ;;
    --target=*) TARGET=${1#*=}; shift ;;
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
command -v timeout >/dev/null || die "coreutils 'timeout' is required"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench/kafka
cd "$ROOT"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vltava-kafka-perf.XXXXXX")
BROKER_PID=""

stop_broker() {
  [ -n "$BROKER_PID" ] || return 0
  local pid=$BROKER_PID; BROKER_PID=""
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "broker pid $pid did not stop in 15s; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_broker
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
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null && return 0
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  die "no free port found"
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

# wait_ready NAME BOOTSTRAP PORT LOGFILE: bounded poll until the broker answers an Admin call.
wait_ready() {
  local name=$1 bs=$2 port=$3 logf=$4
  local deadline=$(( $(date +%s) + READY_TIMEOUT )) attempt=0
  log "waiting up to ${READY_TIMEOUT}s for $name at $bs"
  while [ "$(date +%s)" -lt "$deadline" ]; do
    attempt=$((attempt + 1))
    if [ -z "$BROKER_PID" ] || ! kill -0 "$BROKER_PID" 2>/dev/null; then
      echo "----- last lines of $logf -----" >&2; tail -n 40 "$logf" >&2 || true
      log "$name broker process exited before it answered"
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      if topic_cmd "$bs" --list >"$WORK/ready.out" 2>&1; then
        log "$name answers on $bs (after $attempt polls)"
        return 0
      fi
    fi
    sleep 1
  done
  echo "----- last lines of $logf -----" >&2; tail -n 40 "$logf" >&2 || true
  echo "----- last answer of the readiness probe -----" >&2; tail -n 20 "$WORK/ready.out" >&2 2>/dev/null || true
  log "$name did not answer on $bs within ${READY_TIMEOUT}s"
  return 1
}

start_kafka() {  # start_kafka PORT DATADIR LOGFILE
  local port=$1 data=$2 logf=$3 cport props cid
  cport=$(free_port)
  while [ "$cport" = "$port" ]; do cport=$(free_port); done
  props=$WORK/kafka-server.properties
  cat >"$props" <<EOF
# One-node KRaft broker+controller on loopback, default segment sizes.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# A one-node bench has nobody to wait for; don't charge the consumer 3 s of join delay.
group.initial.rebalance.delay.ms=0
EOF
  cid=$(timeout 60 "${TOOL_JAVA[@]}" kafka.tools.StorageTool random-uuid 2>>"$logf" | tail -n 1)
  [ -n "$cid" ] || { log "kafka-storage random-uuid failed"; return 1; }
  timeout 120 "${TOOL_JAVA[@]}" kafka.tools.StorageTool format --standalone \
      --config "$props" --cluster-id "$cid" >>"$logf" 2>&1 \
    || { tail -n 20 "$logf" >&2; log "kafka-storage format failed"; return 1; }
  java "${BROKER_JVM[@]}" "$LOG4J" -Dbench.log.level=INFO -cp "$KAFKA_CP" kafka.Kafka "$props" >>"$logf" 2>&1 &
  BROKER_PID=$!
}

start_vltava() {  # start_vltava PORT DATADIR LOGFILE
  local port=$1 data=$2 logf=$3
  if [ ! -f "$ROOT/target/vltava.jar" ]; then
    log "target/vltava.jar missing; building it (mvn -B -q -DskipTests package)"
    (cd "$ROOT" && mvn -B -q -DskipTests package) >"$WORK/mvn-vltava.log" 2>&1 \
      || { tail -n 40 "$WORK/mvn-vltava.log" >&2; log "building vltava.jar failed"; return 1; }
  fi
  # The same group setting the Kafka broker gets, so consumer start-up is comparable.
  printf 'vltava.groups.group.initial.rebalance.delay.ms = 0\n' >"$WORK/vltava.conf"
  java "${BROKER_JVM[@]}" -jar "$ROOT/target/vltava.jar" broker --config "$WORK/vltava.conf" \
    --host 127.0.0.1 --port "$port" --data-dir "$data" >>"$logf" 2>&1 &
  BROKER_PID=$!
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

RESULTS=$WORK/results.tsv   # target parts acks p_rps p_mb p_avg p_p99 c_mb c_rps c_fmb c_frps status
: >"$RESULTS"
FAILED=()

run_workload() {  # run_workload TARGET BOOTSTRAP PARTS ACKS
  local tgt=$1 bs=$2 parts=$3 acks=$4
  local topic="perf-p${parts}-acks${acks}" out p c status=ok
  out=$WORK/$tgt-$topic
  log "[$tgt] $topic: create topic"
  if ! topic_cmd "$bs" --create --topic "$topic" --partitions "$parts" --replication-factor 1 >"$out.create" 2>&1; then
    cat "$out.create" >&2
    log "[$tgt] $topic: topic creation failed"
    printf '%s\t%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\tcreate-failed\n' "$tgt" "$parts" "$acks" >>"$RESULTS"
    return 1
  fi
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
  log "[$tgt] $topic: consume $RECORDS"
  if ! timeout "$STEP_TIMEOUT" "${TOOL_JAVA[@]}" org.apache.kafka.tools.ConsumerPerformance \
      --bootstrap-server "$bs" --topic "$topic" --num-records "$RECORDS" --timeout 30000 \
      --group "perf-group-$topic" >"$out.consume" 2>&1; then
    tail -n 20 "$out.consume" >&2
    log "[$tgt] $topic: ConsumerPerformance failed or timed out"
    [ "$status" = ok ] && status=consume-failed
  fi
  c=$(parse_consumer "$out.consume" || true)
  [ -n "$c" ] || { c="- - - - 0"; [ "$status" = ok ] && status=consume-failed; }
  if [ "$(echo "$c" | awk '{print $5}')" != "$RECORDS" ] && [ "$status" = ok ]; then status=consume-short; fi
  # shellcheck disable=SC2086
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tgt" "$parts" "$acks" \
    $(echo "$p" | awk '{print $1, $2, $3, $4}') $(echo "$c" | awk '{print $1, $2, $3, $4}') "$status" >>"$RESULTS"
  [ "$status" = ok ] || { log "[$tgt] $topic: $status"; return 1; }
}

run_target() {  # run_target TARGET
  local tgt=$1 port data logf bs parts acks
  port=$(free_port)
  data=$WORK/$tgt-data
  logf=$WORK/$tgt-broker.log
  mkdir -p "$data"; : >"$logf"
  bs=127.0.0.1:$port
  log "=== $tgt: starting broker on $bs (data $data, log $logf)"
  case "$tgt" in
    kafka) start_kafka "$port" "$data" "$logf" || return 1 ;;
    vltava) start_vltava "$port" "$data" "$logf" || return 1 ;;
  esac
  if ! wait_ready "$tgt" "$bs" "$port" "$logf"; then stop_broker; return 1; fi
  local rc=0
  for parts in "${PARTITIONS_LIST[@]}"; do
    for acks in "${ACKS_LIST[@]}"; do
      run_workload "$tgt" "$bs" "$parts" "$acks" || rc=1
      if ! kill -0 "$BROKER_PID" 2>/dev/null; then
        echo "----- last lines of $logf -----" >&2; tail -n 40 "$logf" >&2 || true
        log "$tgt broker died during the run"; BROKER_PID=""; return 1
      fi
    done
  done
  stop_broker
  return $rc
}

write_admin_config
for t in "${TARGETS[@]}"; do
  run_target "$t" || FAILED+=("$t")
done

# ---------------------------------------------------------------- report
echo
echo "## Kafka perf tools: $RECORDS records of $RECORD_SIZE B per workload ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
for t in "${TARGETS[@]}"; do
  echo
  echo "### $t"
  echo
  echo "| partitions | acks | produce rec/s | produce MB/s | avg latency ms | p99 latency ms | consume MB/s | consume rec/s | fetch MB/s | fetch rec/s | status |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  if grep -q "^$t	" "$RESULTS"; then
    awk -F'\t' -v t="$t" '
      function f(x, d) { return (x ~ /^[0-9.]+$/) ? sprintf("%." d "f", x) : x }
      $1 == t { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $2, $3,
                f($4, 0), f($5, 2), f($6, 1), f($7, 0), f($8, 2), f($9, 0), f($10, 2), f($11, 0), $12 }' "$RESULTS"
  else
    echo "| - | - | - | - | - | - | - | - | - | - | broker did not start/answer |"
  fi
done
echo
echo "Consume rates are ConsumerPerformance's overall figures (including group join); fetch rates exclude it."

if [ "${#TARGETS[@]}" -eq 2 ]; then
  echo
  echo "### Vltava / Kafka (same run; throughput >1 = Vltava faster, latency <1 = Vltava faster)"
  echo
  echo "| partitions | acks | produce rec/s | produce MB/s | avg latency | p99 latency | consume MB/s | consume rec/s | fetch MB/s | fetch rec/s |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for parts in "${PARTITIONS_LIST[@]}"; do
    for acks in "${ACKS_LIST[@]}"; do
      awk -F'\t' -v p="$parts" -v a="$acks" '
        function ratio(x, y) { if (x ~ /^[0-9.]+$/ && y ~ /^[0-9.]+$/ && y + 0 > 0) return sprintf("%.2f", x / y); return "n/a" }
        $2 == p && $3 == a && $1 == "vltava" { for (i = 4; i <= 11; i++) v[i] = $i; hv = 1 }
        $2 == p && $3 == a && $1 == "kafka"  { for (i = 4; i <= 11; i++) k[i] = $i; hk = 1 }
        END { line = "| " p " | " a
              for (i = 4; i <= 11; i++) line = line " | " ((hv && hk) ? ratio(v[i], k[i]) : "n/a")
              print line " |" }' "$RESULTS"
    done
  done
fi

if [ "${#FAILED[@]}" -gt 0 ]; then
  echo
  log "FAILED: ${FAILED[*]} (see messages above; rerun with KEEP_WORK=1 to keep broker logs)"
  exit 1
fi
