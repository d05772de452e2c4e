#!/usr/bin/env bash
# bench-emulator.sh measures the emulator itself, unthrottled, over HTTPS on
# loopback with the client in the same process:
#   BenchmarkSmallGET        small authenticated GETs (req/s; target >= 5,000 on 2 cores)
#   BenchmarkDownload1MB     1 MiB downloads from the pre-authenticated URL (MB/s)
#   BenchmarkServeLargeFile  one 10 GB generated file; peak-heap-MiB must stay flat
# Usage: ./scripts/bench-emulator.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go test -run '^$' -bench 'SmallGET|Download1MB' -benchtime 3s "$@" ./internal/m365sim/
go test -run '^$' -bench 'ServeLargeFile' -benchtime 1x "$@" ./internal/m365sim/
