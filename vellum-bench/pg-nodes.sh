#!/usr/bin/env bash
# Starts N Vellum nodes on one PostgreSQL schema, for `bench ingest --url a,b,c` (docs/benchmarks.md,
# "1, 2 and 3 nodes on one database"). Each node gets its own data dir under WORKDIR and port
# BASE_PORT+i; the first node creates the log key, the others sign with the same file.
#
#   vellum-bench/pg-nodes.sh N SCHEMA [WORKDIR] [BASE_PORT]     prints the --url list on stdout
#   kill $(cat WORKDIR/*.pid)                                   stops them (SIGTERM, graceful)
#
# Uses vellum-server/target/vellum.jar (build it first: ./mvnw -B -o package -DskipTests) and
# VELLUM_POSTGRES_URL / _USER / _PASSWORD[_FILE] (default: the local test server), a high rate limit
# and the bootstrap key $VELLUM_KEY (default below) so that the bench is never throttled.
set -euo pipefail
n="${1:?number of nodes}"; schema="${2:?PostgreSQL schema (a fresh one per measurement)}"
work="${3:-/tmp/vellum-pg-nodes-$schema}"; base="${4:-18100}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/vellum-server/target/vellum.jar"
[ -f "$jar" ] || { echo "pg-nodes.sh: $jar is missing: ./mvnw -B -o package -DskipTests" >&2; exit 2; }
export VELLUM_STORE=postgres VELLUM_POSTGRES_SCHEMA="$schema"
export VELLUM_POSTGRES_URL="${VELLUM_POSTGRES_URL:-jdbc:postgresql://127.0.0.1:5432/test}"
export VELLUM_POSTGRES_USER="${VELLUM_POSTGRES_USER:-postgres}"
export VELLUM_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 VELLUM_RATE_LIMIT_BURST=1000000
export VELLUM_BOOTSTRAP_KEY="${VELLUM_KEY:-vk_bench_0123456789abcdef0123456789}"
opts="${VELLUM_JAVA_OPTS:--Xmx512m -XX:+UseParallelGC -XX:NewRatio=1}"
mkdir -p "$work"
urls=()
for i in $(seq 1 "$n"); do
  port=$((base + i)); data="$work/node$i"
  if [ "$i" -gt 1 ]; then
    export VELLUM_LOG_SIGNING_KEY_FILE="$work/node1/log-signing.key"
  fi
  # shellcheck disable=SC2086 # opts is a list of JVM flags
  java $opts -jar "$jar" serve --host 127.0.0.1 --port "$port" --data-dir "$data" \
    >"$work/node$i.log" 2>&1 &
  echo $! >"$work/node$i.pid"
  # one at a time: the first migrates the schema and writes the key the others read
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
    kill -0 "$(cat "$work/node$i.pid")" 2>/dev/null || { cat "$work/node$i.log" >&2; exit 1; }
    sleep 0.5
  done
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null \
    || { echo "pg-nodes.sh: node $i not ready, see $work/node$i.log" >&2; exit 1; }
  urls+=("http://127.0.0.1:$port")
done
(IFS=,; echo "${urls[*]}")
