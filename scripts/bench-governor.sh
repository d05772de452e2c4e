#!/usr/bin/env bash
# bench-governor.sh: measure the Graph client's throttle governor against the
# emulator's real Outlook per-mailbox limits (10,000 requests per 10 minutes,
# 4 concurrent), shrunk by a time scale (default 60: a 10 s window, a ceiling
# of 1,000 req/s). 16 goroutines call GetMessage on one mailbox for three
# windows; targets: ceiling-fraction >= 0.9, throttled-% <= 2.
#
# Usage: scripts/bench-governor.sh [time-scale]
# Takes about 3 windows plus a few seconds (35 s at the default scale).
set -euo pipefail

cd "$(dirname "$0")/.."
if [[ $# -gt 0 ]]; then
	export SG365_BENCH_TIMESCALE="$1"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench EmulatorGovernor -benchtime 1x ./internal/graph/ | tee "$out"

# The benchmark line holds "value unit" pairs after the iteration count and
# ns/op; pick out the metrics by unit.
line=$(grep -E '^BenchmarkEmulatorGovernorMailbox' "$out" || true)
if [[ -z "$line" ]]; then
	echo "bench-governor: no benchmark result" >&2
	exit 1
fi
metric() { awk -v unit="$1" '{ for (i = 2; i < NF; i++) if ($(i+1) == unit) print $i }' <<<"$line"; }
frac=$(metric ceiling-fraction)
thr=$(metric throttled-%)
rate=$(metric req/s)
capacity=$(metric capacity-req/s)
failed=$(metric failed)

echo
echo "governor benchmark (time scale ${SG365_BENCH_TIMESCALE:-60})"
printf '  ceiling-fraction  %s  (target >= 0.9)\n' "$frac"
printf '  throttled-%%       %s  (target <= 2)\n' "$thr"
printf '  achieved req/s    %s\n' "$rate"
printf '  capacity req/s    %s  (emulator and client in one process, rate limit off)\n' "$capacity"
printf '  failed calls      %s\n' "$failed"

awk -v f="$frac" -v t="$thr" 'BEGIN { exit !(f >= 0.9 && t <= 2) }' || {
	echo "bench-governor: targets missed" >&2
	exit 1
}
