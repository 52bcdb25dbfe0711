#!/usr/bin/env bash
# Vltava vs Apache Kafka 4.3.1, measured with Kafka's own perf tools
# (org.apache.kafka.tools.ProducerPerformance / ConsumerPerformance, from kafka-tools 4.3.1).
#
#   bench/kafka-perf.sh [--records N] [--record-size BYTES] [--target vltava|kafka|both] [--nodes 1|3]
#                       [--partitions P[,P...]] [--acks A[,A...]] [--throughput RECORDS_PER_S]
#                                       (defaults: 2000000, 100, both, 1, see below, 1,all, unthrottled)
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
#   --throughput  the producer's fixed rate (records/s) instead of as fast as possible.
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
#   KEEP_WORK=1     keep the temp dir (broker logs, data, raw tool output) after exit
set -euo pipefail

RECORDS=2000000
TARGET=both
RECORD_SIZE=100
STEP_TIMEOUT=${STEP_TIMEOUT:-1800}
NODES=1
ACKS_LIST=(1 all)
PARTITIONS_ARG=""
ACKS_ARG=""
THROUGHPUT=-1

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
    --throughput) [ $# -ge 2 ] || die "--throughput needs a value"; THROUGHPUT=$2; shift 2 ;;
    --throughput=*) THROUGHPUT=${1#*=}; shift ;;
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
[[ "$THROUGHPUT" =~ ^(-1|[1-9][0-9]*)$ ]] || die "--throughput must be a positive integer, got '$THROUGHPUT'"
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
cd "$ROOT"

# shellcheck source=bench/brokers.sh
. "$ROOT/bench/brokers.sh"
bench_work kafka-perf

brokers_init

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
      --throughput "$THROUGHPUT" --command-property "acks=$acks" >"$out.produce" 2>&1; then
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
  local tgt=$1 bs parts acks
  start_target "$tgt" "$NODES" || return 1
  bs=$BOOTSTRAP
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
