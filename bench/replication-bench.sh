#!/usr/bin/env bash
# Follower catch-up benchmark: builds the jar, compiles bench/replication/CatchUpBenchmark.java against it, runs it.
# Usage: bench/replication-bench.sh [MiB to catch up, default 256]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
mkdir -p bench/work
javac -cp target/vltava.jar -d bench/work bench/replication/CatchUpBenchmark.java
java --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx2g \
  -Dlogback.configurationFile=/dev/null -cp target/vltava.jar:bench/work io.vltava.bench.CatchUpBenchmark "$@" 2>&1 | grep '^|'
