#!/usr/bin/env bash
# Soak: a long run at a fixed rate against Vltava (or Kafka, for comparison) while retention deletes
# segments all the time, watching for drift. Not part of CI.
#
#   bench/soak.sh [--minutes 60] [--window-minutes 5] [--rate 5000] [--nodes 1|3] [--target vltava|kafka]
#
# The OMB-shaped driver (bench/omb/OmbDriver.java: 4 producers, 4 consumers in one group, acks=all,
# 1 KiB records, 100 partitions) runs at --rate records/s for WARMUP_SECONDS, then --minutes in
# windows of --window-minutes. The topic rolls a segment every SEGMENT_BYTES and keeps at most
# RETENTION_MS / RETENTION_BYTES per partition; brokers check retention every RETENTION_CHECK_MS.
# With 3 nodes the topic has replication factor 3 and min.insync.replicas=2.
#
# After each window, for each broker: produce and end-to-end latency p50/p99/p99.9 and rates (from
# the driver), heap after GC (lowest young collection in the window, from the broker's GC log), the
# live heap (what a full collection forced at the window's end leaves), heap used now (jstat),
# RSS and thread count (/proc/PID/status), open file handles (/proc/PID/fd), the soak topic's size
# on disk (retention at work keeps it flat), the rest of the data dir (Vltava's journal, Kafka's
# __consumer_offsets: where committed offsets go), the count of segment files and of memory mappings
# (/proc/PID/maps: a broker that leaves its segments' index mappings to the GC piles them up).
#
# Drift: each metric's median over the last third of the windows against its median over the first
# third. A metric drifted when the later median is more than 1.5x the earlier one AND above it by
# more than an absolute margin (latency p99 5 ms, live heap 64 MB, file handles 100, threads
# 10, topic and other data 100 MB, mappings 1000), so noise from a shared machine on small values does not count; also when
# any window consumed less than 97% of the rate (the brokers fell behind). Exit 1 on drift or failure.
#
# Environment knobs (all optional): WARMUP_SECONDS (60), PARTITIONS (100), RECORD_BYTES (1024),
# SEGMENT_BYTES (1048576), RETENTION_MS (60000), RETENTION_BYTES (4194304), RETENTION_CHECK_MS
# (10000), BROKER_HEAP (1g), DRIVER_HEAP (1g), KEEP_WORK=1 keeps the temp dir (logs, GC logs, samples).
set -euo pipefail

MINUTES=60
WINDOW_MINUTES=5
RATE=5000
NODES=1
TARGET=vltava
WARMUP_SECONDS=${WARMUP_SECONDS:-60}
PARTITIONS=${PARTITIONS:-100}
RECORD_BYTES=${RECORD_BYTES:-1024}
SEGMENT_BYTES=${SEGMENT_BYTES:-1048576}
RETENTION_MS=${RETENTION_MS:-60000}
RETENTION_BYTES=${RETENTION_BYTES:-4194304}
RETENTION_CHECK_MS=${RETENTION_CHECK_MS:-10000}

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
die() { echo "soak: ERROR: $*" >&2; exit 1; }
log() { echo "soak: $(date -u +%H:%M:%S) $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) [ $# -ge 2 ] || die "--minutes needs a value"; MINUTES=$2; shift 2 ;;
    --window-minutes) [ $# -ge 2 ] || die "--window-minutes needs a value"; WINDOW_MINUTES=$2; shift 2 ;;
    --rate) [ $# -ge 2 ] || die "--rate needs a value"; RATE=$2; shift 2 ;;
    --nodes) [ $# -ge 2 ] || die "--nodes needs a value"; NODES=$2; shift 2 ;;
    --target) [ $# -ge 2 ] || die "--target needs a value"; TARGET=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
for v in MINUTES WINDOW_MINUTES RATE WARMUP_SECONDS PARTITIONS RECORD_BYTES SEGMENT_BYTES RETENTION_MS \
    RETENTION_BYTES RETENTION_CHECK_MS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || die "$v must be a positive integer, got '${!v}'"
done
[ "$WINDOW_MINUTES" -le "$MINUTES" ] || die "--window-minutes must not exceed --minutes"
case "$NODES" in 1) RF=1; TOPIC_CONFIGS=() ;; 3) RF=3; TOPIC_CONFIGS=(--config min.insync.replicas=2) ;; *) die "--nodes must be 1 or 3" ;; esac
case "$TARGET" in vltava|kafka) ;; *) die "--target must be vltava or kafka" ;; esac
READY_TIMEOUT=${READY_TIMEOUT:-$([ "$NODES" -gt 1 ] && echo 180 || echo 90)}
command -v jstat >/dev/null || die "jstat (JDK) is required"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/brokers.sh
. "$ROOT/bench/brokers.sh"
DRIVER_PID=""
stop_driver() {  # called on exit by bench_exit, before the brokers stop
  [ -n "$DRIVER_PID" ] && kill "$DRIVER_PID" 2>/dev/null && wait "$DRIVER_PID" 2>/dev/null
  return 0
}
bench_work soak

# Each broker writes a GC log of its own (%p: its pid), read for the heap left after each collection.
BROKER_JVM_EXTRA="-Xlog:gc:file=$WORK/gc-%p.log"
VLTAVA_EXTRA_CONF="vltava.topics.log.retention.check.interval.ms = $RETENTION_CHECK_MS"
KAFKA_EXTRA_PROPS="log.retention.check.interval.ms=$RETENTION_CHECK_MS"
brokers_init
# shellcheck source=bench/omb/driver.sh
. "$ROOT/bench/omb/driver.sh"

start_target "$TARGET" "$NODES" || die "$TARGET did not start"
topic_opts=(--topic-config "segment.bytes=$SEGMENT_BYTES" --topic-config "retention.ms=$RETENTION_MS"
  --topic-config "retention.bytes=$RETENTION_BYTES")
[ "$NODES" -gt 1 ] && topic_opts+=(--replication-factor 3 --topic-config min.insync.replicas=2)

SAMPLES=$WORK/samples.tsv   # window node heap_after_gc_mb live_heap_mb heap_used_mb rss_mb fds threads topic_mb other_mb segments mappings
: >"$SAMPLES"
declare -A GC_LINES=()      # GC log lines of each broker already read

# sample WINDOW: one row per broker into SAMPLES.
sample() {
  local w=$1 i pid gc after live maps used rss fds threads total topic segments
  for i in "${!BROKER_PIDS[@]}"; do
    pid=${BROKER_PIDS[$i]}
    kill -0 "$pid" 2>/dev/null || { log "broker node $((i + 1)) (pid $pid) is gone"; continue; }
    gc=$WORK/gc-$pid.log
    # Heap after each collection in this window: "... 412M->37M(1024M) ..."; the lowest is the floor.
    after=$(tail -n +"$(( ${GC_LINES[$pid]:-0} + 1 ))" "$gc" 2>/dev/null \
      | sed -n 's/.*[0-9]M->\([0-9]*\)M(.*/\1/p' | sort -n | head -n 1)
    # A young collection's floor also holds garbage promoted since G1 last marked the old generation
    # (it marks only at 45% occupancy), so it creeps up without a leak. The live heap is what a full
    # collection leaves: one forced here per window (a pause of tens of ms).
    # Mappings before that collection: what a broker that leaves unmapping to the GC piles up shows here.
    maps=$(wc -l <"/proc/$pid/maps" 2>/dev/null || echo -)
    jcmd "$pid" GC.run >/dev/null 2>&1 || true
    live=$(sed -n 's/.*Pause Full.*[0-9]M->\([0-9]*\)M(.*/\1/p' "$gc" 2>/dev/null | tail -n 1)
    GC_LINES[$pid]=$(wc -l <"$gc" 2>/dev/null || echo 0)
    used=$(jstat -gc "$pid" 2>/dev/null | awk 'NR == 1 { for (c = 1; c <= NF; c++) col[$c] = c; next }
      { printf "%.0f", ($col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]) / 1024 }')
    rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
    fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    # The soak topic's partitions, and everything else (Vltava's journal, Kafka's __consumer_offsets).
    total=$(du -sm "${BROKER_DATAS[$i]}" 2>/dev/null | awk '{ print $1 }')
    topic=$(find "${BROKER_DATAS[$i]}" -mindepth 1 -maxdepth 1 -name 'soak-*' -exec du -smc {} + 2>/dev/null | awk 'END { print $1 + 0 }')
    segments=$(find "${BROKER_DATAS[$i]}" -name '*.log' 2>/dev/null | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$((i + 1))" "${after:--}" "${live:--}" "${used:--}" "${rss:--}" \
      "$fds" "${threads:--}" "$topic" "$(( ${total:-0} - topic ))" "$segments" "$maps" >>"$SAMPLES"
  done
}

WINDOWS=$(( MINUTES / WINDOW_MINUTES ))
log "[$TARGET, $NODES node(s)] $RATE records/s: ${WARMUP_SECONDS}s warm-up, then $WINDOWS windows of ${WINDOW_MINUTES} min"
UPTIME_START=$(uptime)
DRIVER_TIMEOUT=$(( WARMUP_SECONDS + MINUTES * 60 + 600 ))
run_driver "$WORK/soak" fixed --bootstrap "$BOOTSTRAP" --topic "soak-$(date +%s)" --keep-topic --partitions "$PARTITIONS" --record-bytes "$RECORD_BYTES" \
  "${topic_opts[@]}" --rate "$RATE" --warmup-seconds "$WARMUP_SECONDS" --seconds $(( WINDOWS * WINDOW_MINUTES * 60 )) \
  --window-seconds $(( WINDOW_MINUTES * 60 )) &
DRIVER_PID=$!
sample 0
seen=0
while kill -0 "$DRIVER_PID" 2>/dev/null || [ "$(grep -c '^WINDOW' "$WORK/soak.out" 2>/dev/null || true)" -gt "$seen" ]; do
  n=$(grep -c '^WINDOW' "$WORK/soak.out" 2>/dev/null || true)
  while [ "${n:-0}" -gt "$seen" ]; do
    seen=$((seen + 1)); sample "$seen"
    log "window $seen of $WINDOWS: $(grep '^WINDOW' "$WORK/soak.out" | sed -n "${seen}p" | cut -c1-160)"
  done
  sleep 1
done
rc=0; wait "$DRIVER_PID" || rc=$?; DRIVER_PID=""
UPTIME_END=$(uptime)
[ "$rc" -eq 0 ] || log "driver exited with $rc (errors or failure; see $WORK/soak.err)"
broker_exited "$TARGET" && { log "a broker died during the soak"; rc=1; }

# ---------------------------------------------------------------- report
# One row per window and broker: the driver's WINDOW fields joined with that broker's sample.
ROWS=$WORK/rows.tsv
awk -F'\t' 'NR == FNR { s[$1 "\t" $2] = $0; nodes[$2] = 1; next }
  /^WINDOW/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    for (n in nodes) if ((f["n"] "\t" n) in s) {
      split(s[f["n"] "\t" n], x, "\t")
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f["n"], n, f["produce_rate"],
        f["consume_rate"], f["produce_p50_ms"], f["produce_p99_ms"], f["produce_p999_ms"], f["e2e_p50_ms"],
        f["e2e_p99_ms"], f["e2e_p999_ms"], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12] } }' \
  "$SAMPLES" FS=' ' "$WORK/soak.out" | sort -n -k1,1 -k2,2 >"$ROWS"

echo
echo "## Soak: $TARGET, $NODES node(s), $RATE records/s of $RECORD_BYTES B, $PARTITIONS partitions, segment.bytes=$SEGMENT_BYTES, retention.ms=$RETENTION_MS, retention.bytes=$RETENTION_BYTES ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
echo
echo "$WINDOWS windows of $WINDOW_MINUTES min after ${WARMUP_SECONDS}s warm-up. Load: before \`${UPTIME_START# }\`; after \`${UPTIME_END# }\`."
echo
echo "| window | node | produced rec/s | consumed rec/s | produce p50 ms | produce p99 ms | produce p99.9 ms | e2e p50 ms | e2e p99 ms | e2e p99.9 ms | heap after young GC MB (min) | live heap MB | heap used MB | RSS MB | open files | threads | topic MB | other data MB | segments | memory mappings |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -F'\t' '{ printf "| %s | %s | %.0f | %.0f |", $1, $2, $3, $4
  for (i = 5; i <= 10; i++) printf " %s |", $i
  for (i = 11; i <= 20; i++) printf " %s |", $i; print "" }' "$ROWS"
echo
echo "Drift (median of the last third of the windows vs the first third, per node):"
echo
echo "| node | metric | first third | last third | ratio | drifted |"
echo "|---:|---|---:|---:|---:|---|"
DRIFT=$WORK/drift.txt
awk -F'\t' -v rate="$RATE" -v drift="$DRIFT" '
  function median(arr, n,    i, j, t) {
    for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j >= 1 && arr[j] > t; j--) arr[j + 1] = arr[j]; arr[j + 1] = t }
    return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2 }
  { rows[$2, $1] = $0; nodes[$2] = 1; if ($1 > windows) windows = $1
    if ($4 + 0 < 0.97 * rate) behind = behind " " $1 }
  END {
    split("6 9 12 15 16 17 18 20", cols, " ")
    split("produce p99 ms|e2e p99 ms|live heap MB|open files|threads|topic MB|other data MB|memory mappings", names, "|")
    split("5 5 64 100 10 100 100 1000", margins, " ")
    third = int(windows / 3); if (third < 1) third = 1
    for (node in nodes) for (m = 1; m <= 8; m++) {
      nf = 0; nl = 0; delete first; delete last
      for (w = 1; w <= windows; w++) {
        if (!((node, w) in rows)) continue
        split(rows[node, w], r, "\t"); v = r[cols[m]]
        if (v !~ /^[0-9.]+$/) continue
        if (w <= third) first[++nf] = v + 0
        if (w > windows - third) last[++nl] = v + 0
      }
      if (nf == 0 || nl == 0) { printf "| %s | %s | - | - | - | no data |\n", node, names[m]; continue }
      a = median(first, nf); b = median(last, nl)
      d = (b > 1.5 * a && b - a > margins[m]) ? "**yes**" : "no"
      if (d != "no") print "node " node ": " names[m] " " a " -> " b >> drift
      printf "| %s | %s | %s | %s | %s | %s |\n", node, names[m], a, b, (a > 0 ? sprintf("%.2f", b / a) : "-"), d }
    if (behind != "") print "consumed less than 97% of the rate in window(s)" behind >> drift
  }' "$ROWS"
echo
if [ -s "$DRIFT" ]; then
  echo "Drift: $(paste -sd ';' "$DRIFT")"
  rc=1
elif [ "$(wc -l <"$ROWS")" -eq 0 ]; then
  echo "No windows were measured."
  rc=1
else
  echo "No drift: latency, live heap, open files, threads and data size stayed within bounds, and every window kept up with the rate."
fi
exit "$rc"
