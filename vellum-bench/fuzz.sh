#!/usr/bin/env bash
# Runs every Jazzer fuzz target in turn (every @FuzzTest method of every *FuzzTest.java), each
# for a fixed time, from a clean clone: Maven builds the modules a target needs (-am), nothing
# is installed. The generated corpus stays in <module>/.cifuzz-corpus/ (git-ignored) so the next
# run starts where this one ended. Prints one line per target:
#
#   target  minutes  inputs  inputs/s  cov  ft  corpus  findings
#
# cov and ft are libFuzzer's edge and feature counts over the instrumented (Vellum) classes.
# A finding's input is written by Jazzer to the target's seed folder
# (src/test/resources/<package>/<Class>Inputs/<method>/crash-*) and its log is kept.
#
#   vellum-bench/fuzz.sh [--minutes N] [--http-minutes M] [--only REGEX] [--out DIR]
#
# --minutes: per in-process target (default 10); --http-minutes: per target that talks to a
# real node over HTTP, those whose method name ends in OverHttp (default 3 x --minutes);
# --only: run the targets whose Class#method matches REGEX (grep -E).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes=10
http_minutes=
only=.
out="$root/vellum-bench/results/fuzz-$(date -u +%Y%m%dT%H%M%SZ)"
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --http-minutes) http_minutes="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: $0 [--minutes N] [--http-minutes M] [--only REGEX] [--out DIR]" >&2
       exit 2 ;;
  esac
done
http_minutes="${http_minutes:-$(awk "BEGIN { print 3 * $minutes }")}"
mkdir -p "$out"
cd "$root"

# module class method, one line per @FuzzTest method
targets() {
  find . -path '*/src/test/java/*' -name '*FuzzTest.java' -not -path './.git/*' | sort |
    while read -r f; do
      module="${f#./}"; module="${module%%/*}"
      class="${f#*/src/test/java/}"; class="${class%.java}"; class="${class//\//.}"
      awk -v m="$module" -v c="$class" '
        /@FuzzTest/ { armed = 1; next }
        armed && match($0, /void [A-Za-z0-9_]+\(/) {
          name = substr($0, RSTART + 5, RLENGTH - 6); print m, c, name; armed = 0 }' "$f"
    done
}

printf '%-50s %7s %12s %9s %6s %6s %7s %s\n' target minutes inputs inputs/s cov ft corpus \
  findings | tee "$out/summary.txt"
failed=0
while read -r module class method; do
  simple="${class##*.}"
  echo "$simple#$method" | grep -Eq -- "$only" || continue
  case "$method" in *OverHttp) m="$http_minutes" ;; *) m="$minutes" ;; esac
  log="$out/$simple.$method.log"
  seeds="$module/src/test/resources/${class%.*}"; seeds="${seeds//.//}/${simple}Inputs/$method"
  before=$(ls "$seeds" 2>/dev/null | grep -c '^crash-')
  start=$(date +%s)
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$(awk "BEGIN { print int($m * 60) }")s" ./mvnw -B -pl "$module" -am test \
    -Dtest="$simple#$method" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1
  status=$?
  # libFuzzer's last status line: "#<runs> <event> cov: <n> ft: <n> corp: <n>/<size> ... exec/s: <n>"
  line=$(grep -E '^#[0-9]+\s' "$log" | tail -1)
  runs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$line")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$line")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$line")
  execs=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$line")
  after=$(ls "$seeds" 2>/dev/null | grep -c '^crash-')
  findings=$((after - before))
  if [ "$status" -ne 0 ]; then
    failed=1
    what=$(grep -m1 -oE 'FuzzTestFinding[^ ]* [^ ]+.{0,100}' "$log" || echo "build or run failed")
    findings="$findings ($what; log $log)"
  fi
  printf '%-50s %7s %12s %9s %6s %6s %7s %s\n' "$simple#$method" "$m" "${runs:-0}" \
    "${execs:-0}" "${cov:--}" "${ft:--}" "${corp:--}" "$findings" | tee -a "$out/summary.txt"
  echo "  ($(( $(date +%s) - start )) s wall, Maven and JVM start included)" >>"$out/summary.txt"
done < <(targets)
echo "logs and summary: $out"
exit "$failed"
