# The OMB-shaped driver (bench/omb/OmbDriver.java) for bench/omb.sh and bench/soak.sh (sourced, not
# run). Needs brokers_init (bench/brokers.sh) first: compiles the driver against Kafka's classpath
# into $WORK/omb-classes.
#   run_driver OUT MODE ARGS...   runs the driver; stdout to OUT.out, stderr to OUT.err; bounded
#                                 by DRIVER_TIMEOUT seconds (default 7200)
#   result_field FILE KEY         a value from the RESULT line of a driver's stdout

javac -d "$WORK/omb-classes" -cp "$KAFKA_CP" "$ROOT/bench/omb/OmbDriver.java" 2>"$WORK/javac.log" \
  || { cat "$WORK/javac.log" >&2; die "could not compile bench/omb/OmbDriver.java"; }

run_driver() {
  local out=$1; shift
  if ! timeout "${DRIVER_TIMEOUT:-7200}" java "-Xmx${DRIVER_HEAP:-1g}" "$LOG4J" -Dbench.log.level=WARN \
      -cp "$WORK/omb-classes:$KAFKA_CP" OmbDriver "$@" >"$out.out" 2>"$out.err"; then
    tail -n 20 "$out.err" >&2
    log "driver $1 failed or timed out (output in $out.out / $out.err)"
    return 1
  fi
}

result_field() {
  sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1" | tail -n 1
}
