#!/usr/bin/env bash
# Runs the README test command (`npm test`) with every core kept busy by another process for the
# whole run, RUNS times in a row (default 3), and says how long each took and whether it passed.
# Issue 6: the suite must hold on a busy CI machine, not only on an idle one.
#   RUNS=3               how many runs in a row
#   LOAD_WORKERS=<cores> busy processes (default: one per core)
# Uses `stress-ng --cpu N` when it is installed, else a busy loop per core in node.
# Exit status: 0 only when every run passed. Logs: .stack/logs/test-under-load-<n>.log
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${RUNS:-3}
workers=${LOAD_WORKERS:-$(nproc)}
mkdir -p .stack/logs
hogs=()
stop_load() { ((${#hogs[@]})) && kill "${hogs[@]}" 2>/dev/null || true; }
# Ctrl-C or a kill ends the whole series (the test run in progress and the load), not just one run.
trap stop_load EXIT
test_pid=
stop_test() { [ -n "$test_pid" ] && kill -TERM -- "-$test_pid" 2>/dev/null || true; }
trap 'echo "[load] interrupted"; stop_test; stop_load; exit 130' INT TERM

if command -v stress-ng >/dev/null 2>&1; then
  stress-ng --cpu "$workers" --quiet & hogs+=($!)
  how="stress-ng --cpu $workers"
else
  for _ in $(seq 1 "$workers"); do node -e 'for (;;) {}' & hogs+=($!); done
  how="$workers busy node loops"
fi
echo "[load] keeping the machine busy with $how for $runs run(s) of npm test"

failed=0
results=()
for n in $(seq 1 "$runs"); do
  log=.stack/logs/test-under-load-$n.log
  start=$(date +%s)
  status=0
  # A process group of its own (set -m), in the background and waited for: a signal reaches the trap
  # at once, and the trap can stop the whole run (npm, the test script, vitest and its workers).
  set -m
  npm test >"$log" 2>&1 &
  test_pid=$!
  set +m
  wait "$test_pid" || status=$?
  test_pid=
  secs=$(($(date +%s) - start))
  summary=$(grep -a '^tests: ' "$log" | tail -n 1 || true)
  results+=("run $n: exit $status in ${secs} s — ${summary:-no test summary (see $log)}")
  echo "[load] ${results[-1]}"
  [ "$status" = 0 ] || failed=1
done

echo "[load] summary ($how):"
printf '  %s\n' "${results[@]}"
exit "$failed"
