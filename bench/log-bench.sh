#!/usr/bin/env bash
# Log append/read benchmark: builds the jar, compiles bench/log/LogBenchmark.java against it, runs it.
# Usage: bench/log-bench.sh [MiB per batch size, default 1024]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
mkdir -p bench/work
javac -cp target/vltava.jar -d bench/work bench/log/LogBenchmark.java
java --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx1g \
  -cp target/vltava.jar:bench/work io.vltava.bench.LogBenchmark "$@"
