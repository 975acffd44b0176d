#!/usr/bin/env bash
# The issue-10 measurement (docs/benchmarks.md, round 5): a separate server process, EVENTS events
# (default 10 M) at full ingest spread over 30 days with visibility probes, RSS sampled every
# second; then a restart on the same data dir, a warm-up and the query runs (1, 2, 4 clients; stats
# over 30 days with 4 and 1). Results, one JSON file per step, land in WORKDIR (default /tmp/m10).
#
#   vellum-bench/ten-million.sh [WORKDIR]    EVENTS=1000000 ARCHIVE=true SERVER_JAVA_OPTS=-Xmx768m to change the run
#
# Uses vellum-server/target/vellum.jar and vellum-bench/target/vellum-bench.jar (build them first:
# ./mvnw -B -o package -DskipTests). The archive is off unless ARCHIVE=true (see the doc: events
# spread over 30 days make a seal write a file per type and day).
set -uo pipefail
work="${1:-/tmp/m10}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/vellum-server/target/vellum.jar"
bench=(java -Xmx1g -jar "$root/vellum-bench/target/vellum-bench.jar")
url=http://127.0.0.1:18092
export VELLUM_KEY=vk_bench_0123456789abcdef0123456789 VELLUM_BOOTSTRAP_KEY=vk_bench_0123456789abcdef0123456789
export VELLUM_ARCHIVE_ENABLED="${ARCHIVE:-false}"
export VELLUM_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 VELLUM_RATE_LIMIT_BURST=1000000
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" # as bin/vellum

serve() { # serve LOG RSSFILE: starts the server, waits until ready, samples its RSS in the background
  java ${SERVER_JAVA_OPTS:--Xmx512m -XX:+UseParallelGC -XX:NewRatio=1} -jar "$jar" serve --host 127.0.0.1 --port 18092 \
    --data-dir "$work/data" >"$work/$1" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "$url/health/ready" >/dev/null && break; sleep 1; done
  (while kill -0 "$server" 2>/dev/null; do
     echo "$(date +%s) $(awk '/^(VmRSS|RssAnon|RssFile)/ {printf "%s ", $2}' "/proc/$server/status")" \
       >>"$work/$2"; sleep 1
   done) &
}

rm -rf "$work" && mkdir -p "$work"
serve server.log rss-ingest.txt
uptime >"$work/uptime.txt"
"${bench[@]}" ingest --url "$url" --events "${EVENTS:-10000000}" --batch 500 --concurrency 8 \
  --spread 30d --probe-visibility --watch-lag search-index --json >"$work/ingest.json"
uptime >>"$work/uptime.txt"
du -sb "$work/data/search-index" >"$work/index-bytes.txt"
kill "$server"; wait "$server" 2>/dev/null

serve server-queries.log rss-query.txt
"${bench[@]}" query --url "$url" --duration 20s --concurrency 4 --json >"$work/query-warm-up.json"
for c in 1 2 4; do
  "${bench[@]}" query --url "$url" --duration 40s --concurrency "$c" --json >"$work/query-c$c.json"
done
"${bench[@]}" query --url "$url" --duration 30s --concurrency 4 --kinds stats_30d --json >"$work/stats-c4.json"
"${bench[@]}" query --url "$url" --duration 20s --concurrency 1 --kinds stats_30d --json >"$work/stats-c1.json"
uptime >>"$work/uptime.txt"
kill "$server"; wait "$server" 2>/dev/null
for f in rss-ingest rss-query; do
  for col in 2:VmRSS 3:RssAnon 4:RssFile; do
    sort -n -k"${col%%:*}" "$work/$f.txt" | awk -v f="$f" -v c="${col%%:*}" -v n="${col#*:}" \
      '{v[NR]=$c} END {printf "%s %s KiB: p50 %d, p90 %d, max %d\n", f, n, v[int(NR/2)], v[int(NR*0.9)], v[NR]}'
  done
done
