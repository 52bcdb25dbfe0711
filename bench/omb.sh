#!/usr/bin/env bash
# Vltava vs Apache Kafka 4.3.1 on OpenMessaging Benchmark's "1 topic, 100 partitions, 1 KiB" workload,
# driven by bench/omb/OmbDriver.java (an OMB-shaped driver: 4 producers, 4 consumers in one group,
# acks=all, intended-send-time rate limiting; see its class comment).
#
#   bench/omb.sh [--nodes 1|3|both] [--target vltava|kafka|both]      (defaults: both, both)
#
# For each setup (1 node, replication factor 1; 3 nodes, replication factor 3 and
# min.insync.replicas=2) and each target (Kafka first, then Vltava), on fresh brokers:
#   (a) ramp: the highest sustained rate (after RAMP_WARMUP_SECONDS at START_RATE, the rate doubles
#       from START_RATE until a step is not sustained,
#       then BISECT_STEPS bisections; a step is sustained when producers and consumers keep up with
#       >= 97% of the rate, publish delay p99 <= 1 s and the backlog stays under one second of records),
#   (b) fixed: half of Kafka's highest sustained rate (of the same setup, same run) for WARMUP_SECONDS,
#       then MEASURE_SECONDS measured: produce and end-to-end latency p50/p99/p99.9.
# Prints markdown tables per setup and the Vltava/Kafka ratios from the same run.
#
# Environment knobs (all optional):
#   WARMUP_SECONDS / MEASURE_SECONDS          fixed-rate warm-up and measured window (default 60 / 60)
#   RAMP_WARMUP_SECONDS                       warm-up before the first ramp step (default 30)
#   STEP_WARMUP_SECONDS / STEP_SECONDS        each ramp step's warm-up and measured part (default 5 / 15)
#   START_RATE / BISECT_STEPS                 first ramp rate in records/s, bisections (default 5000 / 3)
#   FIXED_RATE       records/s for (b) instead of half of Kafka's maximum (needed with --target vltava)
#   PARTITIONS / PRODUCERS / CONSUMERS / RECORD_BYTES               (default 100 / 4 / 4 / 1024)
#   BROKER_HEAP      -Xms/-Xmx of each broker (default 1g)   DRIVER_HEAP  -Xmx of the driver (default 1g)
#   READY_TIMEOUT    seconds to wait for the broker(s) (default 90; 180 with 3 nodes)
#   KEEP_WORK=1      keep the temp dir (broker logs, driver output) after exit
set -euo pipefail

NODES_ARG=both
TARGET=both
WARMUP_SECONDS=${WARMUP_SECONDS:-60}
MEASURE_SECONDS=${MEASURE_SECONDS:-60}
RAMP_WARMUP_SECONDS=${RAMP_WARMUP_SECONDS:-30}
STEP_WARMUP_SECONDS=${STEP_WARMUP_SECONDS:-5}
STEP_SECONDS=${STEP_SECONDS:-15}
START_RATE=${START_RATE:-5000}
BISECT_STEPS=${BISECT_STEPS:-3}
PARTITIONS=${PARTITIONS:-100}
PRODUCERS=${PRODUCERS:-4}
CONSUMERS=${CONSUMERS:-4}
RECORD_BYTES=${RECORD_BYTES:-1024}
DRIVER_HEAP=${DRIVER_HEAP:-1g}
READY_TIMEOUT_ARG=${READY_TIMEOUT:-}

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
die() { echo "omb: ERROR: $*" >&2; exit 1; }
log() { echo "omb: $(date -u +%H:%M:%S) $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) [ $# -ge 2 ] || die "--nodes needs a value"; NODES_ARG=$2; shift 2 ;;
    --target) [ $# -ge 2 ] || die "--target needs a value"; TARGET=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
case "$NODES_ARG" in 1) SETUPS=(1) ;; 3) SETUPS=(3) ;; both) SETUPS=(1 3) ;; *) die "--nodes must be 1, 3 or both" ;; esac
case "$TARGET" in
  vltava) TARGETS=(vltava); [ -n "${FIXED_RATE:-}" ] || die "--target vltava needs FIXED_RATE (half of Kafka's maximum)" ;;
  kafka) TARGETS=(kafka) ;;
  both) TARGETS=(kafka vltava) ;;
  *) die "--target must be vltava, kafka or both, got '$TARGET'" ;;
esac
for v in WARMUP_SECONDS MEASURE_SECONDS RAMP_WARMUP_SECONDS STEP_WARMUP_SECONDS STEP_SECONDS START_RATE PARTITIONS \
    PRODUCERS CONSUMERS RECORD_BYTES; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || die "$v must be a positive integer, got '${!v}'"
done
[[ "$BISECT_STEPS" =~ ^[0-9]+$ ]] || die "BISECT_STEPS must be a whole number, got '$BISECT_STEPS'"
command -v timeout >/dev/null || die "coreutils 'timeout' is required"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/brokers.sh
. "$ROOT/bench/brokers.sh"
bench_work omb

RF=1; TOPIC_CONFIGS=()
brokers_init
# shellcheck source=bench/omb/driver.sh
. "$ROOT/bench/omb/driver.sh"

RESULTS=$WORK/results.tsv   # nodes target max_rate fixed_rate then the fixed run's RESULT fields, status
: >"$RESULTS"
FIXED_FIELDS=(produce_rate consume_rate produce_p50_ms produce_p99_ms produce_p999_ms e2e_p50_ms e2e_p99_ms e2e_p999_ms delay_p99_ms errors)
FAILED=()
UPTIME_START=$(uptime)

# broker_cpu_ticks: CPU time (user + system, in clock ticks) the running brokers have used so far.
broker_cpu_ticks() {
  local pid total=0 stat
  for pid in "${BROKER_PIDS[@]}"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) }   # the fields after "(command)"; utime and stime are the 12th and 13th of them
    total=$((total + $(echo "$stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# run_target TARGET NODES: start the brokers, ramp, run the fixed rate, stop; appends one row to RESULTS.
run_target() {
  local tgt=$1 nodes=$2 topic_opts=() out max fixed status=ok f row cpu_ticks wall_start cores=-
  [ "$nodes" -gt 1 ] && topic_opts=(--replication-factor 3 --topic-config min.insync.replicas=2)
  out=$WORK/$tgt-$nodes
  RF=$([ "$nodes" -gt 1 ] && echo 3 || echo 1)
  TOPIC_CONFIGS=(); [ "$nodes" -gt 1 ] && TOPIC_CONFIGS=(--config min.insync.replicas=2)
  READY_TIMEOUT=${READY_TIMEOUT_ARG:-$([ "$nodes" -gt 1 ] && echo 180 || echo 90)}
  start_target "$tgt" "$nodes" || { printf '%s\t%s\t-\t-\tstart-failed\n' "$nodes" "$tgt" >>"$RESULTS"; return 1; }
  local common=(--bootstrap "$BOOTSTRAP" --partitions "$PARTITIONS" --producers "$PRODUCERS" --consumers "$CONSUMERS"
    --record-bytes "$RECORD_BYTES" "${topic_opts[@]}")

  log "[$tgt, $nodes node(s)] ramp from $START_RATE records/s"
  if ! run_driver "$out-ramp" ramp "${common[@]}" --start-rate "$START_RATE" --bisect-steps "$BISECT_STEPS" --warmup-seconds "$RAMP_WARMUP_SECONDS" \
      --step-warmup-seconds "$STEP_WARMUP_SECONDS" --step-seconds "$STEP_SECONDS"; then
    status=ramp-failed
  fi
  max=$(result_field "$out-ramp.out" max_rate); max=${max:--}
  log "[$tgt, $nodes node(s)] highest sustained rate: $max records/s"

  fixed=${FIXED_RATE:-}
  if [ -z "$fixed" ]; then
    fixed=$(awk -F'\t' -v n="$nodes" '$1 == n && $2 == "kafka" && $3 ~ /^[0-9]+$/ { printf "%d", $3 / 2 }' "$RESULTS")
    [ -n "$fixed" ] || { [ "$tgt" = kafka ] && [[ "$max" =~ ^[0-9]+$ ]] && fixed=$((max / 2)); }
  fi
  if [[ "${fixed:-}" =~ ^[1-9][0-9]*$ ]] && ! broker_exited "$tgt"; then
    log "[$tgt, $nodes node(s)] fixed rate $fixed records/s: ${WARMUP_SECONDS}s warm-up, ${MEASURE_SECONDS}s measured"
    cpu_ticks=$(broker_cpu_ticks); wall_start=$(date +%s.%N)
    run_driver "$out-fixed" fixed "${common[@]}" --rate "$fixed" --warmup-seconds "$WARMUP_SECONDS" \
      --seconds "$MEASURE_SECONDS" || { [ "$status" = ok ] && status=fixed-failed; }
    # Cores the brokers kept busy over the fixed run (warm-up included): on a small machine the tail follows this.
    cores=$(awk -v t="$(( $(broker_cpu_ticks) - cpu_ticks ))" -v hz="$(getconf CLK_TCK)" -v s="$wall_start" -v e="$(date +%s.%N)" \
      'BEGIN { printf "%.2f", t / hz / (e - s) }')
  else
    log "[$tgt, $nodes node(s)] no fixed rate (Kafka's maximum unknown); skipping the latency run"
    fixed=-; [ "$status" = ok ] && status=no-fixed-rate
  fi
  if broker_exited "$tgt"; then status=broker-died; fi
  row="$nodes	$tgt	$max	$fixed"
  for f in "${FIXED_FIELDS[@]}"; do row+="	$(result_field "$out-fixed.out" "$f" 2>/dev/null || true)"; done
  printf '%s\t%s\t%s\n' "$row" "$cores" "$status" >>"$RESULTS"
  stop_brokers
  [ "$status" = ok ]
}

for nodes in "${SETUPS[@]}"; do
  for t in "${TARGETS[@]}"; do
    run_target "$t" "$nodes" || FAILED+=("$t/$nodes")
  done
done
UPTIME_END=$(uptime)

# ---------------------------------------------------------------- report
echo
echo "## OMB workload: 1 topic, $PARTITIONS partitions, $RECORD_BYTES B records, $PRODUCERS producers, $CONSUMERS consumers (one group), acks=all ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
echo
echo "Load: before \`${UPTIME_START# }\`; after \`${UPTIME_END# }\`."
for nodes in "${SETUPS[@]}"; do
  if [ "$nodes" -eq 1 ]; then setup="1 node, replication factor 1"; else setup="3 nodes, replication factor 3, min.insync.replicas=2"; fi
  echo
  echo "### $setup"
  echo
  echo "| target | max sustained rec/s | max MB/s | fixed rate rec/s | produced rec/s | consumed rec/s | produce p50 ms | produce p99 ms | produce p99.9 ms | e2e p50 ms | e2e p99 ms | e2e p99.9 ms | publish delay p99 ms | errors | broker CPU (cores) | status |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F'\t' -v n="$nodes" -v b="$RECORD_BYTES" '
    function f(x, d) { return (x ~ /^[0-9.]+$/) ? sprintf("%." d "f", x) : (x == "" ? "-" : x) }
    $1 == n { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $2, f($3, 0),
              ($3 ~ /^[0-9]+$/) ? sprintf("%.1f", $3 * b / 1e6) : "-", $4, f($5, 0), f($6, 0), f($7, 2), f($8, 2), f($9, 2),
              f($10, 2), f($11, 2), f($12, 2), f($13, 2), f($14, 0), f($15, 2), $NF }' "$RESULTS"
  if [ "${#TARGETS[@]}" -eq 2 ]; then
    echo
    echo "Vltava / Kafka ($setup; throughput >1 = Vltava higher, latency <1 = Vltava lower):"
    echo
    echo "| max sustained rate | produce p50 | produce p99 | produce p99.9 | e2e p50 | e2e p99 | e2e p99.9 |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' -v n="$nodes" '
      function ratio(x, y) { if (x ~ /^[0-9.]+$/ && y ~ /^[0-9.]+$/ && y + 0 > 0) return sprintf("%.2f", x / y); return "n/a" }
      $1 == n && $2 == "vltava" { for (i = 3; i <= NF; i++) v[i] = $i }
      $1 == n && $2 == "kafka"  { for (i = 3; i <= NF; i++) k[i] = $i }
      END { printf "| %s | %s | %s | %s | %s | %s | %s |\n", ratio(v[3], k[3]), ratio(v[7], k[7]), ratio(v[8], k[8]),
            ratio(v[9], k[9]), ratio(v[10], k[10]), ratio(v[11], k[11]), ratio(v[12], k[12]) }' "$RESULTS"
  fi
done
echo
echo "Fixed rate = half of Kafka's highest sustained rate in the same setup and run. Produce latency: send to"
echo "acknowledgement; e2e: send to consumer receive; publish delay: how late sends left against the schedule."
for nodes in "${SETUPS[@]}"; do
  for t in "${TARGETS[@]}"; do
    [ -s "$WORK/$t-$nodes-ramp.out" ] || continue
    echo
    echo "Ramp, $t, $nodes node(s): $(awk '/^STEP/ { r = ""; s = ""; for (i = 1; i <= NF; i++) { split($i, kv, "=")
      if (kv[1] == "rate") r = kv[2]; if (kv[1] == "sustained") s = kv[2] }
      printf "%s%s%s", sep, r, (s == "yes" ? " ok" : " no"); sep = ", " }' "$WORK/$t-$nodes-ramp.out")"
  done
done

if [ "${#FAILED[@]}" -gt 0 ]; then
  echo
  log "FAILED: ${FAILED[*]} (see messages above; rerun with KEEP_WORK=1 to keep broker logs and driver output)"
  exit 1
fi
