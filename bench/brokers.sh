# Broker lifecycle shared by bench/kafka-perf.sh, bench/omb.sh, bench/soak.sh and bench/scale.sh
# (sourced, not run):
# start one or three Vltava nodes or Apache Kafka 4.3.1 KRaft brokers on free loopback ports with
# fresh data dirs, wait until they answer, stop them.
#
# The sourcing script sets ROOT (repo root), RF (replication factor of the readiness probe topic),
# TOPIC_CONFIGS (array, configs of that topic), READY_TIMEOUT (seconds), and defines log and die;
# then calls bench_work NAME (its temp dir WORK) and brokers_init once. start_target TARGET NODES starts a target and
# sets BOOTSTRAP, BROKER_PIDS, BROKER_LOGS and BROKER_DATAS; stop_brokers stops it. Optional, read at start:
#   BROKER_HEAP          -Xms/-Xmx of each broker (default 1g)
#   BROKER_JVM_EXTRA     more JVM options for each broker, space-separated (e.g. a GC log)
#   KAFKA_EXTRA_PROPS    lines appended to each Kafka server.properties
#   VLTAVA_EXTRA_CONF    lines appended to the Vltava config file
#   STOP_TIMEOUT         seconds stop_brokers gives the brokers to exit on TERM (default 15)

BROKER_PIDS=()   # pids of the running target's broker processes (1 or 3), in node order
BROKER_LOGS=()   # their log files, same order
BROKER_DATAS=()  # their data dirs, same order
BOOTSTRAP=""     # their client addresses, comma-separated

# bench_work NAME: a fresh temp dir in WORK; on exit the brokers are stopped (after the sourcing
# script's stop_driver, if it defines one) and WORK is removed, or kept with KEEP_WORK=1.
bench_work() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/vltava-$1.XXXXXX")
  trap bench_exit EXIT
  trap 'exit 130' INT TERM
}
bench_exit() {
  if declare -F stop_driver >/dev/null; then stop_driver; fi
  stop_brokers
  if [ "${KEEP_WORK:-0}" = 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}

# brokers_init: resolve the Kafka 4.3.1 classpath (bench/kafka/pom.xml, cached in its target/) and
# set KAFKA_CP, LOG4J, TOOL_JAVA (a java command line for Kafka's tools) and BROKER_JVM.
brokers_init() {
  local bench=$ROOT/bench/kafka cp_file=$ROOT/bench/kafka/target/classpath.txt
  if [ ! -s "$cp_file" ] || [ "$bench/pom.xml" -nt "$cp_file" ]; then
    log "resolving the Kafka 4.3.1 classpath (bench/kafka/pom.xml)"
    mkdir -p "$bench/target"
    mvn -q -B -f "$bench/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" >"$WORK/mvn-cp.log" 2>&1 \
      || { cat "$WORK/mvn-cp.log" >&2; die "could not resolve the Kafka classpath"; }
  fi
  KAFKA_CP=$(cat "$cp_file")
  LOG4J="-Dlog4j2.configurationFile=$bench/log4j2.properties"
  TOOL_JAVA=(java "-Xmx${TOOL_HEAP:-1g}" "$LOG4J" -Dbench.log.level=WARN -cp "$KAFKA_CP")
  # Same JVM settings for both brokers.
  # shellcheck disable=SC2206
  BROKER_JVM=("-Xms${BROKER_HEAP:-1g}" "-Xmx${BROKER_HEAP:-1g}" -XX:+UseG1GC -Djava.awt.headless=true ${BROKER_JVM_EXTRA:-})
  write_admin_config
}

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
# stop_brokers: TERM all brokers at once, give them STOP_TIMEOUT seconds together, then KILL
# whatever is left.
stop_brokers() {
  [ "${#BROKER_PIDS[@]}" -gt 0 ] || return 0
  local pids=("${BROKER_PIDS[@]}") pid i
  BROKER_PIDS=()
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for i in $(seq 1 $(( 2 * ${STOP_TIMEOUT:-15} ))); do any_alive "${pids[@]}" || break; sleep 0.5; done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      log "broker pid $pid did not stop in ${STOP_TIMEOUT:-15}s; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
show_log() {  # show_log FILE: the last lines of a broker log, for an error report
  echo "----- last lines of $1 -----" >&2; tail -n 40 "$1" >&2 || true
}
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
${KAFKA_EXTRA_PROPS:-}
EOF
    timeout 120 "${TOOL_JAVA[@]}" kafka.tools.StorageTool format "${fmt[@]}" \
        --config "$props" --cluster-id "$cid" >>"${logs[$i]}" 2>&1 \
      || { tail -n 20 "${logs[$i]}" >&2; log "kafka-storage format of node $((i + 1)) failed"; return 1; }
  done
  launch_kafka "$n" "$4"
}

# launch_kafka N LOGFILES: starts the N Kafka nodes start_kafka configured and formatted (again after
# a stop: their data stays).
launch_kafka() {
  local n=$1 i
  local -n klogs=$2
  for i in $(seq 0 $((n - 1))); do
    java "${BROKER_JVM[@]}" "$LOG4J" -Dbench.log.level=INFO -cp "$KAFKA_CP" kafka.Kafka \
      "$WORK/kafka-server-$((i + 1)).properties" >>"${klogs[$i]}" 2>&1 &
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
  printf 'vltava.groups.group.initial.rebalance.delay.ms = 0\n%s\n' "${VLTAVA_EXTRA_CONF:-}" >"$WORK/vltava.conf"
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

# start_target TARGET NODES: start NODES (1 or 3) brokers of TARGET (vltava|kafka) with data dirs and
# logs under $WORK/TARGET-*, wait until ready; sets BOOTSTRAP and BROKER_DATAS. On failure stops them and returns 1.
start_target() {
  local tgt=$1 nodes=$2 i all node_ports=() node_cports=() node_datas=() node_logs=()
  read -r -a all <<<"$(free_ports $((2 * nodes)))"
  [ "${#all[@]}" -eq $((2 * nodes)) ] || { log "no free ports for $tgt"; return 1; }
  node_ports=("${all[@]:0:nodes}"); node_cports=("${all[@]:nodes}")
  BOOTSTRAP=""
  for i in $(seq 1 "$nodes"); do
    if [ "$nodes" -eq 1 ]; then node_datas+=("$WORK/$tgt-data"); node_logs+=("$WORK/$tgt-broker.log")
    else node_datas+=("$WORK/$tgt-data-$i"); node_logs+=("$WORK/$tgt-broker-$i.log"); fi
    rm -rf "${node_datas[$((i - 1))]}"; mkdir -p "${node_datas[$((i - 1))]}"; : >"${node_logs[$((i - 1))]}"
    BOOTSTRAP+="${BOOTSTRAP:+,}127.0.0.1:${node_ports[$((i - 1))]}"
  done
  BROKER_PIDS=(); BROKER_LOGS=("${node_logs[@]}"); BROKER_DATAS=("${node_datas[@]}")
  log "=== $tgt: starting $nodes broker(s) on $BOOTSTRAP (data ${node_datas[*]}, logs ${node_logs[*]})"
  case "$tgt" in
    kafka) start_kafka node_ports node_cports node_datas node_logs || { stop_brokers; return 1; } ;;
    vltava) start_vltava node_ports node_cports node_datas node_logs || { stop_brokers; return 1; } ;;
    *) log "unknown target $tgt"; return 1 ;;
  esac
  if ! wait_ready "$tgt" "$BOOTSTRAP" "${node_ports[@]}"; then stop_brokers; return 1; fi
}
