#!/usr/bin/env bash
# compare.sh - build Orus in release mode and time the cross-language benchmark programs
# against the peer interpreters (Lua 5.4, LuaJIT with and without its JIT, Python 3, Node),
# using the shared runner ../shared/bench/run-peers.sh (relative to the repository root).
#
# Usage: bench/compare.sh [-r N] [run-peers.sh options...]
#   -r, --repeats N   runs per (benchmark, runtime); the median is reported (default 3,
#                     or $REPEATS)
#   anything else is passed to run-peers.sh, e.g. -b fib,sieve  or  -t lua5.4,orus
# Environment:
#   ORUS_SHARED_BENCH  folder holding run-peers.sh and programs/ (default: <repo>/../shared/bench)
#   LUA54, LUAJIT, PYTHON, NODE  interpreter overrides (see run-peers.sh)
# Results: the table is printed; CSV, Markdown and per-run TSV go to
# target/bench-results/run-YYYYmmdd-HHMMSS.* .
# Missing peers are skipped by run-peers.sh; install them with
#   apt-get install -y lua5.4 luajit python3 nodejs
# Exit status: that of run-peers.sh (1 when a run failed or a checksum disagreed).

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${ORUS_SHARED_BENCH:-$REPO/../shared/bench}"
RUNNER="$SHARED/run-peers.sh"
REPEATS="${REPEATS:-3}"

ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -r|--repeats) REPEATS="${2:?missing value for $1}"; shift 2 ;;
    -h|--help) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

if [ ! -f "$RUNNER" ]; then
  echo "compare.sh: cannot find the shared benchmark runner at $RUNNER" >&2
  echo "compare.sh: expected ../shared/bench/run-peers.sh beside the repository, or set ORUS_SHARED_BENCH" >&2
  exit 2
fi
if [ ! -d "$SHARED/programs" ]; then
  echo "compare.sh: $SHARED/programs (the Orus/Lua/Python/JS programs) is missing" >&2
  exit 2
fi

# the local copies in bench/programs should match the shared ones
for f in "$SHARED"/programs/*.orus "$SHARED/programs/expected.txt"; do
  local_copy="$REPO/bench/programs/$(basename "$f")"
  if [ ! -f "$local_copy" ] || ! cmp -s "$f" "$local_copy"; then
    echo "compare.sh: note: bench/programs/$(basename "$f") differs from $f (refresh the copy)" >&2
  fi
done

missing=()
for rt in "${LUA54:-lua5.4}" "${LUAJIT:-luajit}" "${PYTHON:-python3}" "${NODE:-node}"; do
  command -v "$rt" >/dev/null 2>&1 || missing+=("$rt")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare.sh: note: not installed, left out: ${missing[*]} (apt-get install -y lua5.4 luajit python3 nodejs)" >&2
fi

echo "compare.sh: cargo build --release" >&2
(cd "$REPO" && cargo build --release)
ORUS_BIN="$REPO/target/release/orus"
[ -x "$ORUS_BIN" ] || { echo "compare.sh: $ORUS_BIN was not built" >&2; exit 2; }

OUT_DIR="$REPO/target/bench-results"
mkdir -p "$OUT_DIR"
OUT_CSV="$OUT_DIR/run-$(date +%Y%m%d-%H%M%S).csv"

echo "compare.sh: $RUNNER -r $REPEATS -o $OUT_CSV ${ARGS[*]:-} orus=$ORUS_BIN" >&2
set +e
"$RUNNER" -r "$REPEATS" -o "$OUT_CSV" "${ARGS[@]+"${ARGS[@]}"}" "orus=$ORUS_BIN"
rc=$?
set -e
exit $rc
