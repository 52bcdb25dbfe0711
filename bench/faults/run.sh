#!/usr/bin/env bash
# Jepsen-style fault suite: 3 Vltava nodes from target/vltava.jar on loopback, an idempotent acks=all
# VerifiableProducer into a topic with RF 3 and min.insync.replicas=2, faults (SIGKILL, SIGSTOP,
# network partitions, sequences), then after healing: every node's own view of members, controller
# and ISR, a full read with VerifiableConsumer, a check for lost/duplicated/reordered acknowledged
# records, and byte-identical replicas. Exit 0 only if all of that holds.
#
#   bench/faults/run.sh                 short run (the CI run: one of each fault kind, a few minutes)
#   bench/faults/run.sh --long [N]      N (default 100) faults drawn at random from every kind
#   --seed S   random seed (default: time)      --rate R   producer records/s (default 300)
#   --only "F..."   run just these faults, in order (space-separated; separate with commas instead
#                   when a fault takes an argument: "fault_isolate leader,fault_disk_full")
#   --instance N    a second (third...) suite beside a running one: ports +10*(N-1), its own
#                   iptables chain, cgroup and run directory (default 1)
#   --disk-mb M     size of each node's tmpfs data dir (default 512)
#
# Partitions are iptables rules on loopback: each node runs in its own cgroup (v2) and a rule drops
# that cgroup's packets to another node's cluster and Kafka ports; clients reach every node. Each
# node's data dir is a tmpfs of its own, so a full disk is real: fault_disk_full shrinks the
# leader's tmpfs to what it holds (every new block fails with ENOSPC) and gives the space back.
# Needs root, iptables and a cgroup2 mount. Every rule, cgroup and mount is removed on exit. Logs
# stay in target/faults/run-<time>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=short faults=0 seed=$(date +%s) rate=300 only="" instance=1 disk_mb=512
while [ $# -gt 0 ]; do
  case $1 in
    --long) mode=long; faults=100; if [[ ${2:-} =~ ^[0-9]+$ ]]; then faults=$2; shift; fi ;;
    --seed) seed=$2; shift ;;
    --rate) rate=$2; shift ;;
    --only) mode=only; only=$2; shift ;;
    --instance) instance=$2; shift ;;
    --disk-mb) disk_mb=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $instance =~ ^[1-9]$ ]] || { echo "--instance takes 1 to 9" >&2; exit 2; }
RANDOM=$seed

[ -f target/vltava.jar ] || mvn -B -q package -DskipTests
[ -f target/kafka-tools.classpath ] || mvn -B -q -f bench/kafka/pom.xml dependency:build-classpath \
  -Dmdep.outputFile="$PWD/target/kafka-tools.classpath"
tools_cp=$(cat target/kafka-tools.classpath)
command -v iptables > /dev/null || { echo "iptables is required (apt-get install iptables)" >&2; exit 2; }
cgroup_root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$cgroup_root" ] || { echo "a cgroup2 mount is required" >&2; exit 2; }

# Instance 1 keeps the historical names and ports; instance N shifts every one of them.
suffix=$([ "$instance" = 1 ] || echo "-i$instance")
run=target/faults/run$suffix-$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$run"
run=$(cd "$run" && pwd)
topic=faults
kafka_port() { echo $((19390 + 10 * (instance - 1) + $1)); }
cluster_port() { echo $((25690 + 10 * (instance - 1) + $1)); }
servers=127.0.0.1:$(kafka_port 1),127.0.0.1:$(kafka_port 2),127.0.0.1:$(kafka_port 3)
chain=VLTAVA_FAULTS$([ "$instance" = 1 ] || echo "_$instance")
cgroup=vltava-faults$suffix-$$

log() { echo "$(date -u +%H:%M:%S) $*" | tee -a "$run/run.log"; }
now_ms() { date +%s%3N; }
javac -d "$run/classes" -cp "$tools_cp" bench/faults/FaultTool.java
tool() { java -cp "$run/classes:$tools_cp" FaultTool "$@"; }

# ---- the nodes, each under a supervisor that restarts it at once unless it exits 2 or 3 or is held
supervise() {
  local n=$1 rc
  mkdir -p "$cgroup_root/$cgroup/node-$n"
  echo "$BASHPID" > "$cgroup_root/$cgroup/node-$n/cgroup.procs"
  while [ ! -e "$run/stop" ]; do
    while [ -e "$run/hold-$n" ]; do sleep 0.1; done
    java -Xmx384m -jar target/vltava.jar broker --node-id "$n" --port "$(kafka_port "$n")" \
      --cluster-port "$(cluster_port "$n")" --http-port 0 --cluster-size 3 \
      --seed 127.0.0.1:"$(cluster_port 1)" --seed 127.0.0.1:"$(cluster_port 2)" --seed 127.0.0.1:"$(cluster_port 3)" \
      --data-dir "$run/node-$n" >> "$run/node-$n.log" 2>&1 &
    echo $! > "$run/pid-$n"
    rc=0
    { wait $! 2> /dev/null; } || rc=$?
    echo "=== node $n exited with $rc" >> "$run/node-$n.log"
    case $rc in 2|3) log "node $n exited with $rc: not restarted"; return ;; esac
  done
}
pid() { cat "$run/pid-$1"; }

cleanup() {
  trap - EXIT INT TERM
  touch "$run/stop"
  for n in 1 2 3; do kill -CONT "$(pid "$n")" 2>/dev/null || true; kill -TERM "$(pid "$n")" 2>/dev/null || true; done
  [ -n "${producer:-}" ] && kill -TERM "$producer" 2>/dev/null || true
  wait 2>/dev/null || true
  iptables -D OUTPUT -j "$chain" 2>/dev/null || true
  iptables -F "$chain" 2>/dev/null || true
  iptables -X "$chain" 2>/dev/null || true
  for n in 1 2 3; do rmdir "$cgroup_root/$cgroup/node-$n" 2>/dev/null || true; done
  rmdir "$cgroup_root/$cgroup" 2>/dev/null || true
  for n in 1 2 3; do mountpoint -q "$run/node-$n" && umount "$run/node-$n" || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

iptables -N "$chain"
iptables -I OUTPUT -j "$chain"
for n in 1 2 3; do
  mkdir -p "$run/node-$n"
  mount -t tmpfs -o "size=${disk_mb}m" "vltava-faults$suffix-node-$n" "$run/node-$n"
done

# ---- faults; each appends "START_MS END_MS NAME" to faults.log
record() { echo "$1 $(now_ms) $2" >> "$run/faults.log"; log "fault done: $2"; }
roles() { tool view "127.0.0.1:$(kafka_port "$1")" "$topic"; }
leader() { roles 1 | sed -n 's/.* leader=\([0-9]\).*/\1/p'; }
controller() { roles 1 | sed -n 's/.* controller=\([0-9]\).*/\1/p'; }
pick() { local v; v=$("$@"); [[ $v =~ ^[1-3]$ ]] && echo "$v" || echo $((RANDOM % 3 + 1)); }

sever() { # sever A B: no cluster or Kafka traffic between nodes A and B (both directions)
  local a=$1 b=$2
  iptables -A "$chain" -p tcp -m cgroup --path "$cgroup/node-$a" -m multiport --dports "$(cluster_port "$b"),$(kafka_port "$b")" -j DROP
  iptables -A "$chain" -p tcp -m cgroup --path "$cgroup/node-$b" -m multiport --dports "$(cluster_port "$a"),$(kafka_port "$a")" -j DROP
}
heal() { iptables -F "$chain"; }
others() { local n; for n in 1 2 3; do [ "$n" != "$1" ] && echo "$n"; done; }

kill_node() { kill -KILL "$(pid "$1")" 2>/dev/null || true; }
fault_kill() { local n start; n=$(pick "${1:-leader}"); start=$(now_ms); log "SIGKILL node $n (${1:-leader})"; kill_node "$n"; record "$start" "kill-${1:-leader}-$n"; }
fault_pause() {
  local n start; n=$(pick leader); start=$(now_ms); log "SIGSTOP node $n (leader) for 15 s"
  kill -STOP "$(pid "$n")"; sleep 15; kill -CONT "$(pid "$n")"; record "$start" "pause-leader-$n-15s"
}
fault_isolate() {
  local role=$1 n o start; n=$(pick "$role"); start=$(now_ms); log "isolate node $n ($role) for 15 s"
  for o in $(others "$n"); do sever "$n" "$o"; done
  sleep 15; heal; record "$start" "isolate-$role-$n-15s"
}
fault_bridge() {
  local mid a b start; mid=$(pick leader); read -r a b <<< "$(others "$mid" | xargs)"; start=$(now_ms)
  log "non-transitive partition: $a and $b cut, both reach $mid, for 15 s"
  sever "$a" "$b"; sleep 15; heal; record "$start" "bridge-via-$mid-15s"
}
fault_two_kills() {
  local gap=$((RANDOM % ${1:-61})) a b start; a=$(pick leader); b=$(( (a % 3) + 1 )); start=$(now_ms)
  log "SIGKILL node $a, $gap s later node $b"
  kill_node "$a"; sleep "$gap"; kill_node "$b"; record "$start" "two-kills-$a-$b-gap-${gap}s"
}
fault_kill_during_restart() {
  local n start; n=$(pick leader); start=$(now_ms); log "SIGKILL node $n, and again 4 s into its restart"
  kill_node "$n"; sleep 5; kill_node "$n"; record "$start" "kill-during-restart-$n"
}
fault_kill_all() {
  local order n start; order=$(printf '%s\n' 1 2 3 | awk -v s="$RANDOM" 'BEGIN{srand(s)} {print rand() " " $0}' | sort | cut -d' ' -f2 | xargs)
  start=$(now_ms); log "SIGKILL all nodes, restart in order $order"
  for n in 1 2 3; do touch "$run/hold-$n"; kill_node "$n"; done
  sleep 3
  for n in $order; do rm -f "$run/hold-$n"; sleep $((RANDOM % 5 + 1)); done
  record "$start" "kill-all-restart-$(echo "$order" | tr -d ' ')"
}
fault_disk_full() { # the leader's disk full for 15 s: its tmpfs shrunk to what it holds, then given back
  local n start used; n=$(pick leader); start=$(now_ms); log "disk of node $n (leader) full for 15 s"
  used=$(df --output=used -k "$run/node-$n" | tail -1 | tr -d ' ')
  for attempt in $(seq 20); do # what it holds may grow between df and the remount
    mount -o "remount,size=${used}k" "$run/node-$n" 2> /dev/null && break
    used=$((used + 64))
  done
  sleep 15; mount -o "remount,size=${disk_mb}m" "$run/node-$n"; record "$start" "disk-full-$n-15s"
}

all_faults=(fault_kill "fault_kill controller" fault_pause "fault_isolate leader" "fault_isolate controller"
  fault_bridge fault_two_kills fault_kill_during_restart fault_kill_all fault_disk_full)
if [ "$mode" = only ]; then
  if [[ $only == *,* ]]; then IFS=, read -r -a schedule <<< "$only"; else read -r -a schedule <<< "$only"; fi
  for fault in "${schedule[@]}"; do
    declare -F "${fault%% *}" > /dev/null || { echo "unknown fault: $fault" >&2; exit 2; }
  done
elif [ "$mode" = short ]; then
  # One of each kind, the two-kill gap bounded so the run stays short.
  schedule=(fault_kill fault_pause "fault_isolate leader" "fault_isolate controller" fault_bridge "fault_two_kills 21"
    fault_kill_during_restart fault_kill_all fault_disk_full)
else
  schedule=()
  for ((i = 0; i < faults; i++)); do schedule+=("${all_faults[RANDOM % ${#all_faults[@]}]}"); done
fi

# ---- run
log "run $run, mode $mode, seed $seed, ${#schedule[@]} faults"
for n in 1 2 3; do supervise "$n" & sleep 1; done
for attempt in $(seq 30); do
  java -cp "$tools_cp" org.apache.kafka.tools.TopicCommand --bootstrap-server "$servers" --create --if-not-exists \
    --topic "$topic" --partitions 1 --replication-factor 3 --config min.insync.replicas=2 >> "$run/run.log" 2>&1 && break
  sleep 2
done
tool await-healthy 120 "$topic" "127.0.0.1:$(kafka_port 1)" "127.0.0.1:$(kafka_port 2)" "127.0.0.1:$(kafka_port 3)" | tee -a "$run/run.log"

# VerifiableProducer sets retries=0 unless told: an idempotent producer needs them.
printf 'enable.idempotence=true\nretries=2147483647\ndelivery.timeout.ms=120000\n' > "$run/producer.properties"
java -cp "$tools_cp" org.apache.kafka.tools.VerifiableProducer --bootstrap-server "$servers" --topic "$topic" \
  --throughput "$rate" --max-messages $((rate * (60 + 75 * ${#schedule[@]}))) --acks -1 \
  --command-config "$run/producer.properties" > "$run/producer.jsonl" 2> "$run/producer.err" &
producer=$!
sleep 10
kill -0 "$producer" 2> /dev/null || { log "the producer failed: $(head -3 "$run/producer.err")"; exit 1; }
touch "$run/faults.log"
for fault in "${schedule[@]}"; do
  $fault
  tool await-healthy 120 "$topic" "127.0.0.1:$(kafka_port 1)" "127.0.0.1:$(kafka_port 2)" "127.0.0.1:$(kafka_port 3)" \
    | tee -a "$run/run.log" || log "not healthy 120 s after $fault"
  sleep 5
done
kill -TERM "$producer"; wait "$producer" || true; producer=

# ---- after healing: every node's own view, the full read, byte-identical replicas
status=0
log "views after healing:"
tool await-healthy 120 "$topic" "127.0.0.1:$(kafka_port 1)" "127.0.0.1:$(kafka_port 2)" "127.0.0.1:$(kafka_port 3)" \
  | tee -a "$run/run.log" || status=1
tool view "127.0.0.1:$(kafka_port 1)" "127.0.0.1:$(kafka_port 2)" "127.0.0.1:$(kafka_port 3)" "$topic" | tee -a "$run/run.log"
# Offsets are contiguous (one idempotent producer, no transactions), so the log end offset is the record count.
end=$(java -cp "$tools_cp" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$servers" --topic "$topic" | cut -d: -f3)
log "log end offset $end"
timeout 180 java -cp "$tools_cp" org.apache.kafka.tools.VerifiableConsumer --bootstrap-server "$servers" --topic "$topic" \
  --group-id "check-$$" --reset-policy earliest --max-messages "$end" --verbose > "$run/consumer.jsonl" 2> "$run/consumer.err" || true
tool check "$run/producer.jsonl" "$run/consumer.jsonl" "$run/faults.log" | tee "$run/report.txt" || status=1

touch "$run/stop"
for n in 1 2 3; do kill -TERM "$(pid "$n")"; done
wait_nodes() { local n; for n in 1 2 3; do while kill -0 "$(pid "$n")" 2>/dev/null; do sleep 0.2; done; done; }
wait_nodes
digests=$(for n in 1 2 3; do cat "$run/node-$n/$topic-0"/*.log | sha256sum | cut -c1-16; done | sort -u | wc -l)
for n in 1 2 3; do echo "node $n replica: $(cat "$run/node-$n/$topic-0"/*.log | wc -c) bytes, sha256 $(cat "$run/node-$n/$topic-0"/*.log | sha256sum | cut -c1-16)"; done | tee -a "$run/report.txt"
if [ "$digests" = 1 ]; then echo "replicas byte-identical: yes" | tee -a "$run/report.txt"; else echo "replicas byte-identical: NO" | tee -a "$run/report.txt"; status=1; fi
echo "result: $([ $status = 0 ] && echo PASS || echo FAIL) (logs in $run)" | tee -a "$run/report.txt"
exit $status
