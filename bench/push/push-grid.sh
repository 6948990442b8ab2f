#!/usr/bin/env bash
# The fan-out loads of bench/results/fanout.md, Meridian and nginx+nchan each (push-bench.sh both), and one plot
# per load with both systems' latency distributions.
#
#   bench/push/push-grid.sh
#
# Each load is SESSIONS:RATE:PER_SESSION; the items are 100. Environment: LOADS (the list, space separated),
# WARMUP (10), SECONDS_MEASURED (30), OUT (bench/results/fanout), and what push-bench.sh reads.
set -euo pipefail
cd "$(dirname "$0")/../.."

loads=${LOADS:-"100:1000:10 100:10000:1 100:10000:10 1000:100:10 1000:1000:10 10000:10:10 10000:100:10"}
out=${OUT:-bench/results/fanout}
mkdir -p "$out"
cp bench/target/benchmarks.jar "$out/../.push-grid.jar" 2>/dev/null || true
jar="$out/../.push-grid.jar"
trap 'rm -f "$jar"' EXIT

for load in $loads; do
    IFS=: read -r sessions rate per_session <<< "$load"
    label="s$sessions-r$rate-p$per_session"
    SESSIONS=$sessions RATE=$rate PER_SESSION=$per_session OUT=$out LABEL=$label \
        WARMUP=${WARMUP:-10} SECONDS_MEASURED=${SECONDS_MEASURED:-30} bash bench/push/push-bench.sh both
    java -cp "$jar" io.meridian.bench.PercentilePlot "$out/$label.svg" \
        "$sessions sessions x $per_session of 100 items, $rate updates/s" \
        "Meridian=$out/$label-meridian-1.hlog" "nchan=$out/$label-nchan-1.hlog"
done
