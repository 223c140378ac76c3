#!/usr/bin/env bash
# Builds Slotkeeper with the bench module and runs every benchmark, printing one markdown table
# and writing it to slotkeeper-bench/RESULTS.md.
#
#   slotkeeper-bench/run.sh            the issue's sizes (about 6 minutes on 2 cores)
#   slotkeeper-bench/run.sh --quick    small sizes, for trying things out (about 2 minutes)
#
# Any other argument goes to the harness (io.slotkeeper.bench.BenchMain), e.g. --only=catchup,latency.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"

results="$here/RESULTS.md"
for a in "$@"; do
  # A quick or partial run must not overwrite the full run's table.
  case "$a" in
    --quick|--only=*|--catchup-rows=*|--catchup-runs=*|--memory-rows=*) results="$here/target/RESULTS-partial.md" ;;
  esac
done

# slotkeeper-cli (the program) and slotkeeper-bench-debezium (the Debezium peer's class path) are
# started as child processes by --only=peers.
mvn -B -q -Pbench -pl slotkeeper-bench,slotkeeper-cli,slotkeeper-bench-debezium -am -DskipTests package
mkdir -p "$here/target"
cd "$here"
exec java -Xms1g -Xmx1g -cp "target/classes:target/lib/*" io.slotkeeper.bench.BenchMain \
  --results="$results" "$@"
