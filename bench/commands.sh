#!/usr/bin/env bash
# Time the README's two commands on a fresh clone, with packages already in
# pip's cache (and the Debian packages already installed):
#   run:  `make run` until http://127.0.0.1:8000/ answers 200 (then stopped)
#   test: `make test` to its end
# Usage: bash bench/commands.sh [runs]   (port 8000 must be free)
set -euo pipefail
runs="${1:-1}"
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

printf '| command | run | seconds |\n| --- | --- | --- |\n'
for i in $(seq 1 "$runs"); do
  rm -rf "$work/clone" && git clone -q "$src" "$work/clone"
  cd "$work/clone"
  start=$(date +%s.%N)
  setsid make run >"$work/run.log" 2>&1 &
  pid=$!
  until curl -fsS -o /dev/null http://127.0.0.1:8000/ 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/run.log"; exit 1; }
    sleep 0.5
  done
  end=$(date +%s.%N)
  kill -- -"$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  printf '| make run (first page served) | %s | %.1f |\n' "$i" "$(echo "$end - $start" | bc)"

  start=$(date +%s.%N)
  make test >"$work/test.log" 2>&1 || { tail -30 "$work/test.log"; exit 1; }
  end=$(date +%s.%N)
  printf '| make test | %s | %.1f |\n' "$i" "$(echo "$end - $start" | bc)"
  cd "$src"
done
