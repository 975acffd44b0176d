#!/usr/bin/env bash
# Measures every target of docs/benchmarks.md in one go against a fresh node, and writes one
# JSON file per measurement into an output directory. Takes about an hour for 10 M events on
# two cores; nothing else should run on the machine meanwhile.
#
#   vellum-bench/targets.sh [--events N] [--out DIR] [--data-dir DIR]
#
# Builds the server and bench jars when they are missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/vellum-server/target/vellum.jar"
bench_jar="$root/vellum-bench/target/vellum-bench.jar"
events=10000000
out="$root/vellum-bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
data=/tmp/vellum-targets
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --data-dir) data="$2"; shift 2 ;;
    *) echo "usage: $0 [--events N] [--out DIR] [--data-dir DIR]" >&2; exit 2 ;;
  esac
done
if [ ! -f "$jar" ] || [ ! -f "$bench_jar" ]; then
  (cd "$root" && ./mvnw -B -q -DskipTests -pl vellum-bench -am package)
fi
first=$(( events < 2000000 ? events : 2000000 ))
port=18080
url="http://127.0.0.1:$port"
export VELLUM_KEY="vk_targets_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
bench() { java -Xmx1g -jar "$bench_jar" "$@" --url "$url" --json; }
mkdir -p "$out"
rm -rf "$data"
if curl -s -o /dev/null "$url/health/live"; then
  echo "something already answers on port $port; stop it first" >&2
  exit 1
fi

# the node as bin/vellum runs it, without rate limits, with its resident size sampled every 10 s
VELLUM_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 VELLUM_RATE_LIMIT_BURST=1000000 \
VELLUM_BOOTSTRAP_KEY="$VELLUM_KEY" \
  java -Xmx768m -XX:+UseParallelGC -jar "$jar" serve --host 127.0.0.1 --port "$port" \
  --data-dir "$data" > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "$url/health/ready" > /dev/null; do
  kill -0 $server 2>/dev/null || { echo "the node did not start; see $out/server.log" >&2; exit 1; }
  sleep 0.5
done
( while kill -0 $server 2>/dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/ {print $2}' /proc/$server/status)"; sleep 10
  done ) > "$out/rss-kib.txt" &

indexed() { curl -sf "$url/metrics" | awk '/^vellum_search_index_lag_events / {print $2}'; }
wait_indexed() { until [ "$(indexed)" = "0.0" ]; do sleep 2; done; }

echo "ingest: first $first events, with the raw-SQLite baseline" >&2
bench ingest --events "$first" --batch 500 --concurrency 8 --baseline raw-sqlite \
  --baseline-events "$first" > "$out/ingest-first.json"
if [ "$events" -gt "$first" ]; then
  echo "ingest: the remaining $((events - first)) events" >&2
  bench ingest --events $((events - first)) --batch 500 --concurrency 8 --pool-mib 128 \
    > "$out/ingest-rest.json"
fi
wait_indexed
rate=$(python3 -c "import json; print(int(json.load(open('$out/ingest-first.json'))['events_per_s'] / 2))")

echo "proofs and queries at $events events (a short run first warms the JIT)" >&2
bench proof --duration 10s --concurrency 1 > /dev/null
bench proof --duration 30s --concurrency 1 > "$out/proof-c1.json"
bench proof --duration 30s --concurrency 4 > "$out/proof-c4.json"
bench query --duration 10s --concurrency 1 > /dev/null
bench query --duration 30s --concurrency 1 > "$out/query-c1.json"
bench query --duration 30s --concurrency 4 > "$out/query-c4.json"

echo "single-event requests from 64 clients, then batches at half the measured rate" >&2
bench ingest --duration 40s --warmup 10s --batch 1 --concurrency 64 --pool-mib 16 \
  > "$out/ingest-single-64.json"
bench ingest --duration 60s --warmup 10s --rate "$rate" --batch 500 --concurrency 8 \
  --pool-mib 16 > "$out/ingest-half-rate.json"
wait_indexed

kill -TERM $server
wait $server || true
trap - EXIT
java -Xmx1g -jar "$jar" verify --data-dir "$data" --json > "$out/verify.json" || true
du -b "$data/vellum.db" "$data/search.db" > "$out/disk-bytes.txt"
echo "results in $out" >&2
