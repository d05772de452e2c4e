#!/usr/bin/env bash
# test.sh is the one test command of SafeGuard365: CI and newcomers run
# exactly this. It needs only Go (see go.mod for the version). It starts or
# installs whatever the tests need, then runs go vet and go test on every
# package and exits non-zero on any failure.
#
# Usage: ./scripts/test.sh [go test flags...]
#   e.g. ./scripts/test.sh -race -run TestSimServe
# Environment:
#   SG365_TEST_PKGS     packages to vet and test (default: ./...)
#   SG365_TEST_TIMEOUT  go test -timeout (default: 20m)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'test.sh: %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
	log "go is not on PATH; install Go $(sed -n 's/^go //p' go.mod) or newer from https://go.dev/dl/"
	exit 1
fi

# Go flags: never rewrite go.mod or go.sum while testing, and don't stamp
# version-control data when git is absent (a fresh machine may lack it, and
# the go command then refuses to build inside a git checkout).
# Start from the effective GOFLAGS (the environment or `go env -w`): setting the
# variable here would otherwise hide what `go env -w` configured.
GOFLAGS="$(go env GOFLAGS)"
GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"
if ! command -v git >/dev/null 2>&1; then
	GOFLAGS="$GOFLAGS -buildvcs=false"
fi
export GOFLAGS

read -ra pkgs <<<"${SG365_TEST_PKGS:-./...}"
timeout="${SG365_TEST_TIMEOUT:-20m}"

# ---------------------------------------------------------------------------
# Helpers for test servers (DESIGN.md §8). Servers run on loopback, on a free
# port, and are stopped by PID when this script exits.
# ---------------------------------------------------------------------------
started_pids=()
stop_started() {
	local pid
	for pid in "${started_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${started_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
}
trap stop_started EXIT

# start_bg CMD...: run CMD in the background and stop it when the script ends.
start_bg() {
	"$@" &
	started_pids+=("$!")
}

# apt_ensure PKG...: install missing Debian packages when running as root;
# otherwise say which are missing (tests that need them skip, visibly).
apt_updated=0
apt_ensure() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		log "missing packages (not root, not installing): ${missing[*]}"
		return 0
	fi
	if [ "$apt_updated" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# ---------------------------------------------------------------------------
# TEST SERVERS AND TOOLS: later issues add them here, each with a comment,
# exporting the variables their tests read. Planned:
#   - versitygw (S3 with object lock): go install github.com/versity/versitygw@v1.8.0,
#     start_bg versitygw ... posix ...
#   - Azurite (Azure Blob): npm install azurite@3.35.0, start_bg azurite-blob ...
# ---------------------------------------------------------------------------

# Samba AD DC (UserGuard, Active Directory): the internal/userguard tests
# provision a domain controller on 127.0.0.1 themselves (one per test binary,
# stopped by PID). They need root and these packages; samba-ad-dc and
# samba-ad-provision are named because apt_ensure skips recommended packages.
# SG365_REQUIRE_SAMBA=1 turns their skip into a failure, so CI cannot pass
# without running them; a developer without root may set it to 0.
apt_ensure samba samba-ad-dc samba-ad-provision ldb-tools ldap-utils
export SG365_REQUIRE_SAMBA="${SG365_REQUIRE_SAMBA:-1}"

log "$(go version); GOFLAGS=$GOFLAGS"

log "go vet ${pkgs[*]}"
go vet "${pkgs[@]}"

log "go test -count=1 -timeout $timeout $* ${pkgs[*]}"
go test -count=1 -timeout "$timeout" "$@" "${pkgs[@]}"
